"""Tags of offerings and tag suggestions (reference §12's recommendation formula)."""

import re
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.catalogue.models import Offer, OfferStatus
from mercato.errors import Invalid
from mercato.store.models import StoreOffering

TAG = re.compile(r"^[\w -]{1,64}$")
MAX_TAGS = 50
MAX_SUGGESTIONS = 50
_WORD = re.compile(r"\w+")


def check_tag_list(value: Any) -> list[str]:
    """Tags as given (WStore shows them as they were put), each one checked."""
    if not isinstance(value, list) or len(value) > MAX_TAGS:
        raise Invalid.field("tags", f"must be a list of at most {MAX_TAGS} tags")
    for item in value:
        if not isinstance(item, str) or not TAG.match(item.strip()):
            raise Invalid.field("tags", f"{item!r} is not a tag (letters, digits, spaces, _ and -)")
    return value


def check_tags(value: Any) -> list[str]:
    """Lower-cased, trimmed, each once, in the order given."""
    return list(dict.fromkeys(tag.strip().lower() for tag in check_tag_list(value)))


def set_tags(session: Session, offering: StoreOffering, tags: list[str]) -> list[str]:
    """Tags are free in every state, as in WStore: a deleted offering's still find it."""
    offering.offer.tags = tags
    session.flush()
    return tags


def _tagged_offers(session: Session) -> dict[str, set[int]]:
    """Every tag of the store's live offerings → the offers that carry it."""
    rows = session.execute(
        select(Offer.id, Offer.tags)
        .join(StoreOffering, StoreOffering.offer_id == Offer.id)
        .where(Offer.status != OfferStatus.DELETED)
    )
    docs: dict[str, set[int]] = defaultdict(set)
    for offer_id, tags in rows:
        for tag in tags:
            docs[tag.strip().lower()].add(offer_id)
    return docs


def _ranks(docs: dict[str, set[int]], seeds: set[str]) -> dict[str, float]:
    """rank(t) = 1/|U'| · Σ_{u∈U'} |docs(t) ∩ docs(u)| / |docs(u)|, U' = seeds that occur."""
    present = [seed for seed in seeds if docs.get(seed)]
    ranks: dict[str, float] = defaultdict(float)
    for seed in present:
        for tag, tagged in docs.items():
            shared = len(tagged & docs[seed])
            if shared:
                ranks[tag] += shared / len(docs[seed]) / len(present)
    return ranks


def suggest_tags(session: Session, offering: StoreOffering, given: list[str]) -> list[str]:
    """Tags that go with ``given`` and with the words of the offering's own description."""
    docs = _tagged_offers(session)
    text = " ".join(
        [offering.service.name, offering.offer.description, offering.abstract, offering.usdl_text]
    )
    words = {word.lower() for word in _WORD.findall(text)}
    merged = _ranks(docs, set(given))
    for tag, rank in _ranks(docs, words).items():
        merged[tag] = max(merged.get(tag, 0.0), rank)
    ranked = sorted(
        (tag for tag in merged if tag not in given), key=lambda tag: (-merged[tag], tag)
    )
    return ranked[:MAX_SUGGESTIONS]
