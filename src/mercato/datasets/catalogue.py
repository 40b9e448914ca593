"""Services, OMSes, offers and bundles in a data set.

Offers are the bulk of a catalogue, so they are checked by the API's rule for
an offer's own fields (without queries) and inserted in batches. How an offer
relates to its OMS and service (availability, custom params, order type) governs
new writes only: a site's history may have outgrown it, and loading keeps it.
"""

from collections.abc import Iterator
from dataclasses import fields

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from mercato.catalogue import rules as catalogue
from mercato.catalogue.bundles import VOCABULARIES, BundleData, restore_bundle
from mercato.catalogue.models import (
    Bundle,
    BundleOffer,
    Offer,
    Oms,
    Service,
)
from mercato.catalogue.omses import OmsData, register_oms
from mercato.catalogue.rules import OfferData
from mercato.datasets.context import DUMP_BATCH, Loading, keep_ids_ahead, naming, renamed
from mercato.datasets.names import bundle_ref, offer_ref
from mercato.datasets.schema import (
    BundleRecord,
    CustomParam,
    OfferRecord,
    OmsRecord,
    ServiceRecord,
    Trigger,
)
from mercato.db import utcnow
from mercato.errors import Invalid
from mercato.webhooks import check_signing_secret

_BATCH = 2_000


def load_services(loading: Loading, records: list[ServiceRecord]) -> None:
    loading.each("services", records, lambda record: _load_service(loading, record))


def _load_service(loading: Loading, record: ServiceRecord) -> Service:
    service = catalogue.create_service(
        loading.session,
        service_id=record.id,
        provider=loading.find("providers", record.provider, "provider"),
        name=record.name,
        slug=record.slug,
        pid=record.pid,
        tagline=record.tagline,
        description=record.description,
        webpage=record.webpage,
        status=record.status,
        order_type=record.order_type,
        categories=record.categories,
        scientific_domains=record.scientific_domains,
    )
    if record.id is not None:
        keep_ids_ahead(loading.session, Service)
    return service


def load_omses(loading: Loading, records: list[OmsRecord]) -> None:
    loading.each("omses", records, lambda record: _load_oms(loading, record))


# The registry's fields that a data set's OMS record names otherwise.
_OMS_RECORD_FIELDS = {f"trigger_{name}": f"trigger.{name}" for name in Trigger.model_fields}


def _load_oms(loading: Loading, record: OmsRecord) -> Oms:
    data = _oms_data(loading, record)
    # The registry checks the trigger against the same allow-list as the pages and the CLI.
    with renamed(lambda name: _OMS_RECORD_FIELDS.get(name, name)):
        oms = register_oms(loading.session, loading.files.settings, data, oms_id=record.id)
    if record.trigger and record.trigger.signing_secret:
        oms.signing_secret = check_signing_secret(
            "trigger.signing_secret", record.trigger.signing_secret
        )
    if record.id is not None:
        keep_ids_ahead(loading.session, Oms)
    return oms


def _oms_data(loading: Loading, record: OmsRecord) -> OmsData:
    trigger = record.trigger or Trigger(url="")
    return OmsData(
        name=record.name,
        type=record.type,
        is_default=record.is_default,
        custom_params={
            name: param.model_dump(exclude_none=True)
            for name, param in record.custom_params.items()
        },
        administrators=[
            loading.find("users", ref, f"administrators[{position}]")
            for position, ref in enumerate(record.administrators)
        ],
        providers=[
            loading.find("providers", ref, f"providers[{position}]")
            for position, ref in enumerate(record.providers)
        ],
        service=loading.find_given("services", record.service, "service"),
        trigger_url=trigger.url,
        trigger_method=trigger.method,
        trigger_user=trigger.user,
        trigger_password=trigger.password,
    )


class _Iids:
    """Each service's offer iids: given ones kept, the others the next after the highest."""

    def __init__(self) -> None:
        self._taken: dict[int, set[int]] = {}

    def take(self, service_id: int, given: int | None) -> int:
        taken = self._taken.setdefault(service_id, set())
        iid = given if given is not None else max(taken, default=0) + 1
        if iid in taken:
            raise Invalid.field("iid", "is taken by another offer of this service")
        taken.add(iid)
        return iid


def load_offers(loading: Loading, records: list[OfferRecord]) -> None:
    iids = _Iids()
    batch: list[tuple[str, dict[str, object]]] = []
    for index, record in enumerate(records):
        with naming("offers", index, record.ref):
            service = loading.find("services", record.service, "service")
            data = _checked_offer(loading, record)
            iid = iids.take(service.id, record.iid)
        # Not dataclasses.asdict: its deep copies took most of a load's time.
        row = {f.name: getattr(data, f.name) for f in fields(OfferData)}
        row.update(service_id=service.id, iid=iid, status=record.status)
        batch.append((record.ref, row))
        if len(batch) == _BATCH or index + 1 == len(records):
            _insert_offers(loading, batch)
            batch = []
            loading.advance("offers", index + 1, len(records))


def _checked_offer(loading: Loading, record: OfferRecord) -> OfferData:
    oms = loading.find_given("omses", record.primary_oms, "primary_oms")
    data = catalogue.normalised_offer(
        OfferData(
            **{
                f.name: getattr(record, f.name)
                for f in fields(OfferData)
                if f.name != "primary_oms_id"
            },
            primary_oms_id=oms.id if oms is not None else None,
        )
    )
    return catalogue.check_offer_fields(data)


def _insert_offers(loading: Loading, batch: list[tuple[str, dict[str, object]]]) -> None:
    now = utcnow()
    rows = [{**row, "created_at": now, "updated_at": now} for _, row in batch]
    statement = insert(Offer).returning(Offer.id, sort_by_parameter_order=True)
    ids = loading.session.scalars(statement, rows).all()
    for (ref, _), offer_id in zip(batch, ids, strict=True):
        loading.keep("offers", ref, offer_id)


def load_bundles(loading: Loading, records: list[BundleRecord]) -> None:
    loading.each("bundles", records, lambda record: _load_bundle(loading, record))


def _load_bundle(loading: Loading, record: BundleRecord) -> Bundle:
    session = loading.session

    def offer(ref: str, field: str) -> Offer:
        # Offers are inserted in batches, so the load keeps their ids, not their rows.
        return session.get_one(Offer, loading.find("offers", ref, field))

    data = BundleData(
        name=record.name,
        description=record.description,
        order_type=record.order_type,
        main_offer=offer(record.main_offer, "main_offer"),
        offers=[offer(ref, f"offers[{position}]") for position, ref in enumerate(record.offers)],
        **{
            name: catalogue.named_rows(session, model, getattr(record, name))
            for name, model in VOCABULARIES.items()
        },
        helpdesk_url=record.helpdesk_url,
        contact_email=record.contact_email,
        related_training=record.related_training,
        related_training_url=record.related_training_url,
    )
    service = loading.find("services", record.service, "service")
    bundle = restore_bundle(
        session, service, data, record.status, iid=record.iid, bundle_id=record.id
    )
    if record.id is not None:
        keep_ids_ahead(session, Bundle)
    return bundle


def dump_services(session: Session) -> Iterator[ServiceRecord]:
    services = session.scalars(
        select(Service)
        .order_by(Service.id)
        .options(
            selectinload(Service.provider),
            selectinload(Service.categories),
            selectinload(Service.scientific_domains),
        )
    )
    yield from (
        ServiceRecord(
            ref=service.slug,
            id=service.id,
            provider=service.provider.slug,
            name=service.name,
            slug=service.slug,
            pid=service.pid,
            tagline=service.tagline,
            description=service.description,
            webpage=service.webpage,
            status=service.status,
            order_type=service.order_type,
            categories=[category.name for category in service.categories],
            scientific_domains=[domain.name for domain in service.scientific_domains],
        )
        for service in services
    )


def dump_omses(session: Session) -> Iterator[OmsRecord]:
    omses = session.scalars(
        select(Oms)
        .order_by(Oms.id)
        .options(
            selectinload(Oms.administrators),
            selectinload(Oms.providers),
            selectinload(Oms.service),
        )
    )
    yield from (_oms_record(oms) for oms in omses)


def _oms_record(oms: Oms) -> OmsRecord:
    trigger = (
        Trigger(
            url=oms.trigger_url,
            method=oms.trigger_method,
            user=oms.trigger_user,
            password=oms.trigger_password,
            signing_secret=oms.signing_secret,
        )
        if oms.has_trigger
        else None
    )
    return OmsRecord(
        ref=oms.name,
        id=oms.id,
        name=oms.name,
        type=oms.type,
        is_default=oms.is_default,
        custom_params={name: CustomParam(**spec) for name, spec in oms.custom_params.items()},
        administrators=[user.email for user in oms.administrators],
        providers=[provider.slug for provider in oms.providers],
        service=oms.service.slug if oms.service is not None else None,
        trigger=trigger,
    )


def dump_offers(session: Session) -> Iterator[OfferRecord]:
    columns = list(Offer.__table__.c)
    rows = session.execute(
        select(*columns, Service.slug.label("service_slug"), Oms.name.label("oms_name"))
        .join(Service, Service.id == Offer.service_id)
        .outerjoin(Oms, Oms.id == Offer.primary_oms_id)
        .order_by(Offer.id)
        .execution_options(yield_per=DUMP_BATCH)
    )
    yield from (
        OfferRecord(
            ref=offer_ref(row.service_slug, row.iid),
            service=row.service_slug,
            iid=row.iid,
            primary_oms=row.oms_name,
            status=row.status,
            **{
                f.name: getattr(row, f.name)
                for f in fields(OfferData)
                if f.name != "primary_oms_id"
            },
        )
        for row in rows
    )


def dump_bundles(session: Session) -> list[BundleRecord]:
    bundles = session.scalars(
        select(Bundle)
        .order_by(Bundle.id)
        .options(
            selectinload(Bundle.service),
            selectinload(Bundle.main_offer).selectinload(Offer.service),
            selectinload(Bundle.bundle_offers)
            .selectinload(BundleOffer.offer)
            .selectinload(Offer.service),
            *(selectinload(getattr(Bundle, name)) for name in VOCABULARIES),
        )
    )
    return [
        BundleRecord(
            ref=bundle_ref(bundle.service.slug, bundle.iid),
            id=bundle.id,
            service=bundle.service.slug,
            iid=bundle.iid,
            name=bundle.name,
            description=bundle.description,
            order_type=bundle.order_type,
            status=bundle.status,
            main_offer=offer_ref(bundle.main_offer.service.slug, bundle.main_offer.iid),
            offers=[offer_ref(offer.service.slug, offer.iid) for offer in bundle.offers],
            **{name: [term.name for term in getattr(bundle, name)] for name in VOCABULARIES},
            helpdesk_url=bundle.helpdesk_url,
            contact_email=bundle.contact_email,
            related_training=bundle.related_training,
            related_training_url=bundle.related_training_url,
        )
        for bundle in bundles
    ]
