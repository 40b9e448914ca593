"""The `mercato` command line."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

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
from mercato.db import make_engine, make_session_factory, migrate, transaction
from mercato.demo import DemoAccount, load_demo
from mercato.errors import MercatoError
from mercato.settings import Settings

app = typer.Typer(
    help="Mercato: a service marketplace with order management.", no_args_is_help=True
)
user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens (sent as X-User-Token).", no_args_is_help=True)
provider_app = typer.Typer(help="Manage providers.", no_args_is_help=True)
service_app = typer.Typer(help="Manage the catalogue's services.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(provider_app, name="provider")
app.add_typer(service_app, name="service")
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
    errors.print(f"[red]Error:[/red] {escape(str(message))}")
    raise typer.Exit(1)


@contextmanager
def _unit_of_work() -> Iterator[Session]:
    """A migrated database's session, committed at the end; a rule's error ends the command."""
    try:
        with transaction(make_session_factory(_migrated_engine())) as session:
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


def _load_demo(engine: Engine) -> bool:
    """Load the demo data and print its users, unless the database already has data."""
    with transaction(make_session_factory(engine)) as session:
        if _has_data(session):
            return False
        made = load_demo(session)
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
    if not _load_demo(_migrated_engine()):
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
    if demo and not _load_demo(engine):
        console.print("The database already has data; demo data not loaded.")
    engine.dispose()
    bind_host = host or settings.host
    bind_port = settings.port if port is None else port
    console.print(f"Mercato on http://{bind_host}:{bind_port} (API docs at /docs)")
    uvicorn.run(
        "mercato.app:create_app", factory=True, host=bind_host, port=bind_port, proxy_headers=True
    )


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
    operator: Annotated[bool, typer.Option(help="Give the operator role.")] = False,
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
            is_operator=operator,
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
