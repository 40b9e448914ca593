"""The OMS registry's form: what the page shows, and reading what an admin submitted."""

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from starlette.datastructures import FormData

from mercato.accounts.models import Provider
from mercato.catalogue.models import Oms, OmsType, Service, ServiceStatus, TriggerMethod
from mercato.catalogue.omses import (
    OmsData,
    check_oms,
    providers_by_slug,
    service_by_slug,
    users_by_email,
)
from mercato.errors import Invalid
from mercato.settings import Settings

TYPE_NAMES = {
    OmsType.GLOBAL: "Global (any service)",
    OmsType.PROVIDER_GROUP: "Provider group (the services of some providers)",
    OmsType.RESOURCE_DEDICATED: "Resource dedicated (one service)",
}
METHOD_NAMES = {method: method.value.upper() for method in TriggerMethod}
# Where each field's message shows; the rules say "default", the form's checkbox too.
FIELD_LABELS = {
    "name": "Name",
    "type": "Type",
    "default": "Default OMS",
    "custom_params": "Custom parameters",
    "administrators": "Administrators",
    "providers": "Providers",
    "service": "Service",
    "trigger_url": "Trigger URL",
    "trigger_method": "Trigger method",
    "trigger_user": "Trigger user",
    "trigger_password": "Trigger password",
}


@dataclass(frozen=True)
class OmsForm:
    """The form's inputs as text, so a refused form shows exactly what was typed."""

    name: str = ""
    type: str = OmsType.GLOBAL.value
    default: bool = False
    custom_params: str = "{}"
    administrators: str = ""
    providers: list[str] = field(default_factory=list)
    service: str = ""
    trigger_url: str = ""
    trigger_method: str = TriggerMethod.POST.value
    trigger_user: str = ""
    # Never shown back: an empty password on an edit keeps the stored one.
    trigger_password: str = ""


def oms_form(oms: Oms) -> OmsForm:
    return OmsForm(
        name=oms.name,
        type=oms.type.value,
        default=oms.is_default,
        custom_params=json.dumps(oms.custom_params, indent=2),
        administrators="\n".join(user.email for user in oms.administrators),
        providers=[provider.slug for provider in oms.providers],
        service=oms.service.slug if oms.service is not None else "",
        trigger_url=oms.trigger_url,
        trigger_method=oms.trigger_method.value,
        trigger_user=oms.trigger_user,
    )


def submitted_form(submitted: FormData) -> OmsForm:
    def text(name: str) -> str:
        return str(submitted.get(name, ""))

    return OmsForm(
        name=text("name"),
        type=text("type"),
        default="default" in submitted,
        custom_params=text("custom_params"),
        administrators=text("administrators"),
        providers=[str(slug) for slug in submitted.getlist("providers")],
        service=text("service"),
        trigger_url=text("trigger_url"),
        trigger_method=text("trigger_method"),
        trigger_user=text("trigger_user"),
        trigger_password=text("trigger_password"),
    )


def _choice(enum_type: type[OmsType] | type[TriggerMethod], value: str, key: str) -> Any:
    try:
        return enum_type(value)
    except ValueError:
        raise Invalid.field(key, f"must be one of: {', '.join(enum_type)}") from None


def _custom_params(text: str) -> Any:
    try:
        return json.loads(text or "{}")
    except json.JSONDecodeError:
        raise Invalid.field("custom_params", "is not valid JSON") from None


def _read(
    session: Session, settings: Settings, form: OmsForm, oms: Oms | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Each field's value, and a message for each field that could not be read."""
    readers = {
        "type": lambda: _choice(OmsType, form.type, "type"),
        "trigger_method": lambda: _choice(TriggerMethod, form.trigger_method, "trigger_method"),
        "custom_params": lambda: _custom_params(form.custom_params),
        "administrators": lambda: users_by_email(session, form.administrators.split()),
        "providers": lambda: providers_by_slug(session, form.providers),
        "service": lambda: service_by_slug(session, form.service),
    }
    values: dict[str, Any] = {}
    unreadable: dict[str, str] = {}
    for key, read in readers.items():
        try:
            values[key] = read()
        except Invalid as error:
            unreadable.update(error.details)
    keep_password = oms is not None and not form.trigger_password and form.trigger_user
    values["trigger_password"] = oms.trigger_password if keep_password else form.trigger_password
    return values, unreadable


def oms_data(
    session: Session, settings: Settings, form: OmsForm, oms: Oms | None = None
) -> OmsData:
    """What the form says, or Invalid naming every field that is wrong."""
    values, unreadable = _read(session, settings, form, oms)
    data = OmsData(
        name=form.name,
        type=values.get("type", OmsType.GLOBAL),
        is_default=form.default,
        custom_params=values.get("custom_params", {}),
        administrators=values.get("administrators", []),
        providers=values.get("providers", []),
        service=values.get("service"),
        trigger_url=form.trigger_url,
        trigger_method=values.get("trigger_method", TriggerMethod.POST),
        trigger_user=form.trigger_user,
        trigger_password=values["trigger_password"],
    )
    if not unreadable:
        return data
    try:
        check_oms(session, settings, data, oms)
    except Invalid as error:
        unreadable = {**error.details, **unreadable}
    raise Invalid({key: [message] for key, message in unreadable.items()}, unreadable)


def provider_choices(session: Session) -> list[tuple[str, str]]:
    return [(p.slug, p.name) for p in session.scalars(select(Provider).order_by(Provider.name))]


def service_choices(session: Session) -> list[tuple[str, str]]:
    query = (
        select(Service)
        .where(Service.status != ServiceStatus.DELETED)
        .options(joinedload(Service.provider))
        .order_by(Service.name)
    )
    return [(s.slug, f"{s.name} ({s.provider.name})") for s in session.scalars(query)]
