"""Driving the web UI through TestClient as a browser would: CSRF tokens, forms, logins."""

import html
import re
import threading

import httpx
from fastapi.testclient import TestClient
from httpx import Response

from mercato.accounts.models import User
from tests.factories import PASSWORD

_CSRF = re.compile(r'<input type="hidden" name="csrftoken" value="([^"]+)">')


def csrf_token(client: TestClient, page: str) -> str:
    """The token in the forms of ``page``; the GET also sets the CSRF cookie."""
    response = client.get(page)
    match = _CSRF.search(response.text)
    assert match, f"no CSRF field on {page} ({response.status_code})"
    return match[1]


def submit(
    client: TestClient, page: str, action: str, data: dict[str, str] | None = None
) -> Response:
    """Post a form shown on ``page`` to ``action``, without following the redirect."""
    fields = {"csrftoken": csrf_token(client, page), **(data or {})}
    return client.post(action, data=fields, follow_redirects=False)


def log_in(client: TestClient, user: User) -> None:
    response = submit(client, "/login", "/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 303


def field_error(page: str, name: str) -> str | None:
    """The message shown under the input called ``name``, if any."""
    match = re.search(rf'<p class="field-error" id="{re.escape(name)}-error">([^<]*)</p>', page)
    return html.unescape(match[1]) if match else None


def input_value(page: str, name: str) -> str | None:
    """The value of the text input called ``name`` as the page shows it."""
    match = re.search(rf'<input [^>]*name="{re.escape(name)}" value="([^"]*)"', page)
    return html.unescape(match[1]) if match else None


def log_in_browser(page, email: str) -> None:
    """Log a Playwright page in as ``email`` (password ``PASSWORD``), logging out whoever was."""
    page.context.clear_cookies()
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()


def post_together(base: str, user: User, url: str, fields: dict[str, str]) -> list[httpx.Response]:
    """Two browsers, logged in as ``user``, post the same form at the same moment
    to a live server at ``base``."""
    clients = [httpx.Client(base_url=base, timeout=60) for _ in range(2)]
    try:
        for client in clients:
            log_in(client, user)
        tokens = [csrf_token(client, url) for client in clients]
        start = threading.Barrier(2)
        answers: list[httpx.Response | None] = [None, None]

        def post(n: int) -> None:
            start.wait()
            answers[n] = clients[n].post(
                url, data={**fields, "csrftoken": tokens[n]}, follow_redirects=False
            )

        threads = [threading.Thread(target=post, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return [answer for answer in answers if answer is not None]
    finally:
        for client in clients:
            client.close()
