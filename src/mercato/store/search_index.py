"""The offerings' full-text index: matching, ranking and marking words in it.

Migration 0005 creates it and the triggers that keep it current: an FTS5 table
on SQLite, a table with a weighted tsvector and a GIN index on PostgreSQL. Its
shape differs per database, so it stays out of the ORM metadata; `owns_table`
and `is_modelled` tell schema comparisons to leave it (and FTS5's shadow tables) alone.
"""

import re
from typing import Any

from sqlalchemy import Select, bindparam, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

TABLE = "store_search"
# Around matched words in marked text: control characters no offering text needs.
START, STOP = "\x02", "\x03"
MAX_WORDS = 16
SNIPPET_WORDS = 24

_index = table(TABLE, column("rowid"), column("offer_id"), column("rank"), column("document"))
_WORD = re.compile(r"\w+")
_MARKS = re.compile(f"[{START}{STOP}]")


def owns_table(name: str) -> bool:
    return name == TABLE or name.startswith(f"{TABLE}_")


def is_modelled(name: str | None, type_: str, parent_names: object) -> bool:
    """For Alembic's comparisons (``include_name``): everything but the index's tables."""
    return not (type_ == "table" and name is not None and owns_table(name))


def search_words(text_: str) -> list[str]:
    """The words of a query; punctuation and search operators are not special."""
    return list(dict.fromkeys(_WORD.findall(text_.lower())))[:MAX_WORDS]


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _ts_query(words: list[str]) -> Any:
    return func.plainto_tsquery(literal_column("'english'"), " ".join(words))


def _matching(session: Session, words: list[str]) -> tuple[Any, Any, Any]:
    """The index's key, a relevance (lower is better) and the condition: every word."""
    if is_postgresql(session):
        query = _ts_query(words)
        relevance = -func.ts_rank(_index.c.document, query)
        return _index.c.offer_id, relevance, _index.c.document.op("@@")(query)
    # Each word quoted: FTS5's own syntax (AND, NEAR, column:, *) stays plain text.
    expression = " ".join(f'"{word}"' for word in words)
    return _index.c.rowid, _index.c.rank, literal_column(TABLE).op("MATCH")(expression)


def entries(session: Session, words: list[str]) -> Select[tuple[int, float]]:
    """Keys of every entry (an offering's offer id, `service_key`, `offer_key`) that holds
    every word (stemmed), and a relevance: lower is better."""
    key, relevance, condition = _matching(session, words)
    return select(key.label("key"), relevance.label("relevance")).where(condition)


def matches(session: Session, words: list[str]) -> Select[tuple[int, float]]:
    """Ids of the offerings that hold every word (stemmed), and a relevance: lower is better."""
    key, relevance, condition = _matching(session, words)
    # The catalogue's entries have negative keys: a range the index narrows by itself.
    return select(key.label("offer_id"), relevance.label("relevance")).where(condition, key > 0)


# The catalogue's entries (migration 0031): keys below 0, services even, offers odd.
SERVICE, OFFER, OFFERING = "service", "offer", "offering"


def service_key(service_id: int) -> int:
    return -2 * service_id


def offer_key(offer_id: int) -> int:
    return -2 * offer_id - 1


def best_matches(session: Session, words: list[str], count: int) -> Select[tuple[int, float]]:
    """The ``count`` best of `matches`, best first, ties by the newest offer: ranked by the
    index alone, before any filter, so the database keeps only ``count`` rows while ranking."""
    found = matches(session, words).subquery()
    return (
        select(found.c.offer_id, found.c.relevance)
        .order_by(found.c.relevance, found.c.offer_id.desc())
        .limit(count)
    )


def tagged(session: Session, tag: str) -> Select[tuple[int]] | None:
    """Ids of the offerings with the tag's words, in order, among their tags: a narrowing
    of the exact tag match (None when the index cannot narrow, e.g. for stop words)."""
    words = search_words(tag)
    if not words:
        return None
    if is_postgresql(session):
        # The words as a phrase among the tags, which are the document's weight B.
        phrase = " <-> ".join(f"{word}:B" for word in words)
        query = func.to_tsquery(literal_column("'english'"), phrase)
        if not session.scalar(select(func.numnode(query))):
            return None
        return select(_index.c.offer_id).where(_index.c.document.op("@@")(query))
    # FTS5: a phrase, in the tags column only.
    phrase = f'tags : "{" ".join(words)}"'
    return select(_index.c.rowid).where(literal_column(TABLE).op("MATCH")(phrase))


_SQLITE_MARKED = f"""
    SELECT rowid,
           highlight({TABLE}, 0, :start, :stop),
           highlight({TABLE}, 2, :start, :stop),
           snippet({TABLE}, 1, :start, :stop, '…', {SNIPPET_WORDS}),
           snippet({TABLE}, 3, :start, :stop, '…', {SNIPPET_WORDS})
    FROM {TABLE} WHERE {TABLE} MATCH :query AND rowid IN :ids
"""
_PG_EXCERPT = f"MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, "
_PG_MARKED = f"""
    SELECT offer_id,
           ts_headline('english', name, query, :whole),
           ts_headline('english', tags, query, :whole),
           ts_headline('english', description, query, :excerpt),
           ts_headline('english', usdl, query, :excerpt)
    FROM {TABLE}, plainto_tsquery('english', :query) AS query
    WHERE offer_id IN :ids
"""


def marked_texts(
    session: Session, words: list[str], offer_ids: list[int]
) -> dict[int, tuple[str, str, str, str]]:
    """Name, tags, description excerpt and USDL excerpt, matched words between START and STOP."""
    if not offer_ids or not words:
        return {}
    marks = f"StartSel={START}, StopSel={STOP}"
    if is_postgresql(session):
        statement = text(_PG_MARKED).bindparams(bindparam("ids", expanding=True))
        parameters = {
            "query": " ".join(words),
            "whole": f"HighlightAll=true, {marks}",
            "excerpt": _PG_EXCERPT + marks,
        }
    else:
        statement = text(_SQLITE_MARKED).bindparams(bindparam("ids", expanding=True))
        expression = " ".join(f'"{word}"' for word in words)
        parameters = {"query": expression, "start": START, "stop": STOP}
    rows = session.execute(statement, {**parameters, "ids": offer_ids})
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}


def is_marked(marked: str) -> bool:
    return START in marked


def split_marked(marked: str) -> tuple[tuple[str, bool], ...]:
    """``a \\x02b\\x03 c`` → (("a ", False), ("b", True), (" c", False))."""
    pieces = re.split(f"{START}(.*?){STOP}", marked, flags=re.DOTALL)
    return tuple(
        (_MARKS.sub("", piece), number % 2 == 1) for number, piece in enumerate(pieces) if piece
    )
