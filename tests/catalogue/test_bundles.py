"""Bundle rules: the EOSC Marketplace's validation texts (reference §8.7) and unbundling."""

from dataclasses import replace

import pytest
from sqlalchemy import select

from mercato.catalogue import bundles, rules
from mercato.catalogue.bundles import BundleData
from mercato.catalogue.models import (
    Bundle,
    BundleOffer,
    BundleStatus,
    Offer,
    OfferStatus,
    OrderType,
    ServiceStatus,
)
from mercato.errors import Invalid
from tests.factories import TERMS


def _data(make, main, offers, **fields):
    terms = {
        name: rules.named_rows(make.session, model, [TERMS[name]])
        for name, model in bundles.REQUIRED_VOCABULARIES.items()
    }
    values = {
        "name": "Compute and storage",
        "description": "Both at once",
        "order_type": OrderType.ORDER_REQUIRED,
        "main_offer": main,
        "offers": offers,
        **terms,
        "helpdesk_url": "https://helpdesk.example.org",
        **fields,
    }
    return BundleData(**values)


def _refused(make, service, data, status=BundleStatus.PUBLISHED) -> dict[str, list[str]]:
    with pytest.raises(Invalid) as raised:
        bundles.create_bundle(make.session, service, data, status)
    make.session.rollback()
    return raised.value.errors


def test_a_bundle_keeps_its_offers_of_other_services_in_order_without_duplicates(make, session):
    main = make.offer(make.service(name="Compute"))
    storage = make.offer(make.service(name="Storage"))
    backup = make.offer(make.service(name="Backup"))

    bundle = bundles.create_bundle(
        session, main.service, _data(make, main, [storage, backup, storage])
    )
    session.commit()

    assert (bundle.iid, bundle.status, bundle.offers) == (
        1,
        BundleStatus.PUBLISHED,
        [storage, backup],
    )
    assert [d.name for d in bundle.scientific_domains] == ["Physics"]
    rows = session.execute(
        select(BundleOffer.offer_id, BundleOffer.position).order_by(BundleOffer.position)
    )
    assert rows.all() == [(storage.id, 0), (backup.id, 1)]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("main offer bundled", {"offers": ["cannot bundle main offer"]}),
        ("draft offer", {"offers": ["must have only published offers selected"]}),
        ("draft service", {"offers": ["must have offers with public services selected"]}),
        ("draft main offer", {"main_offer": ["must be published"]}),
        ("no domain", {"scientific_domains": ["are required. Please add at least one"]}),
        (
            "no other vocabulary",
            {
                "bundle_goals": ["are required. Please add at least one"],
                "capabilities_of_goals": ["are required. Please add at least one"],
                "target_users": ["are required. Please add at least one"],
                "marketplace_locations": ["are required. Please add at least one"],
            },
        ),
        ("no offers", {"offers": ["can't be blank"]}),
        (
            "blank fields",
            {
                "name": ["can't be blank"],
                "description": ["can't be blank"],
                "helpdesk_url": ["can't be blank"],
            },
        ),
        (
            "bad urls",
            {
                "helpdesk_url": ["is not a valid URL"],
                "related_training_url": ["is not a valid URL"],
            },
        ),
        ("bad email", {"contact_email": ["is invalid"]}),
        ("main offer elsewhere", {"main_offer": ["must be an offer of the bundle's service"]}),
    ],
)
def test_bundle_rules_speak_the_marketplace_texts(make, case, expected):
    service = make.service()
    main, other = make.offer(service), make.offer(make.service())
    data = _data(make, main, [other])
    match case:
        case "main offer bundled":
            data = replace(data, offers=[other, main])
        case "draft offer":
            data = replace(data, offers=[make.offer(make.service(), status=OfferStatus.DRAFT)])
        case "draft service":
            hidden = make.service(status=ServiceStatus.DRAFT)
            data = replace(data, offers=[make.offer(hidden)])
        case "draft main offer":
            data = replace(data, main_offer=make.offer(service, status=OfferStatus.DRAFT))
        case "no domain":
            data = replace(data, scientific_domains=[])
        case "no other vocabulary":
            data = replace(
                data,
                bundle_goals=[],
                capabilities_of_goals=[],
                target_users=[],
                marketplace_locations=[],
            )
        case "no offers":
            data = replace(data, offers=[])
        case "blank fields":
            data = replace(data, name=" ", description="", helpdesk_url="")
        case "bad urls":
            data = replace(
                data, helpdesk_url="helpdesk", related_training=True, related_training_url="x"
            )
        case "bad email":
            data = replace(data, contact_email="nobody")
        case "main offer elsewhere":
            data = replace(data, main_offer=other, offers=[make.offer(make.service())])

    assert _refused(make, service, data) == expected


def test_a_draft_bundle_may_have_a_draft_main_offer_but_publishing_checks_it(make, session):
    service = make.service()
    main = make.offer(service, status=OfferStatus.DRAFT)
    bundle = make.bundle(main, [make.offer()], status=BundleStatus.DRAFT)

    with pytest.raises(Invalid) as raised:
        bundles.set_bundle_status(session, bundle, BundleStatus.PUBLISHED)

    assert raised.value.errors == {"main_offer": ["must be published"]}


def test_deleting_a_bundled_offer_takes_it_out_and_drafts_the_bundle(make, session):
    main = make.offer(make.service())
    kept, gone = make.offer(make.service()), make.offer(make.service())
    bundle = make.bundle(main, [kept, gone])

    rules.delete_offer(session, gone)
    session.commit()

    session.refresh(bundle)
    assert (bundle.status, bundle.offers) == (BundleStatus.DRAFT, [kept])
    assert session.get(Offer, gone.id) is None


def test_deleting_a_main_offer_unpublishes_its_bundles_and_keeps_it_as_deleted(make, session):
    main = make.offer(make.service())
    bundle = make.bundle(main, [make.offer(make.service())])

    rules.delete_offer(session, main)
    session.commit()

    session.refresh(bundle)
    session.refresh(main)
    assert (bundle.status, main.status) == (BundleStatus.UNPUBLISHED, OfferStatus.DELETED)
    assert bundle.main_offer_id == main.id


def test_a_restored_bundle_keeps_offers_that_were_unpublished_since(make, session):
    main = make.offer(make.service())
    since = make.offer(make.service(), status=OfferStatus.DRAFT)
    data = replace(_data(make, main, [since]), scientific_domains=[], helpdesk_url="")

    bundle = bundles.restore_bundle(session, main.service, data, BundleStatus.PUBLISHED, iid=7)

    assert (bundle.iid, bundle.offers) == (7, [since])
    assert session.scalar(select(Bundle.status)) == BundleStatus.PUBLISHED
