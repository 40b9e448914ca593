"""An offering's description to and from Linked USDL (``usdl.OfferingDescription``)."""

from collections.abc import Sequence
from urllib.parse import quote

from mercato.store.models import Asset, StoreOffering
from mercato.store.offerings import Description
from mercato.store.usdl import Legal, OfferingDescription, PricePlan
from mercato.store.wstore.shapes import media_url


def description_from_usdl(parsed: OfferingDescription, source_url: str = "") -> Description:
    """What the store keeps of a Linked USDL document, and its words for keyword search."""
    legal = parsed.legal.model_dump() if parsed.legal is not None else None
    plans = [plan.model_dump(mode="json", exclude_none=True) for plan in parsed.price_plans]
    return Description(
        description=parsed.description,
        abstract=parsed.abstract,
        legal=legal,
        price_plans=plans,
        description_url=source_url,
        usdl_text=search_text(
            [parsed.name, parsed.description, parsed.abstract, *parsed.tags],
            legal,
            parsed.price_plans,
        ),
    )


def search_text(
    words: list[str], legal: dict[str, str] | None, price_plans: Sequence[PricePlan]
) -> str:
    """The literals of a Linked USDL description that keyword search looks at."""
    if legal is not None:
        words = [*words, legal["title"], legal["text"]]
    words = [*words, *(f"{plan.title} {plan.description}" for plan in price_plans)]
    return " ".join(word for word in words if word)


def _path(*parts: str) -> str:
    return "/".join(quote(part, safe="") for part in parts)


def _key(offering: StoreOffering) -> tuple[str, str, str]:
    return offering.service.provider.slug, offering.service.name, offering.version


def offering_uri(base_url: str, offering: StoreOffering) -> str:
    return f"{base_url}/api/offering/offerings/{_path(*_key(offering))}"


def asset_uri(base_url: str, asset: Asset) -> str:
    return (
        f"{base_url}/api/offering/resources/{_path(asset.provider.slug, asset.name, asset.version)}"
    )


def usdl_of(offering: StoreOffering, base_url: str) -> OfferingDescription:
    """The offering as Linked USDL describes it, generated from the model."""
    return OfferingDescription(
        uri=offering_uri(base_url, offering),
        name=offering.service.name,
        version=offering.version,
        description=offering.offer.description,
        abstract=offering.abstract,
        provider=offering.service.provider.name,
        page=f"{base_url}/store/offerings/{_path(*_key(offering))}",
        image_url=media_url(base_url, offering.image_key) or None,
        related_images=[media_url(base_url, key) for key in offering.screenshot_keys],
        tags=offering.offer.tags,
        includes=[asset_uri(base_url, asset) for asset in offering.assets],
        created=offering.offer.created_at,
        modified=offering.offer.updated_at,
        legal=Legal.model_validate(offering.legal) if offering.legal else None,
        price_plans=[PricePlan.model_validate(plan) for plan in offering.price_plans],
    )
