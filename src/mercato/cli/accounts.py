"""Users, API tokens and providers."""

from typing import Annotated

import typer
from rich.table import Table

from mercato.accounts import rules as accounts
from mercato.cli.common import console, unit_of_work

user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens (sent as X-User-Token).", no_args_is_help=True)
provider_app = typer.Typer(help="Manage providers.", no_args_is_help=True)


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
    with unit_of_work() as session:
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
    with unit_of_work() as session:
        _, plain = accounts.issue_token(session, accounts.require_user(session, user), label)
    console.print(plain, highlight=False, soft_wrap=True)


@token_app.command("revoke")
def token_revoke(
    user: Annotated[str, typer.Option("--user", help="E-mail of the token's owner.")],
    token_id: Annotated[int | None, typer.Option("--id", help="Revoke only this token.")] = None,
) -> None:
    """Revoke one API token of a user, or all of them."""
    with unit_of_work() as session:
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
    with unit_of_work() as session:
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
    with unit_of_work() as session:
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
    with unit_of_work() as session:
        provider = accounts.create_provider(
            session, name=name, website=website, data_administrator_emails=admin or []
        )
    console.print(f"Created provider {provider.name} ({provider.slug}).")


@provider_app.command("notification-secret")
def provider_notification_secret(
    provider: Annotated[str, typer.Argument(help="The provider's slug.")],
    remove: Annotated[
        bool, typer.Option("--remove", help="Remove the secret: notifications go unsigned.")
    ] = False,
) -> None:
    """Give a provider a new secret that signs its purchase notifications and print it
    (shown only once)."""
    with unit_of_work() as session:
        found = accounts.require_provider(session, provider)
        if remove:
            accounts.remove_notification_secret(session, found)
        else:
            secret = accounts.rotate_notification_secret(session, found)
    if remove:
        console.print(f"Notifications to {found.name} are no longer signed.", highlight=False)
    else:
        console.print(secret, highlight=False, soft_wrap=True)
