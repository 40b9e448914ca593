"""Search benchmark: prints figures, asserts nothing.

    python bench/search.py [--offerings 100000] [--queries 1000] [--database-url URL]

Loads N store offerings (a provider, service, offer and store row each) with
bulk inserts through the tables; the migrations' triggers build the full-text
index exactly as they do in production. Texts are drawn from a vocabulary of
invented words with Zipf-like frequencies, so a few words are in a large share
of the offerings and most are rare, as in real text. 90% of the offerings are
published. Queries are one or two words, each drawn evenly from the vocabulary
(what someone looking for a thing types); a second set takes the 50 most
frequent words, which are in most offerings (the stop words of real text).

Then it times the search rules as the API and the search page run them:
a first page (20 best matches, loaded with everything OfferingInfo shows),
the count, and the page's highlights, and the one search's page (services,
offers and offerings: page, count, marks and facet counts), and prints p50/p95 latency and queries
per second for each, one query at a time. Goal: keyword search p95 <= 20 ms.
"""

import argparse
import itertools
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider
from mercato.catalogue.models import Offer, OfferStatus, OrderType, Service, ServiceStatus
from mercato.db import make_engine, make_session_factory, migrate, utcnow
from mercato.search import rules as one_search
from mercato.search import web as one_search_page
from mercato.store import search
from mercato.store.models import StoreOffering

console = Console()
BATCH = 2_000
PROVIDERS = 200
PAGE = 20
SYLLABLES = [
    "ka", "lo", "mi", "ne", "ru", "ta", "vi", "so", "pe", "da", "gu", "fo", "ri", "zen",
    "bar", "tel", "mon", "quo", "sil", "dra",
]  # fmt: skip


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    return sorted(words)


class Words:
    """Words with Zipf-like frequencies: the k-th most common is drawn ~1/k as often."""

    def __init__(self, size: int, rng: random.Random) -> None:
        self.words = vocabulary(size, rng)
        rng.shuffle(self.words)
        self.cumulative = list(itertools.accumulate(1 / rank for rank in range(1, size + 1)))
        self.rng = rng

    def draw(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def any(self, count: int) -> list[str]:
        return self.rng.sample(self.words, count)

    def text(self, count: int) -> str:
        return " ".join(self.draw(count))


def batches(total: int) -> Iterator[range]:
    for first in range(0, total, BATCH):
        yield range(first, min(first + BATCH, total))


def load(session: Session, total: int, words: Words, rng: random.Random) -> None:
    now = utcnow()
    session.execute(
        insert(Provider),
        [{"slug": f"p{n}", "name": f"Provider {n}"} for n in range(PROVIDERS)],
    )
    provider_ids = list(session.scalars(text("SELECT id FROM providers ORDER BY id")))
    with Progress(console=console) as progress:
        task = progress.add_task(f"Loading {total:,} offerings", total=total)
        for numbers in batches(total):
            published = [rng.random() < 0.9 for _ in numbers]
            names = [words.text(rng.randint(1, 3)).title() for _ in numbers]
            services = session.scalars(
                insert(Service).returning(Service.id, sort_by_parameter_order=True),
                [
                    {
                        "slug": f"s{n}",
                        "name": names[i],
                        "provider_id": provider_ids[n % PROVIDERS],
                        "order_type": OrderType.ORDER_REQUIRED,
                        "status": ServiceStatus.PUBLISHED,
                        "description": "",
                    }
                    for i, n in enumerate(numbers)
                ],
            ).all()
            offers = session.scalars(
                insert(Offer).returning(Offer.id, sort_by_parameter_order=True),
                [
                    {
                        "service_id": service_id,
                        "iid": 1,
                        "name": names[i],
                        "description": words.text(rng.randint(15, 60)),
                        "tags": words.draw(rng.randint(0, 4)),
                        "order_type": OrderType.ORDER_REQUIRED,
                        "status": OfferStatus.PUBLISHED if published[i] else OfferStatus.DRAFT,
                        "created_at": now - timedelta(minutes=n),
                    }
                    for i, (n, service_id) in enumerate(zip(numbers, services, strict=True))
                ],
            ).all()
            session.execute(
                insert(StoreOffering),
                [
                    {
                        "offer_id": offer_id,
                        "service_id": service_id,
                        "version": "1.0",
                        "abstract": words.text(rng.randint(3, 10)),
                        "usdl_text": words.text(rng.randint(0, 40)),
                        "rating": round(rng.uniform(0, 5), 2),
                        "published_at": now - timedelta(minutes=n) if published[i] else None,
                    }
                    for i, (n, offer_id, service_id) in enumerate(
                        zip(numbers, offers, services, strict=True)
                    )
                ],
            )
            session.commit()
            progress.advance(task, len(numbers))


def timed(run: Callable[[str], Any], queries: list[str]) -> list[float]:
    seconds = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        seconds.append(time.perf_counter() - started)
    return seconds


def figures(name: str, seconds: list[float]) -> tuple[str, str, str, str]:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]
    return name, f"{statistics.median(ms):.1f}", f"{p95:.1f}", f"{len(ms) / sum(seconds):.0f}"


def measure(engine: Engine, words: Words, count: int) -> None:
    queries = [" ".join(words.any(1 if n % 2 else 2)) for n in range(count)]
    frequent = words.words[:50]
    factory = make_session_factory(engine)

    def page(query: str) -> list[StoreOffering]:
        with factory() as session:
            return search.find_by_keyword(session, None, query, limit=PAGE)

    def count_(query: str) -> int:
        with factory() as session:
            return search.count_by_keyword(session, None, query)

    def whole_page(query: str) -> None:
        with factory() as session:
            found = search.find_by_keyword(session, None, query, limit=PAGE)
            search.count_by_keyword(session, None, query)
            search.highlights(session, query, found)

    def everything(query: str) -> None:
        """The one search's page: services, offers and offerings, facets, marks."""
        with factory() as session:
            one_search.find(
                session,
                None,
                query,
                chosen=one_search.Chosen(),
                order=one_search.Order.RELEVANCE,
                page=1,
                page_size=PAGE,
                names=one_search_page.NAMES,
            )

    def by_tag(query: str) -> list[StoreOffering]:
        with factory() as session:
            return search.find_by_tag(session, None, query.split()[0], limit=PAGE)

    page(queries[0])  # warm the connection pool and the database's caches
    with factory() as session:
        matches = [search.count_by_keyword(session, None, q) for q in queries]
    table = Table(title=f"{count} queries, one at a time ({engine.dialect.name})")
    for column in ("search", "p50 ms", "p95 ms", "queries/s"):
        table.add_column(column, justify="left" if column == "search" else "right")
    table.add_row(*figures(f"keyword: first {PAGE}, best first", timed(page, queries)))
    table.add_row(*figures("keyword: count", timed(count_, queries)))
    table.add_row(
        *figures("search page: first 20 + count + highlights", timed(whole_page, queries))
    )
    table.add_row(*figures(f"tag: first {PAGE}, newest first", timed(by_tag, queries)))
    table.add_row(
        *figures("one search page: first 20 + count + marks + facets", timed(everything, queries))
    )
    table.add_row(*figures(f"keyword, 50 most frequent words: first {PAGE}", timed(page, frequent)))
    console.print(table)
    with factory() as session:
        common = [search.count_by_keyword(session, None, word) for word in frequent]
    console.print(
        f"published matches per query: median {statistics.median(matches):,.0f}, "
        f"max {max(matches):,}; frequent words: median {statistics.median(common):,.0f}; "
        f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offerings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--vocabulary", type=int, default=20_000)
    parser.add_argument("--database-url", help="an empty database; default: SQLite in a temp dir")
    arguments = parser.parse_args()
    rng = random.Random(4)
    words = Words(arguments.vocabulary, rng)
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        migrate(engine)
        started = time.perf_counter()
        with make_session_factory(engine)() as session:
            load(session, arguments.offerings, words, rng)
        console.print(f"loaded in {time.perf_counter() - started:.0f} s")
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        measure(engine, words, arguments.queries)
        engine.dispose()


if __name__ == "__main__":
    main()
