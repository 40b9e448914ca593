"""The `mercato` command line."""

from typing import Annotated, NoReturn

import typer
import uvicorn
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from mercato.accounts import rules as accounts
from mercato.accounts.models import User
from mercato.db import make_engine, make_session_factory, migrate, transaction
from mercato.demo import DemoAccount, load_demo
from mercato.errors import MercatoError
from mercato.settings import Settings

app = typer.Typer(
    help="Mercato: a service marketplace with order management.", no_args_is_help=True
)
user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens (sent as X-User-Token).", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
console = Console()


def _engine() -> Engine:
    return make_engine(Settings().resolved_database_url)


def _migrated_engine() -> Engine:
    engine = _engine()
    migrate(engine)
    return engine


def _fail(error: MercatoError) -> NoReturn:
    console.print(f"[red]Error:[/red] {error}")
    raise typer.Exit(1)


def _print_demo_accounts(accounts_made: list[DemoAccount]) -> None:
    table = Table(title="Demo users")
    for column in ("E-mail", "Name", "Roles", "Password", "API token (X-User-Token)"):
        table.add_column(column)
    for account in accounts_made:
        table.add_row(account.email, account.name, account.roles, account.password, account.token)
    console.print(table)


def _load_demo(engine: Engine, *, only_if_empty: bool) -> None:
    with transaction(make_session_factory(engine)) as session:
        if only_if_empty and _has_users(session):
            console.print("The database already has data; demo data not loaded.")
            return
        made = load_demo(session)
    _print_demo_accounts(made)


def _has_users(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


@app.command(name="migrate")
def migrate_schema() -> None:
    """Bring the database schema up to date."""
    _migrated_engine()
    console.print("Database schema is up to date.")


@app.command()
def demo() -> None:
    """Load the demo catalogue and users into an empty database."""
    engine = _migrated_engine()
    with make_session_factory(engine)() as session:
        if _has_users(session):
            console.print(
                "[red]Error:[/red] the database is not empty; demo data needs an empty one."
            )
            raise typer.Exit(1)
    _load_demo(engine, only_if_empty=False)


@app.command()
def serve(
    demo: Annotated[bool, typer.Option(help="Load demo data into an empty database.")] = False,
    host: Annotated[str | None, typer.Option(help="Address to bind (MERCATO_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (MERCATO_PORT).")] = None,
) -> None:
    """Migrate the database and serve the web UI and the APIs."""
    settings = Settings()
    engine = _migrated_engine()
    if demo:
        _load_demo(engine, only_if_empty=True)
    engine.dispose()
    bind_host, bind_port = host or settings.host, port or settings.port
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
    try:
        with transaction(make_session_factory(_migrated_engine())) as session:
            user = accounts.create_user(
                session,
                email=email,
                first_name=first_name,
                last_name=last_name,
                password=password or None,
                is_admin=admin,
                is_operator=operator,
            )
    except MercatoError as error:
        _fail(error)
    console.print(f"Created user {user.email} (uid {user.uid}).")


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option("--user", help="E-mail of the token's owner.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
) -> None:
    """Issue a new API token and print it (it is shown only once)."""
    try:
        with transaction(make_session_factory(_migrated_engine())) as session:
            _, plain = accounts.issue_token(session, accounts.require_user(session, user), label)
    except MercatoError as error:
        _fail(error)
    console.print(plain, highlight=False, soft_wrap=True)


@token_app.command("revoke")
def token_revoke(
    user: Annotated[str, typer.Option("--user", help="E-mail of the token's owner.")],
    token_id: Annotated[int | None, typer.Option("--id", help="Revoke only this token.")] = None,
) -> None:
    """Revoke one API token of a user, or all of them."""
    try:
        with transaction(make_session_factory(_migrated_engine())) as session:
            owner = accounts.require_user(session, user)
            if token_id is None:
                count = accounts.revoke_all_tokens(session, owner)
            else:
                accounts.revoke_token(session, owner, token_id)
                count = 1
    except MercatoError as error:
        _fail(error)
    console.print(f"Revoked {count} token(s) of {user}.")


@token_app.command("list")
def token_list(
    user: Annotated[str, typer.Option("--user", help="E-mail of the tokens' owner.")],
) -> None:
    """List a user's active tokens (their first characters only)."""
    try:
        with transaction(make_session_factory(_migrated_engine())) as session:
            tokens = accounts.active_tokens(session, accounts.require_user(session, user))
            table = Table("Id", "Starts with", "Label", "Created")
            for token in tokens:
                table.add_row(
                    str(token.id),
                    token.prefix + "…",
                    token.label,
                    token.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                )
    except MercatoError as error:
        _fail(error)
    console.print(table)
