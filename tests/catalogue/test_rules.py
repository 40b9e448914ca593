"""Catalogue and OMS-registry rules that the APIs and pages share."""

import pytest

from mercato.catalogue import rules
from mercato.catalogue.eosc.routes import offer_json
from mercato.catalogue.models import OmsType, OrderType
from mercato.catalogue.omses import available_omses
from mercato.catalogue.rules import OfferData
from mercato.errors import Invalid


def test_available_omses_are_default_dedicated_global_then_provider_group(make):
    service = make.service()
    group = make.oms("Group", type=OmsType.PROVIDER_GROUP, providers=[service.provider])
    shared = make.oms("Shared")
    dedicated = make.oms("Dedicated", type=OmsType.RESOURCE_DEDICATED, service=service)
    default = make.oms("Default", is_default=True)
    make.oms("Elsewhere", type=OmsType.RESOURCE_DEDICATED, service=make.service())

    assert available_omses(make.session, service) == [default, dedicated, shared, group]


def test_an_internal_offer_is_handled_by_its_primary_oms_or_else_the_default(make):
    default = make.oms("Default", is_default=True)
    other = make.oms("Other")
    service = make.service()

    with_primary = make.offer(service, internal=True, primary_oms_id=other.id)
    without = make.offer(service, internal=True)

    assert offer_json(with_primary, default.id, [])["primary_oms_id"] == other.id
    assert offer_json(without, default.id, [])["primary_oms_id"] == default.id


def test_only_one_oms_may_be_the_default(make):
    make.oms("First", is_default=True)

    with pytest.raises(Invalid) as raised:
        make.oms("Second", is_default=True)

    assert raised.value.errors == {"default": ["“First” is already the default OMS"]}


@pytest.mark.parametrize(
    "custom_params",
    [
        {"a": {"mandatory": True}},
        {"a": {"mandatory": False, "default": "x"}},
        {"a": "x"},
        {"a": {"mandatory": True, "default": 1}},
    ],
)
def test_custom_params_have_the_two_allowed_shapes(make, custom_params):
    with pytest.raises(Invalid) as raised:
        make.oms(custom_params=custom_params)

    assert list(raised.value.errors) == ["custom_params"]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": "  "}, {"name": ["can't be blank"]}),
        ({"description": ""}, {"description": ["can't be blank"]}),
        # The EOSC Marketplace's mp_url rule and text (reference §8.6).
        ({"order_url": "ftp://example.org"}, {"order_url": ["is not a valid URL"]}),
        ({"order_url": "www.abcdef.com"}, {"order_url": ["is not a valid URL"]}),
        ({"order_url": "http://bcdef"}, {"order_url": ["is not a valid URL"]}),
        ({"order_url": "http://localhost:5000/projects/1"}, {"order_url": ["is not a valid URL"]}),
        ({"order_url": "http://www.abc def.com"}, {"order_url": ["is not a valid URL"]}),
    ],
)
def test_offer_fields_are_checked(make, fields, error):
    service = make.service()
    data = OfferData(**{"name": "N", "description": "D", "order_type": OrderType.OTHER, **fields})

    with pytest.raises(Invalid) as raised:
        rules.check_offer(make.session, service, data)

    assert raised.value.errors == error


@pytest.mark.parametrize(
    "order_url", ["http://testvalid.com", "https://www.abcdef.com/order?plan=a", ""]
)
def test_order_url_rule_takes_what_upstream_takes(make, order_url):
    service = make.service(order_type=OrderType.OTHER)
    data = OfferData(name="N", description="D", order_type=OrderType.OTHER, order_url=order_url)

    assert rules.check_offer(make.session, service, data).order_url == order_url


def test_tags_are_trimmed_and_deduplicated(make):
    offer = make.offer(tags=[" gpu", "gpu ", "", "hpc"])

    assert offer.tags == ["gpu", "hpc"]


def test_service_slugs_stay_unique_and_categories_are_shared(make):
    first = make.service(name="Notebook", categories=["Compute", "Analytics"])
    second = make.service(name="Notebook", categories=["Compute"])

    assert (first.slug, second.slug) == ("notebook", "notebook-2")
    compute = [c.id for c in first.categories if c.name == "Compute"]
    assert [c.id for c in second.categories] == compute
