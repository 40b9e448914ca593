"""Demo order-management systems: the operations team's default one and two of providers."""

from mercato.demo.people import OMS_ADMIN, OPERATOR, SOFIA
from mercato.demo.specs import OmsSpec
from mercato.ordering.models import OmsType

OPERATIONS = "Mercato Operations"
NORDIC_DESK = "Nordic Cloud Service Desk"
HELIX_LIMS = "Helix Sequencing LIMS"

OMSES: tuple[OmsSpec, ...] = (
    OmsSpec(OPERATIONS, OmsType.GLOBAL, administrators=(OPERATOR,), is_default=True),
    OmsSpec(
        NORDIC_DESK,
        OmsType.PROVIDER_GROUP,
        administrators=(OMS_ADMIN,),
        # Which team's queue a ticket lands in; the desk routes by itself when unset.
        custom_params={"order_target": {"mandatory": False}},
        providers=("Nordic Research Cloud",),
    ),
    OmsSpec(
        HELIX_LIMS,
        OmsType.RESOURCE_DEDICATED,
        administrators=(SOFIA,),
        custom_params={"lims_queue": {"mandatory": True, "default": "short-read"}},
        service="Helix Sequence Analysis Platform",
    ),
)
