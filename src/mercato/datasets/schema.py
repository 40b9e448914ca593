"""The data set format, version 1: one JSON object with a list per kind of record.

Records name each other by ``ref``, a name that only has to be unique among the
records of its kind in the same file. The JSON Schema of ``docs/dataset.schema.json``
is generated from these models, so the file and the loader can never disagree.
"""

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from mercato.catalogue.models import (
    BundleStatus,
    OfferCategory,
    OfferStatus,
    OmsType,
    OrderType,
    ServiceStatus,
    TriggerMethod,
)
from mercato.commerce.models import ContractState, PaymentStatus, PricingModel
from mercato.ordering.models import AuthorRole, CustomerTypology, MessageScope, StatusType
from mercato.store.models import AssetKind, NotificationTarget

FORMAT = "mercato-dataset"
VERSION = 1

Ref = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Text = Annotated[str, StringConstraints(max_length=255)]
Id = Annotated[int, Field(ge=1)]


class Record(BaseModel):
    # A misspelt field is an error, not a silently ignored key.
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


class Token(Record):
    """An API token to keep working as it is: stored hashed, like every token."""

    token: Annotated[str, StringConstraints(min_length=16, max_length=255)]
    label: Text = ""


class CurrencyRecord(Record):
    """A currency prices may be given in; the one of the same code (any case) is updated."""

    code: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    name: Text = ""
    minor_unit: Annotated[int, Field(ge=0, le=6)] = Field(
        2, description="Digits after the decimal point: 2 for EUR, 0 for JPY."
    )
    is_default: bool = Field(False, description="The store's default; the first one anyway.")


class UnitRecord(Record):
    """A price unit; the one of the same name is updated."""

    name: Text
    model: PricingModel
    renewal_days: Annotated[int, Field(ge=1)] | None = Field(
        None, description="Days a period lasts; subscriptions only, and required there."
    )


class TaxRateRecord(Record):
    """The tax rate of buyers in a country; the country's rate is updated."""

    country: Annotated[str, StringConstraints(min_length=2, max_length=2)] = Field(
        description="ISO 3166-1 alpha-2."
    )
    rate: Decimal = Field(description="Percent of the duty-free amount, from 0 to 100.")
    label: Annotated[str, StringConstraints(max_length=64)] = "VAT"


class UserRecord(Record):
    ref: Ref
    uid: Text | None = Field(None, description="The user's identity; a new one when left out.")
    email: Text
    first_name: Text = ""
    last_name: Text = ""
    is_admin: bool = False
    password: str | None = Field(None, description="Plain text; stored hashed. Never dumped.")
    tokens: list[Token] = Field(default_factory=list, description="Never dumped.")


class Administrator(Record):
    email: Text
    first_name: Text = ""
    last_name: Text = ""


class ProviderRecord(Record):
    ref: Ref
    name: Text
    slug: Text | None = Field(None, description="Made from the name when left out.")
    abbreviation: Annotated[str, StringConstraints(max_length=64)] = ""
    description: str = ""
    website: str = ""
    administrators: list[Administrator] = Field(
        default_factory=list, description="Data administrators, matched to users by e-mail."
    )
    notification_url: str = Field(
        "", description="Where the store notifies of acquisitions of offerings that say 'default'."
    )
    notification_signing_secret: str = Field(
        "", description="The Standard Webhooks secret (whsec_...) that signs its notifications."
    )


class ServiceRecord(Record):
    ref: Ref
    id: Id | None = Field(
        None,
        description="The numeric id the Offering API's paths accept beside the slug and PID, "
        "which clients may have stored; the next free one when left out.",
    )
    provider: Ref
    name: Text
    slug: Text | None = Field(None, description="Made from the name when left out.")
    pid: Text | None = None
    tagline: Text = ""
    description: str = ""
    webpage: str = ""
    status: ServiceStatus = ServiceStatus.PUBLISHED
    order_type: OrderType
    categories: list[Text] = Field(default_factory=list)
    scientific_domains: list[Text] = Field(default_factory=list)


class CustomParam(Record):
    mandatory: bool
    default: str | None = None


class Trigger(Record):
    url: str
    method: TriggerMethod = TriggerMethod.POST
    user: Text = ""
    password: Text = ""
    signing_secret: str = Field(
        "", description="The Standard Webhooks secret (whsec_...) that signs its calls."
    )


class OmsRecord(Record):
    ref: Ref
    id: Id | None = Field(
        None, description="The id in the Ordering API's paths; the next free one when left out."
    )
    name: Text
    type: OmsType
    is_default: bool = False
    custom_params: dict[str, CustomParam] = Field(default_factory=dict)
    administrators: list[Ref] = Field(default_factory=list, description="Users.")
    providers: list[Ref] = Field(default_factory=list, description="For provider_group OMSes.")
    service: Ref | None = Field(None, description="For resource_dedicated OMSes.")
    trigger: Trigger | None = None


class OfferRecord(Record):
    ref: Ref
    service: Ref
    iid: Id | None = Field(None, description="The next free one of the service when left out.")
    name: Text
    description: str
    status: OfferStatus = OfferStatus.PUBLISHED
    order_type: OrderType
    internal: bool = False
    order_url: str = ""
    primary_oms: Ref | None = None
    oms_params: dict[str, Any] = Field(default_factory=dict)
    offer_category: OfferCategory | None = None
    parameters: list[dict[str, Any]] = Field(
        default_factory=list, description="In the EOSC Offering API's write shape."
    )
    tags: list[Text] = Field(default_factory=list)
    bundle_exclusive: bool = False


class BundleRecord(Record):
    """Offers ordered together, fronted by a main offer of the bundle's service."""

    ref: Ref
    id: Id | None = Field(
        None, description="The next free id when left out; the Offering API shows it."
    )
    service: Ref
    iid: Id | None = Field(None, description="The next free one of the service when left out.")
    name: Text
    description: str
    order_type: OrderType
    status: BundleStatus = BundleStatus.PUBLISHED
    main_offer: Ref = Field(description="An offer of the bundle's service.")
    offers: list[Ref] = Field(description="Offers of any service, in order; not the main offer.")
    categories: list[Text] = Field(default_factory=list)
    scientific_domains: list[Text] = Field(default_factory=list)
    bundle_goals: list[Text] = Field(default_factory=list)
    capabilities_of_goals: list[Text] = Field(default_factory=list)
    target_users: list[Text] = Field(default_factory=list)
    marketplace_locations: list[Text] = Field(default_factory=list)
    helpdesk_url: str = ""
    contact_email: Text = ""
    related_training: bool = False
    related_training_url: str = ""


class ProjectRecord(Record):
    ref: Ref
    id: Id | None = Field(None, description="The next free id when left out.")
    owner: Ref
    name: Text
    customer_typology: CustomerTypology = CustomerTypology.SINGLE_USER
    organization: Text = ""
    department: Text = ""
    department_webpage: str = ""
    country: Text = ""
    collaboration_countries: list[Text] = Field(default_factory=list)
    scientific_domains: list[Text] = Field(default_factory=list)
    user_group_name: Text = ""
    created_at: AwareDatetime | None = None


class Status(Record):
    type: StatusType
    value: Text


class StatusStep(Status):
    author: Ref | None = Field(None, description="A user; none for changes made by an OMS.")
    at: AwareDatetime


class OrderRecord(Record):
    ref: Ref
    project: Ref
    iid: Id | None = Field(None, description="The next free one of the project when left out.")
    offer: Ref
    order_type: OrderType | None = Field(
        None, description="The offer's when left out; kept when the offer's has changed since."
    )
    status: Status | None = Field(None, description="As a new order starts when left out.")
    history: list[StatusStep] = Field(
        default_factory=list, description="Oldest first; ends with the status when given."
    )
    offer_properties: list[dict[str, Any]] = Field(
        default_factory=list, description="The offer's parameters with the customer's values."
    )
    user_secrets: dict[str, str] = Field(default_factory=dict)
    request_voucher: bool = False
    voucher_id: Text = ""
    created_at: AwareDatetime | None = None


class Signature(Record):
    """The author block an OMS sent, for authors without an account here."""

    uid: Text = ""
    email: Text = ""
    name: Text = ""


class MessageRecord(Record):
    id: Id | None = Field(None, description="The next free id when left out.")
    project: Ref | None = Field(None, description="The project; or give the order.")
    order: Ref | None = None
    scope: MessageScope = MessageScope.PUBLIC
    author_role: AuthorRole
    author: Ref | None = Field(None, description="A user.")
    signature: Signature | None = None
    content: str
    is_edited: bool = False
    created_at: AwareDatetime | None = None


class AssetRecord(Record):
    """A store asset: a file shipped beside the data set, or a link."""

    ref: Ref
    provider: Ref
    name: Text
    version: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    description: str = ""
    content_type: Text
    is_open: bool = False
    is_deleted: bool = False
    kind: AssetKind | None = Field(
        None, description="Downloadable for a file, API for a link when left out."
    )
    file: str | None = Field(None, description="A path relative to the data set file.")
    link: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)


class Legal(Record):
    title: Text
    text: str


class Reply(Record):
    author: Ref
    title: Annotated[str, StringConstraints(max_length=60)]
    text: str = ""
    at: AwareDatetime | None = None


class ReviewRecord(Record):
    author: Ref
    rating: Annotated[int, Field(ge=1, le=5)]
    title: Annotated[str, StringConstraints(max_length=60)]
    comment: str = ""
    created_at: AwareDatetime | None = None
    reply: Reply | None = None


class OfferingRecord(Record):
    """The store side of an offer: the offering ``{provider}/{service name}/{version}``."""

    offer: Ref
    version: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    owner: Ref | None = Field(None, description="The user who created it.")
    abstract: str = ""
    legal: Legal | None = None
    notification: NotificationTarget = NotificationTarget.NONE
    notification_url: str = ""
    price_plans: list[dict[str, Any]] = Field(default_factory=list)
    description_extra: dict[str, Any] = Field(
        default_factory=dict,
        description="Other keys of the WStore `offering_description`, as the client sent them; "
        "`base_id`, when present, is replaced by the loaded offering's id.",
    )
    description_url: str = ""
    image: str | None = Field(None, description="A path relative to the data set file.")
    screenshots: list[str] = Field(default_factory=list)
    assets: list[Ref] = Field(default_factory=list)
    reviews: list[ReviewRecord] = Field(default_factory=list)
    published_at: AwareDatetime | None = None


# --- purchases: buyers' tax addresses, contracts, invoices, contracting forms ----------

Money = Annotated[Decimal, Field(description="A decimal amount, exact (never a float).")]


class TaxAddressRecord(Record):
    """A buyer's stored tax address, reused by their next purchase."""

    user: Ref
    street: Text
    postal: Annotated[str, StringConstraints(max_length=32)]
    city: Text
    country: Annotated[str, StringConstraints(min_length=2, max_length=2)]


class ChargeRecord(Record):
    """A charge the purchase paid (store-ge.md §6.7 ``charges``)."""

    concept: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    currency: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    duty_free: Money
    tax: Money
    total: Money
    parts: list[dict[str, Any]] = Field(default_factory=list)
    charged_at: AwareDatetime


class PaymentRecord(Record):
    """A payment asked of a gateway for a charge; no card data exists to keep."""

    gateway: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    gateway_ref: Text = ""
    status: PaymentStatus
    currency: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    amount: Money
    charge: dict[str, Any] = Field(description="The charge it pays, recorded once settled.")
    created_at: AwareDatetime
    expires_at: AwareDatetime | None = None
    settled_at: AwareDatetime | None = None


class ContractRecord(Record):
    """A purchase: its order, the plan as bought (its snapshot), charges and payments.
    ``ref`` is the purchase reference that URLs name, kept as it is."""

    ref: Annotated[str, StringConstraints(pattern=r"^[0-9a-zA-Z]{1,32}$")]
    order: Ref
    customer: Ref
    state: ContractState
    plan_label: Text = ""
    plan_title: Text = ""
    components: dict[str, Any] = Field(
        default_factory=dict, description="price_components, deductions and the units' terms."
    )
    currency: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    minor_unit: Annotated[int, Field(ge=0, le=6)] = 2
    tax_rate: Money = Decimal(0)
    tax_label: Annotated[str, StringConstraints(max_length=64)] = ""
    tax_address: dict[str, str] = Field(default_factory=dict)
    renewal_dates: list[AwareDatetime] = Field(default_factory=list)
    next_renewal_at: AwareDatetime | None = None
    reminded_for: AwareDatetime | None = None
    created_at: AwareDatetime
    paid_at: AwareDatetime | None = None
    charges: list[ChargeRecord] = Field(default_factory=list)
    payments: list[PaymentRecord] = Field(default_factory=list)


class InvoiceLineRecord(Record):
    kind: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    label: Text
    unit: Text = ""
    unit_value: str = ""
    use: Money | None = None
    price: Money
    renewal_date: AwareDatetime | None = None


class InvoiceRecord(Record):
    """An invoice as issued, number and all; its PDF is rendered again from it."""

    number: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    seller: Ref
    year: Annotated[int, Field(ge=1)]
    sequence: Annotated[int, Field(ge=1)]
    buyer: Ref
    purchase: Ref = Field(description="The contract's ref.")
    concept: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    issued_at: AwareDatetime
    seller_name: Text
    buyer_organization: Text
    buyer_name: Text
    tax_street: Text
    tax_postal: Annotated[str, StringConstraints(max_length=64)]
    tax_city: Text
    tax_country: Text
    offering_organization: Text
    offering_name: Text
    offering_version: Annotated[str, StringConstraints(max_length=64)]
    resources: list[list[str]] = Field(default_factory=list)
    currency: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    minor_unit: Annotated[int, Field(ge=0, le=6)] = 2
    duty_free: Money
    tax_rate: Money
    tax: Money
    total: Money
    lines: list[InvoiceLineRecord] = Field(default_factory=list)


class ContractingFormRecord(Record):
    """A purchase started with WStore's contracting form and not made yet."""

    user: Ref
    offering: Ref = Field(description="The offering's offer.")
    redirect_uri: str
    created_at: AwareDatetime


class DataSet(Record):
    """A Mercato data set. Lists are loaded in this order; each may only name earlier kinds."""

    model_config = ConfigDict(
        extra="forbid", title="Mercato data set", json_schema_extra={"$id": "mercato-dataset-1"}
    )

    format: Literal["mercato-dataset"]
    version: Literal[1]
    currencies: list[CurrencyRecord] = Field(default_factory=list)
    units: list[UnitRecord] = Field(default_factory=list)
    tax_rates: list[TaxRateRecord] = Field(default_factory=list)
    users: list[UserRecord] = Field(default_factory=list)
    providers: list[ProviderRecord] = Field(default_factory=list)
    services: list[ServiceRecord] = Field(default_factory=list)
    omses: list[OmsRecord] = Field(default_factory=list)
    offers: list[OfferRecord] = Field(default_factory=list)
    bundles: list[BundleRecord] = Field(default_factory=list)
    projects: list[ProjectRecord] = Field(default_factory=list)
    orders: list[OrderRecord] = Field(default_factory=list)
    messages: list[MessageRecord] = Field(default_factory=list)
    assets: list[AssetRecord] = Field(default_factory=list)
    offerings: list[OfferingRecord] = Field(default_factory=list)
    tax_addresses: list[TaxAddressRecord] = Field(default_factory=list)
    contracts: list[ContractRecord] = Field(default_factory=list)
    invoices: list[InvoiceRecord] = Field(default_factory=list)
    contracting_forms: list[ContractingFormRecord] = Field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many records of each kind, in loading order."""
        return {kind: len(getattr(self, kind)) for kind in KINDS}


KINDS = (
    "currencies",
    "units",
    "tax_rates",
    "users",
    "providers",
    "services",
    "omses",
    "offers",
    "bundles",
    "projects",
    "orders",
    "messages",
    "assets",
    "offerings",
    "tax_addresses",
    "contracts",
    "invoices",
    "contracting_forms",
)


def json_schema() -> dict[str, Any]:
    return DataSet.model_json_schema()
