"""The OMS registry: registering and changing order-management systems, and their tokens.

Only site admins register OMSes (reference §2.1: there is no API for it); the
web pages, the CLI and data-set loading all call these rules, which check
everything themselves, the trigger's address against the outgoing allow-list included.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from mercato.accounts import rules as accounts
from mercato.accounts.models import Provider, User
from mercato.catalogue.models import (
    Offer,
    OfferStatus,
    Oms,
    OmsType,
    Service,
    ServiceStatus,
    TriggerMethod,
)
from mercato.errors import Conflict, Forbidden, Invalid, NotFound
from mercato.outgoing import check_url
from mercato.settings import Settings
from mercato.webhooks import new_signing_secret

_HTTP_URL = re.compile(r"^https?://[^\s/?#]+\S*$")
_TEXT_LIMIT = 255
_URL_LIMIT = 2048
# Offers named at most in the error of custom params that no longer fit them.
_OFFERS_NAMED = 10


@dataclass(frozen=True)
class OmsData:
    """Everything an admin sets on an OMS."""

    name: str
    type: OmsType
    is_default: bool = False
    custom_params: Any = field(default_factory=dict)
    administrators: list[User] = field(default_factory=list)
    # Only for provider_group OMSes; ignored for the other types.
    providers: list[Provider] = field(default_factory=list)
    # Only for resource_dedicated OMSes; ignored for the other types.
    service: Service | None = None
    trigger_url: str = ""
    trigger_method: TriggerMethod = TriggerMethod.POST
    trigger_user: str = ""
    trigger_password: str = ""


def default_oms(session: Session) -> Oms | None:
    return session.scalar(select(Oms).where(Oms.is_default))


def check_admin(user: User) -> None:
    """The OMS registry is the site admins' alone."""
    if not user.is_admin:
        raise Forbidden("Only site admins manage the OMS registry")


def require_oms(session: Session, oms_id: int) -> Oms:
    oms = session.get(Oms, oms_id)
    if oms is None:
        raise NotFound("OMS")
    return oms


def find_oms(session: Session, name_or_id: str) -> Oms:
    """An OMS by its name, or by its numeric id, as the CLI is given it."""
    oms = session.scalar(select(Oms).where(Oms.name == name_or_id.strip()))
    if oms is None and name_or_id.strip().isdigit():
        oms = session.get(Oms, int(name_or_id))
    if oms is None:
        raise NotFound("OMS")
    return oms


def list_omses(session: Session) -> list[Oms]:
    """Every OMS, the default first, with its administrators (the registry lists them)."""
    query = select(Oms).options(selectinload(Oms.administrators))
    return list(session.scalars(query.order_by(Oms.is_default.desc(), Oms.name)))


def check_custom_params(custom_params: Any) -> dict[str, dict[str, Any]]:
    """Custom params are ``{"mandatory": false}`` or ``{"mandatory": true, "default": "..."}``."""
    if not isinstance(custom_params, dict):
        raise Invalid.field("custom_params", "must be an object")
    for name, spec in custom_params.items():
        valid = spec == {"mandatory": False} or (
            isinstance(spec, dict)
            and spec.keys() == {"mandatory", "default"}
            and spec["mandatory"] is True
            and isinstance(spec["default"], str)
        )
        if not valid:
            raise Invalid.field(
                "custom_params",
                f"'{name}' must be {{\"mandatory\": false}} "
                'or {"mandatory": true, "default": "<string>"}',
            )
    return custom_params


def oms_params_problem(custom_params: dict[str, Any], oms_params: dict[str, Any]) -> str | None:
    """What is wrong with an offer's ``oms_params`` for its OMS's ``custom_params``, if anything."""
    if not custom_params:
        return "must be blank if primary OMS' custom params are blank" if oms_params else None
    mandatory = {name for name, spec in custom_params.items() if spec.get("mandatory")}
    if mandatory and not oms_params:
        return "can't be blank"
    if set(oms_params) - set(custom_params):
        return "additional unspecified keys added"
    if mandatory - set(oms_params):
        return "missing mandatory keys"
    if any(not isinstance(value, str) for value in oms_params.values()):
        return "values must be strings"
    return None


def _name_problems(session: Session, name: str, oms: Oms | None) -> dict[str, str]:
    if not name:
        return {"name": "can't be blank"}
    if len(name) > _TEXT_LIMIT:
        return {"name": f"is too long ({_TEXT_LIMIT} characters at most)"}
    taken = session.scalar(select(Oms.id).where(Oms.name == name))
    if taken is not None and (oms is None or taken != oms.id):
        return {"name": "is already taken"}
    return {}


def _default_problems(session: Session, is_default: bool, oms: Oms | None) -> dict[str, str]:
    current = default_oms(session) if is_default else None
    if current is not None and current is not oms:
        return {"default": f"“{current.name}” is already the default OMS"}
    return {}


def _scope_problems(data: OmsData) -> dict[str, str]:
    if data.type == OmsType.PROVIDER_GROUP and not data.providers:
        return {"providers": "a provider_group OMS needs at least one provider"}
    if data.type == OmsType.RESOURCE_DEDICATED and data.service is None:
        return {"service": "a resource_dedicated OMS needs a service"}
    return {}


def _trigger_problems(data: OmsData) -> dict[str, str]:
    problems: dict[str, str] = {}
    url = data.trigger_url
    if url and (len(url) > _URL_LIMIT or not _HTTP_URL.match(url)):
        problems["trigger_url"] = "must be an http:// or https:// address"
    if (data.trigger_user or data.trigger_password) and not url:
        problems["trigger_url"] = "is needed for the trigger's credentials"
    if data.trigger_password and not data.trigger_user:
        problems["trigger_user"] = "is needed with a password (Basic authorization)"
    if ":" in data.trigger_user:
        problems["trigger_user"] = "can't contain a colon (Basic authorization)"
    for key in ("trigger_user", "trigger_password"):
        if len(getattr(data, key)) > _TEXT_LIMIT:
            problems[key] = f"is too long ({_TEXT_LIMIT} characters at most)"
    return problems


def _trigger_address_problems(settings: Settings, data: OmsData, oms: Oms | None) -> dict[str, str]:
    """A new or changed trigger URL must call an address the allow-list lets triggers call.

    An unchanged one is not looked up again: it passed when it was saved, and every
    call checks it anew (``ordering.triggers``), so a name that does not resolve for
    the moment does not block changes to the OMS's other fields.
    """
    if not data.trigger_url or (oms is not None and data.trigger_url == oms.trigger_url):
        return {}
    try:
        check_url(settings, data.trigger_url, "trigger_url")
    except Invalid as error:
        return error.details
    return {}


def _custom_params_problems(custom_params: Any) -> dict[str, str]:
    try:
        check_custom_params(custom_params)
    except Invalid as error:
        return error.details
    return {}


def _offers_using(session: Session, data: OmsData, oms: Oms | None) -> list[Offer]:
    """The offers whose OMS's custom params change once ``data`` is saved.

    Offers handled in Mercato (``internal``) use their primary OMS or, without one,
    the default OMS: the OMS's own offers when its custom params change, and those
    without a primary OMS when it becomes or stops being the default one, or when
    it is the default and its custom params change. Deleted offers never change again.
    """
    was_default = oms is not None and oms.is_default
    params_change = oms is not None and data.custom_params != oms.custom_params
    uses = []
    if oms is not None and params_change:
        uses.append(Offer.primary_oms_id == oms.id)
    if data.is_default != was_default or (data.is_default and params_change):
        uses.append(Offer.primary_oms_id.is_(None))
    if not uses:
        return []
    query = (
        select(Offer)
        .where(Offer.internal, Offer.status != OfferStatus.DELETED, or_(*uses))
        .options(selectinload(Offer.service))
        .order_by(Offer.id)
    )
    return list(session.scalars(query))


def _offers_problems(session: Session, data: OmsData, oms: Oms | None) -> dict[str, str]:
    """Changed custom params must still fit the ``oms_params`` of the offers that use them.

    The offer rules check ``oms_params`` against the offer's OMS whenever an offer
    is saved, so a change here that broke them would leave offers that fail their
    next edit (and orders an OMS cannot route); it is refused instead, naming them.
    """
    problems = []
    for offer in _offers_using(session, data, oms):
        # Without a primary OMS, an offer has this one's params only while it is the default.
        uses_this_oms = offer.primary_oms_id is not None or data.is_default
        problem = oms_params_problem(data.custom_params if uses_this_oms else {}, offer.oms_params)
        if problem is not None:
            problems.append(f"{offer.service.slug}/{offer.iid} “{offer.name}” ({problem})")
    if not problems:
        return {}
    named = ", ".join(problems[:_OFFERS_NAMED])
    if len(problems) > _OFFERS_NAMED:
        named += f" and {len(problems) - _OFFERS_NAMED} more"
    offers = "offer" if len(problems) == 1 else "offers"
    return {"custom_params": f"don't fit the oms_params of {offers} {named}"}


def check_oms(session: Session, settings: Settings, data: OmsData, oms: Oms | None = None) -> None:
    """Raise Invalid naming every field of ``data`` that breaks a rule, all at once.

    ``settings`` holds the outgoing allow-list that the trigger URL must pass.
    """
    data = _cleaned(data)
    trigger_problems = _trigger_problems(data)
    if "trigger_url" not in trigger_problems:
        trigger_problems.update(_trigger_address_problems(settings, data, oms))
    custom_params_problems = _custom_params_problems(data.custom_params)
    if not custom_params_problems:
        custom_params_problems = _offers_problems(session, data, oms)
    problems = {
        **trigger_problems,
        **custom_params_problems,
        **_scope_problems(data),
        **_default_problems(session, data.is_default, oms),
        **_name_problems(session, data.name, oms),
    }
    if problems:
        raise Invalid({key: [message] for key, message in problems.items()}, problems)


def _apply(oms: Oms, data: OmsData) -> None:
    oms.name = data.name
    oms.type = data.type
    oms.is_default = data.is_default
    oms.custom_params = dict(data.custom_params)
    oms.administrators = list(dict.fromkeys(data.administrators))
    is_group = data.type == OmsType.PROVIDER_GROUP
    oms.providers = list(dict.fromkeys(data.providers)) if is_group else []
    oms.service = data.service if data.type == OmsType.RESOURCE_DEDICATED else None
    oms.trigger_url = data.trigger_url
    oms.trigger_method = data.trigger_method
    oms.trigger_user = data.trigger_user if data.trigger_url else ""
    oms.trigger_password = data.trigger_password if data.trigger_url else ""


def _cleaned(data: OmsData) -> OmsData:
    return OmsData(
        **{
            **{f.name: getattr(data, f.name) for f in fields(data)},
            "name": data.name.strip(),
            "trigger_url": data.trigger_url.strip(),
            "trigger_user": data.trigger_user.strip(),
        }
    )


def create_oms(session: Session, settings: Settings, **values: Any) -> Oms:
    """Register an OMS; ``values`` are the fields of OmsData."""
    return register_oms(session, settings, OmsData(**values))


def register_oms(
    session: Session, settings: Settings, data: OmsData, *, oms_id: int | None = None
) -> Oms:
    """Register an OMS; a data set may keep the id its adapter has in its API paths."""
    data = _cleaned(data)
    check_oms(session, settings, data)
    if oms_id is not None and session.get(Oms, oms_id) is not None:
        raise Conflict.field("id", "is already taken")
    oms = Oms(id=oms_id)
    _apply(oms, data)
    session.add(oms)
    session.flush()
    return oms


def update_oms(session: Session, settings: Settings, oms: Oms, data: OmsData) -> Oms:
    """Replace every field of an OMS with ``data``; nothing changes when a field is wrong."""
    data = _cleaned(data)
    check_oms(session, settings, data, oms)
    _apply(oms, data)
    session.flush()
    return oms


def oms_data(oms: Oms) -> OmsData:
    """An OMS's fields as they stand, to change some of them with dataclasses.replace."""
    return OmsData(
        name=oms.name,
        type=oms.type,
        is_default=oms.is_default,
        custom_params=dict(oms.custom_params),
        administrators=list(oms.administrators),
        providers=list(oms.providers),
        service=oms.service,
        trigger_url=oms.trigger_url,
        trigger_method=oms.trigger_method,
        trigger_user=oms.trigger_user,
        trigger_password=oms.trigger_password,
    )


def users_by_email(session: Session, emails: list[str]) -> list[User]:
    """The accounts of the given e-mails; an OMS administrator needs an account for a token."""
    wanted = [accounts.normalise_email(email) for email in emails if email.strip()]
    found = {u.email: u for u in session.scalars(select(User).where(User.email.in_(wanted)))}
    missing = [email for email in wanted if email not in found]
    if missing:
        raise Invalid.field("administrators", f"no account for {', '.join(missing)}")
    return [found[email] for email in dict.fromkeys(wanted)]


def providers_by_slug(session: Session, slugs: list[str]) -> list[Provider]:
    wanted = [slug.strip() for slug in slugs if slug.strip()]
    found = {p.slug: p for p in session.scalars(select(Provider).where(Provider.slug.in_(wanted)))}
    missing = [slug for slug in wanted if slug not in found]
    if missing:
        raise Invalid.field("providers", f"no provider {', '.join(missing)}")
    return [found[slug] for slug in dict.fromkeys(wanted)]


def service_by_slug(session: Session, slug: str) -> Service | None:
    """The service a resource_dedicated OMS is for; an empty slug names none."""
    if not slug.strip():
        return None
    service = session.scalar(
        select(Service).where(Service.slug == slug.strip(), Service.status != ServiceStatus.DELETED)
    )
    if service is None:
        raise Invalid.field("service", f"no service {slug.strip()}")
    return service


def require_administrator(session: Session, oms: Oms, user_id: int) -> User:
    """One of the OMS's administrators; anyone else is not found."""
    administrator = session.get(User, user_id)
    if administrator is None or administrator not in oms.administrators:
        raise NotFound("Administrator")
    return administrator


def regenerate_administrator_token(session: Session, oms: Oms, administrator: User) -> str:
    """Revoke the administrator's tokens and issue one new one; the plain text is shown once."""
    if administrator not in oms.administrators:
        raise NotFound("Administrator")
    _, plain = accounts.regenerate_token(session, administrator)
    return plain


def rotate_signing_secret(session: Session, oms: Oms) -> str:
    """Give the OMS a new secret that signs its triggers from now on; shown once.

    The old secret signs nothing more: deliveries not yet sent are signed with
    the new one.
    """
    oms.signing_secret = new_signing_secret()
    session.flush()
    return oms.signing_secret


def remove_signing_secret(session: Session, oms: Oms) -> None:
    """Send the OMS's triggers unsigned again."""
    if not oms.signing_secret:
        raise Invalid.field("signing_secret", "is not set")
    oms.signing_secret = ""
    session.flush()


# --- which OMS handles an offer ------------------------------------------------------


def _is_available(oms: Oms, service: Service) -> bool:
    if oms.is_default or oms.service_id == service.id or oms.type == OmsType.GLOBAL:
        return True
    return any(provider.id == service.provider_id for provider in oms.providers)


def _availability_rank(oms: Oms, service: Service) -> tuple[int, int]:
    if oms.is_default:
        return (0, oms.id)
    if oms.service_id == service.id:
        return (1, oms.id)
    return (2, oms.id) if oms.type == OmsType.GLOBAL else (3, oms.id)


def available_omses_by_service(
    session: Session, services: Sequence[Service]
) -> dict[int, list[Oms]]:
    """The OMSes an offer of each service may use, in the EOSC Marketplace's order.

    The default OMS first, then OMSes dedicated to the service, global ones, and
    provider-group ones that list the service's provider; each once. A
    marketplace has a handful of OMSes, so they are read once for all services.
    """
    omses = session.scalars(select(Oms).options(selectinload(Oms.providers))).all()
    return {
        service.id: sorted(
            (oms for oms in omses if _is_available(oms, service)),
            key=lambda oms, service=service: _availability_rank(oms, service),
        )
        for service in services
    }


def available_omses(session: Session, service: Service) -> list[Oms]:
    return available_omses_by_service(session, [service])[service.id]
