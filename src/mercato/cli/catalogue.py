"""Services and the OMS registry."""

import json
from dataclasses import replace
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from mercato.accounts import rules as accounts
from mercato.catalogue import omses as registry
from mercato.catalogue import rules as catalogue
from mercato.catalogue.models import Oms, OmsType, OrderType, ServiceStatus, TriggerMethod
from mercato.cli.common import (
    console,
    print_uncut,
    unit_of_work,
)
from mercato.errors import Invalid
from mercato.settings import Settings

service_app = typer.Typer(help="Manage the catalogue's services.", no_args_is_help=True)
oms_app = typer.Typer(help="Manage the OMS registry.", no_args_is_help=True)


@service_app.command("create")
def service_create(
    provider: Annotated[str, typer.Option(help="Slug of the provider that offers it.")],
    name: Annotated[str, typer.Option(help="The service's name.")],
    description: Annotated[str, typer.Option(help="What the service does.")],
    order_type: Annotated[OrderType, typer.Option(help="How it is ordered.")],
    pid: Annotated[str | None, typer.Option(help="Persistent identifier (EOSC eid).")] = None,
    category: Annotated[list[str] | None, typer.Option(help="A category (repeatable).")] = None,
    draft: Annotated[bool, typer.Option(help="Keep it out of the catalogue for now.")] = False,
) -> None:
    """Add a service to a provider's catalogue."""
    with unit_of_work() as session:
        service = catalogue.create_service(
            session,
            provider=accounts.require_provider(session, provider),
            name=name,
            description=description,
            order_type=order_type,
            pid=pid,
            categories=category or [],
            status=ServiceStatus.DRAFT if draft else ServiceStatus.PUBLISHED,
        )
    console.print(f"Created service {service.name} ({service.slug}).")


OmsName = Annotated[str, typer.Argument(help="The OMS's name or id.")]
OmsAdmins = Annotated[
    list[str] | None,
    typer.Option("--admin", help="E-mail of an administrator (repeatable; replaces the list)."),
]
OmsProviders = Annotated[
    list[str] | None,
    typer.Option("--provider", help="Slug of a provider, for provider_group (repeatable)."),
]
OmsService = Annotated[
    str | None, typer.Option(help="Slug of the service, for resource_dedicated.")
]
OmsCustomParams = Annotated[
    str | None,
    typer.Option(help='JSON, e.g. \'{"queue": {"mandatory": true, "default": "short"}}\'.'),
]
TriggerUrl = Annotated[str | None, typer.Option(help="Trigger URL; empty for none.")]
TriggerMethodOption = Annotated[TriggerMethod | None, typer.Option(help="Trigger method.")]
TriggerUser = Annotated[str | None, typer.Option(help="User for Basic authorization.")]
TriggerPassword = Annotated[str | None, typer.Option(help="Password for Basic authorization.")]


def _custom_params(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise Invalid.field("custom_params", "is not valid JSON") from None


def _oms_changes(session: Session, given: dict[str, Any]) -> dict[str, Any]:
    """The OmsData fields that the options given on the command line set."""
    readers = {
        "custom_params": _custom_params,
        "administrators": lambda emails: registry.users_by_email(session, emails),
        "providers": lambda slugs: registry.providers_by_slug(session, slugs),
        "service": lambda slug: registry.service_by_slug(session, slug),
    }
    return {
        key: readers[key](value) if key in readers else value
        for key, value in given.items()
        if value is not None
    }


def _print_oms(oms: Oms) -> None:
    trigger = f"{oms.trigger_method.value.upper()} {oms.trigger_url}" if oms.has_trigger else "none"
    if oms.trigger_user:
        trigger += f" (Basic authorization as {oms.trigger_user})"
    lines = [
        ("Id", str(oms.id)),
        ("Name", oms.name),
        ("Type", oms.type.value),
        ("Default", "yes" if oms.is_default else "no"),
        ("Custom params", json.dumps(oms.custom_params)),
        ("Administrators", ", ".join(user.email for user in oms.administrators) or "none"),
        ("Providers", ", ".join(provider.slug for provider in oms.providers) or "none"),
        ("Service", oms.service.slug if oms.service is not None else "none"),
        ("Trigger", trigger),
        ("Signed", "yes" if oms.signs_triggers else "no"),
    ]
    for label, value in lines:
        console.print(f"{label + ':':<16}{escape(value)}", highlight=False, soft_wrap=True)


@oms_app.command("create")
def oms_create(
    name: Annotated[str, typer.Option(help="A unique name.")],
    oms_type: Annotated[OmsType, typer.Option("--type", help="Which services it may serve.")],
    default: Annotated[bool, typer.Option(help="Make it the operations team's OMS.")] = False,
    custom_params: OmsCustomParams = None,
    admin: OmsAdmins = None,
    provider: OmsProviders = None,
    service: OmsService = None,
    trigger_url: TriggerUrl = None,
    trigger_method: TriggerMethodOption = None,
    trigger_user: TriggerUser = None,
    trigger_password: TriggerPassword = None,
) -> None:
    """Register an OMS."""
    with unit_of_work() as session:
        given = {
            "custom_params": custom_params,
            "administrators": admin,
            "providers": provider,
            "service": service,
            "trigger_url": trigger_url,
            "trigger_method": trigger_method,
            "trigger_user": trigger_user,
            "trigger_password": trigger_password,
        }
        values = {"name": name, "type": oms_type, "is_default": default}
        oms = registry.create_oms(session, Settings(), **values, **_oms_changes(session, given))
        _print_oms(oms)


@oms_app.command("update")
def oms_update(
    oms: OmsName,
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    oms_type: Annotated[OmsType | None, typer.Option("--type", help="A new type.")] = None,
    default: Annotated[
        bool | None, typer.Option("--default/--no-default", help="Make it (not) the default.")
    ] = None,
    custom_params: OmsCustomParams = None,
    admin: OmsAdmins = None,
    provider: OmsProviders = None,
    service: OmsService = None,
    trigger_url: TriggerUrl = None,
    trigger_method: TriggerMethodOption = None,
    trigger_user: TriggerUser = None,
    trigger_password: TriggerPassword = None,
) -> None:
    """Change some fields of an OMS; the others keep their values."""
    with unit_of_work() as session:
        changed = registry.find_oms(session, oms)
        given = {
            "name": name,
            "type": oms_type,
            "is_default": default,
            "custom_params": custom_params,
            "administrators": admin,
            "providers": provider,
            "service": service,
            "trigger_url": trigger_url,
            "trigger_method": trigger_method,
            "trigger_user": trigger_user,
            "trigger_password": trigger_password,
        }
        data = replace(registry.oms_data(changed), **_oms_changes(session, given))
        registry.update_oms(session, Settings(), changed, data)
        _print_oms(changed)


@oms_app.command("list")
def oms_list() -> None:
    """List the registered OMSes, the default one first."""
    with unit_of_work() as session:
        table = Table("Id", "Name", "Type", "Default", "Administrators", "Trigger")
        for oms in registry.list_omses(session):
            table.add_row(
                str(oms.id),
                oms.name,
                oms.type.value,
                "yes" if oms.is_default else "",
                ", ".join(user.email for user in oms.administrators),
                f"{oms.trigger_method.value.upper()} {oms.trigger_url}" if oms.has_trigger else "",
            )
    print_uncut(table)


@oms_app.command("show")
def oms_show(oms: OmsName) -> None:
    """Show every field of an OMS."""
    with unit_of_work() as session:
        _print_oms(registry.find_oms(session, oms))


@oms_app.command("token")
def oms_token(
    oms: OmsName,
    email: Annotated[str, typer.Argument(help="E-mail of one of its administrators.")],
) -> None:
    """Revoke an OMS administrator's tokens and print one new token (shown only once)."""
    with unit_of_work() as session:
        shown = registry.find_oms(session, oms)
        administrator = accounts.require_user(session, email)
        plain = registry.regenerate_administrator_token(session, shown, administrator)
    console.print(plain, highlight=False, soft_wrap=True)


@oms_app.command("signing-secret")
def oms_signing_secret(
    oms: OmsName,
    remove: Annotated[
        bool, typer.Option("--remove", help="Remove the secret: triggers go unsigned.")
    ] = False,
) -> None:
    """Give an OMS a new secret that signs its triggers and print it (shown only once)."""
    with unit_of_work() as session:
        shown = registry.find_oms(session, oms)
        if remove:
            registry.remove_signing_secret(session, shown)
            secret = ""
        else:
            secret = registry.rotate_signing_secret(session, shown)
    if remove:
        console.print(f"Triggers of {escape(shown.name)} are no longer signed.", highlight=False)
    else:
        console.print(secret, highlight=False, soft_wrap=True)
