"""The `mercato` command line."""

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import uvicorn
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from mercato.accounts import rules as accounts
from mercato.accounts.models import Provider, User
from mercato.catalogue import rules as catalogue
from mercato.catalogue.models import OrderType, ServiceStatus
from mercato.datasets.context import Loading
from mercato.datasets.dumping import dump_dataset, write_dataset
from mercato.datasets.loading import load_dataset, read_dataset
from mercato.datasets.progress import progress_bars
from mercato.db import make_engine, make_session_factory, migrate, transaction
from mercato.demo import DemoAccount, load_demo
from mercato.errors import Invalid, MercatoError
from mercato.ordering import registry
from mercato.ordering.models import Oms, OmsType, TriggerMethod
from mercato.ordering.trigger_targets import check_trigger_url
from mercato.queue import TaskQueue, Worker, hand_over_deliveries
from mercato.settings import Settings
from mercato.store.assets import local_files

app = typer.Typer(
    help="Mercato: a service marketplace with order management.", no_args_is_help=True
)
user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens (sent as X-User-Token).", no_args_is_help=True)
provider_app = typer.Typer(help="Manage providers.", no_args_is_help=True)
service_app = typer.Typer(help="Manage the catalogue's services.", no_args_is_help=True)
oms_app = typer.Typer(help="Manage the OMS registry.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(provider_app, name="provider")
app.add_typer(service_app, name="service")
app.add_typer(oms_app, name="oms")
console = Console()
errors = Console(stderr=True)


def _engine() -> Engine:
    settings = Settings()
    # A fresh checkout has no data folder yet, and SQLite will not create one.
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.resolved_database_url)


def _migrated_engine() -> Engine:
    engine = _engine()
    migrate(engine)
    return engine


def _fail(message: str | MercatoError) -> NoReturn:
    # Unwrapped: a script reads the whole message on one line.
    errors.print(f"[red]Error:[/red] {escape(str(message))}", soft_wrap=True)
    raise typer.Exit(1)


@contextmanager
def _unit_of_work(*, wakes_workers: bool = False) -> Iterator[Session]:
    """A migrated database's session, committed at the end; a rule's error ends the command.

    ``wakes_workers``: trigger deliveries written are handed to the queue on commit,
    as the web app does, rather than waiting for the workers' next sweep.
    """
    engine = _migrated_engine()
    factory = make_session_factory(engine)
    if wakes_workers:
        hand_over_deliveries(factory, _task_queue(Settings(), engine))
    try:
        with transaction(factory) as session:
            yield session
    except MercatoError as error:
        _fail(error)


def _print_uncut(table: Table) -> None:
    """Print a table whole: Rich would cut no-wrap columns (secrets) to fit the console."""
    needed = Measurement.get(console, console.options.update_width(sys.maxsize), table)
    # A pipe has no width to respect: one line per row suits scripts best.
    width = console.width if console.is_terminal else needed.maximum
    Console(width=max(width, needed.minimum)).print(table)


def _print_demo_accounts(accounts_made: list[DemoAccount]) -> None:
    table = Table(title="Demo users")
    table.add_column("E-mail", no_wrap=True)
    table.add_column("Name")
    table.add_column("Roles")
    table.add_column("Password", no_wrap=True)
    table.add_column("API token (X-User-Token)", no_wrap=True)
    for account in accounts_made:
        table.add_row(account.email, account.name, account.roles, account.password, account.token)
    _print_uncut(table)


def _load_demo(engine: Engine, settings: Settings) -> bool:
    """Load the demo data and print its users, unless the database already has data."""
    with transaction(make_session_factory(engine)) as session:
        if _has_data(session):
            return False
        made = load_demo(session, local_files(settings))
    _print_demo_accounts(made)
    return True


def _has_data(session: Session) -> bool:
    return any(
        session.scalar(select(column).limit(1)) is not None for column in (User.id, Provider.id)
    )


@app.command(name="migrate")
def migrate_schema() -> None:
    """Bring the database schema up to date."""
    _migrated_engine()
    console.print("Database schema is up to date.")


@app.command()
def demo() -> None:
    """Load the demo catalogue and users into an empty database."""
    if not _load_demo(_migrated_engine(), Settings()):
        _fail("the database is not empty; demo data needs an empty one.")


@app.command()
def serve(
    demo: Annotated[bool, typer.Option(help="Load demo data into an empty database.")] = False,
    host: Annotated[str | None, typer.Option(help="Address to bind (MERCATO_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (MERCATO_PORT).")] = None,
) -> None:
    """Migrate the database and serve the web UI and the APIs."""
    settings = Settings()
    engine = _migrated_engine()
    if demo and not _load_demo(engine, settings):
        console.print("The database already has data; demo data not loaded.")
    engine.dispose()
    bind_host = host or settings.host
    bind_port = settings.port if port is None else port
    console.print(f"Mercato on http://{bind_host}:{bind_port} (API docs at /docs)")
    in_process = Worker(_task_queue(settings, engine)) if settings.worker_in_process else None
    if in_process is not None:
        in_process.start()
    try:
        uvicorn.run(
            "mercato.app:create_app",
            factory=True,
            host=bind_host,
            port=bind_port,
            proxy_headers=True,
        )
    finally:
        if in_process is not None:
            in_process.stop()


def _task_queue(settings: Settings, engine: Engine) -> TaskQueue:
    return TaskQueue(settings, make_session_factory(engine))


@app.command()
def worker(
    workers: Annotated[int, typer.Option(min=1, help="Worker threads in this process.")] = 2,
) -> None:
    """Run task-queue workers (trigger deliveries) until Ctrl-C or SIGTERM."""
    settings = Settings()
    queue = _task_queue(settings, _migrated_engine())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    backend = "Redis" if settings.queue_url else "SQLite"
    console.print(f"Mercato worker: {workers} thread(s) on the {backend} queue")
    Worker(queue, workers).run()


DataSetFile = Annotated[
    Path, typer.Argument(dir_okay=False, help="A data set file (see docs/dataset.md).")
]


@app.command(name="load")
def load_data(path: DataSetFile) -> None:
    """Load a data set: all of it in one transaction, or nothing if a record is wrong."""
    settings = Settings()
    if not path.is_file():
        _fail(f"no file {path}")
    with _unit_of_work(wakes_workers=True) as session:
        with console.status(f"Reading {path}"):
            data = read_dataset(path)
        with progress_bars(console) as progress:
            loading = Loading(session, local_files(settings), path.parent, progress)
            counts = load_dataset(loading, data)
    console.print(f"Loaded {_counted(counts)} from {escape(str(path))}.", soft_wrap=True)


@app.command(name="dump")
def dump_data(path: DataSetFile) -> None:
    """Write the whole database as a data set; asset files go into files/ beside it."""
    settings = Settings()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _unit_of_work() as session, console.status(f"Writing {path}"):
        data = dump_dataset(session, local_files(settings), path.parent)
        write_dataset(data, path)
    message = (
        f"Wrote {_counted(data.counts())} to {escape(str(path))} (no passwords, no API tokens)."
    )
    console.print(message, soft_wrap=True)


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {kind}" for kind, count in counts.items() if count) or "nothing"


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="Login e-mail.")],
    first_name: Annotated[str, typer.Option(help="First name.")],
    last_name: Annotated[str, typer.Option(help="Last name.")],
    password: Annotated[
        str | None,
        typer.Option(
            help="Web password; asked for when omitted.",
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
        ),
    ] = None,
    admin: Annotated[bool, typer.Option(help="Give the site's admin role.")] = False,
) -> None:
    """Create a user account."""
    with _unit_of_work() as session:
        user = accounts.create_user(
            session,
            email=email,
            first_name=first_name,
            last_name=last_name,
            password=password or None,
            is_admin=admin,
        )
    console.print(f"Created user {user.email} (uid {user.uid}).")


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option("--user", help="E-mail of the token's owner.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
) -> None:
    """Issue a new API token and print it (it is shown only once)."""
    with _unit_of_work() as session:
        _, plain = accounts.issue_token(session, accounts.require_user(session, user), label)
    console.print(plain, highlight=False, soft_wrap=True)


@token_app.command("revoke")
def token_revoke(
    user: Annotated[str, typer.Option("--user", help="E-mail of the token's owner.")],
    token_id: Annotated[int | None, typer.Option("--id", help="Revoke only this token.")] = None,
) -> None:
    """Revoke one API token of a user, or all of them."""
    with _unit_of_work() as session:
        owner = accounts.require_user(session, user)
        if token_id is None:
            count = accounts.revoke_all_tokens(session, owner)
        else:
            accounts.revoke_token(session, owner, token_id)
            count = 1
    console.print(f"Revoked {count} token(s) of {user}.")


@token_app.command("list")
def token_list(
    user: Annotated[str, typer.Option("--user", help="E-mail of the tokens' owner.")],
) -> None:
    """List a user's active tokens (their first characters only)."""
    with _unit_of_work() as session:
        tokens = accounts.active_tokens(session, accounts.require_user(session, user))
        table = Table("Id", "Starts with", "Label", "Created")
        for token in tokens:
            table.add_row(
                str(token.id),
                token.prefix + "…",
                token.label,
                token.created_at.strftime("%Y-%m-%d %H:%M UTC"),
            )
    console.print(table)


@token_app.command("regenerate")
def token_regenerate(
    user: Annotated[str, typer.Option("--user", help="E-mail of the token's owner.")],
) -> None:
    """Revoke every token of a user and print one new token (shown only once)."""
    with _unit_of_work() as session:
        _, plain = accounts.regenerate_token(session, accounts.require_user(session, user))
    console.print(plain, highlight=False, soft_wrap=True)


@provider_app.command("create")
def provider_create(
    name: Annotated[str, typer.Option(help="The organisation's name.")],
    admin: Annotated[
        list[str] | None, typer.Option(help="E-mail of a data administrator (repeatable).")
    ] = None,
    website: Annotated[str, typer.Option(help="The organisation's web site.")] = "",
) -> None:
    """Register a provider and name its data administrators."""
    with _unit_of_work() as session:
        provider = accounts.create_provider(
            session, name=name, website=website, data_administrator_emails=admin or []
        )
    console.print(f"Created provider {provider.name} ({provider.slug}).")


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
    with _unit_of_work() as session:
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
        "trigger_url": lambda url: check_trigger_url(Settings(), url),
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
    with _unit_of_work() as session:
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
        oms = registry.create_oms(session, **values, **_oms_changes(session, given))
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
    with _unit_of_work() as session:
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
        registry.update_oms(session, changed, data)
        _print_oms(changed)


@oms_app.command("list")
def oms_list() -> None:
    """List the registered OMSes, the default one first."""
    with _unit_of_work() as session:
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
    _print_uncut(table)


@oms_app.command("show")
def oms_show(oms: OmsName) -> None:
    """Show every field of an OMS."""
    with _unit_of_work() as session:
        _print_oms(registry.find_oms(session, oms))


@oms_app.command("token")
def oms_token(
    oms: OmsName,
    email: Annotated[str, typer.Argument(help="E-mail of one of its administrators.")],
) -> None:
    """Revoke an OMS administrator's tokens and print one new token (shown only once)."""
    with _unit_of_work() as session:
        shown = registry.find_oms(session, oms)
        administrator = accounts.require_user(session, email)
        plain = registry.regenerate_administrator_token(session, shown, administrator)
    console.print(plain, highlight=False, soft_wrap=True)
