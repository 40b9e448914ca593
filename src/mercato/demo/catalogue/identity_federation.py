"""Research Identity Federation: login, identifiers, groups and secrets for research services."""

from mercato.catalogue.models import OfferCategory, OrderType
from mercato.demo.parameters import attribute, input_field, integer_range, quantity_price, select
from mercato.demo.people import JAN
from mercato.demo.specs import OfferSpec, ProviderSpec, ServiceSpec

_WEB = "https://example.org/research-identity"

_LOGIN = ServiceSpec(
    name="Research Login",
    tagline="One login for research services, from any institution",
    description=(
        "An AAI proxy that connects services to eduGAIN identity providers, ORCID and "
        "social logins, and releases harmonised attributes and assurance levels."
    ),
    webpage=f"{_WEB}/login",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Security",),
    scientific_domains=("Engineering & Technology", "Social Sciences", "Life Sciences"),
    pid="rif.research_login",
    offers=(
        OfferSpec(
            name="Service registration",
            description="Connect a production service to the federation.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.OTHER,
            internal=True,
            tags=("aai", "oidc"),
            parameters=(
                select("protocol", "Protocol", ["OpenID Connect", "SAML 2.0"], mode="buttons"),
                input_field("redirect_uri", "Redirect URI"),
            ),
        ),
        OfferSpec(
            name="Test federation",
            description="Try the integration against test identity providers.",
            order_type=OrderType.OPEN_ACCESS,
            category=OfferCategory.OTHER,
            order_url=f"{_WEB}/login/test",
        ),
    ),
)

_PIDS = ServiceSpec(
    name="Persistent Identifier Service",
    tagline="Handles and DOIs that outlive your web server",
    description=(
        "Mint and manage Handle PIDs through a REST API, or DOIs through our DataCite "
        "membership, with metadata kept up to date by your repository."
    ),
    webpage=f"{_WEB}/pid",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Data",),
    scientific_domains=("Humanities", "Social Sciences", "Physical Sciences"),
    pid="rif.pid_service",
    offers=(
        OfferSpec(
            name="Handle prefix",
            description="A prefix of your own, priced per thousand identifiers.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.OTHER,
            internal=True,
            parameters=(
                attribute("format", "Prefix format", "21.T12345"),
                quantity_price(
                    "pids", "Thousands of PIDs", start_price=100, step_price=5, max_quantity=10000
                ),
            ),
        ),
        OfferSpec(
            name="DOI minting",
            description="DOIs under our DataCite account for repositories without one.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.OTHER,
            order_url=f"{_WEB}/pid/doi",
        ),
    ),
)

_GROUPS = ServiceSpec(
    name="Virtual Organisation Management",
    tagline="Manage groups and roles across research services",
    description=(
        "Create a virtual organisation, invite members from any institution, and let "
        "services authorise by group and role; membership expires on schedule."
    ),
    webpage=f"{_WEB}/groups",
    order_type=OrderType.OPEN_ACCESS,
    categories=("Security",),
    scientific_domains=("Physical Sciences", "Humanities"),
    offers=(
        OfferSpec(
            name="Community group",
            description="A group with up to 50 members, created on the spot.",
            order_type=OrderType.OPEN_ACCESS,
            category=OfferCategory.OTHER,
            order_url=f"{_WEB}/groups/new",
        ),
        OfferSpec(
            name="Sponsored virtual organisation",
            description="A large virtual organisation with sub-groups and sponsor approval.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.OTHER,
            internal=True,
            parameters=(
                input_field("name", "Name of the virtual organisation"),
                integer_range("members", "Expected members", 50, 5000, unit="people"),
            ),
        ),
    ),
)

_SECRETS = ServiceSpec(
    name="Research Secrets Vault",
    tagline="Keep API keys and certificates out of your code",
    description=(
        "A managed HashiCorp Vault with login through Research Login, audit logs and "
        "dynamic credentials for databases and object storage."
    ),
    webpage=f"{_WEB}/vault",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Security",),
    scientific_domains=("Engineering & Technology",),
    offers=(
        OfferSpec(
            name="Team vault",
            description="A vault namespace for one research team.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.OTHER,
            internal=True,
            parameters=(input_field("team", "Team name"),),
        ),
        OfferSpec(
            name="HSM-backed vault",
            description="Keys held in a hardware security module, for signing services.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.OTHER,
            internal=True,
            is_draft=True,
        ),
    ),
)

PROVIDER = ProviderSpec(
    name="Research Identity Federation",
    abbreviation="RIF",
    website=_WEB,
    description=(
        "A not-for-profit federation operating identity, authorisation and persistent "
        "identifier services for research infrastructures."
    ),
    administrators=(JAN,),
    services=(_LOGIN, _PIDS, _GROUPS, _SECRETS),
)
