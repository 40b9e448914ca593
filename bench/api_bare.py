"""The baseline of bench/api.py: bare Starlette doing Mercato's lookups with the driver itself.

    BENCH_DATABASE_URL=sqlite:///... uvicorn --app-dir bench api_bare:app --workers 2

Each route runs the lookups the same Mercato route needs (who the token belongs to,
the rows shown, the access check) as hand-written SQL on a connection of its own
thread (`sqlite3` or `psycopg`), and answers JSON, or HTML made with an f-string.
Nothing else: no ORM, no validation, no middleware, no templates.
"""

import hashlib
import html
import json
import os
import sqlite3
import threading
from typing import Any

import psycopg
from sqlalchemy import make_url
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

_URL = make_url(os.environ["BENCH_DATABASE_URL"])
_IS_SQLITE = _URL.drivername.startswith("sqlite")
_local = threading.local()


def _connection() -> Any:
    connection = getattr(_local, "connection", None)
    if connection is None:
        if _IS_SQLITE:
            connection = sqlite3.connect(_URL.database, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
        else:
            plain = _URL.set(drivername="postgresql").render_as_string(hide_password=False)
            connection = psycopg.connect(plain, autocommit=True)
        _local.connection = connection
    return connection


def _rows(sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    if not _IS_SQLITE:
        sql = sql.replace("?", "%s")
    return list(_connection().execute(sql, parameters).fetchall())


def _document(value: Any) -> Any:
    # JSON columns: text on SQLite, already parsed by psycopg (JSONB).
    return json.loads(value) if isinstance(value, str) else value


def _user(request: Request, header: str = "x-user-token") -> tuple[Any, ...] | None:
    plain = request.headers.get(header, "").removeprefix("Bearer ")
    digest = hashlib.sha256(plain.encode()).hexdigest()
    found = _rows(
        "SELECT u.id, u.email, u.is_admin FROM users u JOIN api_tokens t ON t.user_id = u.id"
        " WHERE t.digest = ? AND t.revoked_at IS NULL",
        digest,
    )
    return found[0] if found else None


def _administers(user: tuple[Any, ...], provider_id: int) -> bool:
    return bool(
        user[2]
        or _rows(
            "SELECT 1 FROM data_administrators WHERE email = ? AND provider_id = ?",
            user[1],
            provider_id,
        )
    )


def _unauthenticated() -> JSONResponse:
    return JSONResponse({"error": "You need to sign in or sign up before continuing."}, 401)


_OFFER = (
    "SELECT o.iid, o.name, o.description, o.parameters, o.order_type, o.order_url,"
    " o.offer_category, o.internal, o.primary_oms_id, o.oms_params"
)


def _offer_json(row: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "id": row[0],
        "name": row[1],
        "description": row[2],
        "parameters": _document(row[3]),
        "order_type": row[4],
        "order_url": row[5] or None,
        "offer_category": row[6],
        "internal": bool(row[7]),
        "primary_oms_id": row[8],
        "oms_params": _document(row[9]),
    }


def offer_detail(request: Request) -> Response:
    user = _user(request)
    if user is None:
        return _unauthenticated()
    found = _rows(
        f"{_OFFER}, s.provider_id FROM offers o JOIN services s ON s.id = o.service_id"
        " WHERE s.slug = ? AND o.iid = ? AND o.status = 'published'",
        request.path_params["slug"],
        int(request.path_params["iid"]),
    )
    if not found:
        return JSONResponse({"error": "Offer not found"}, 404)
    if not _administers(user, found[0][-1]):
        return JSONResponse({"error": "You are not authorized to perform this action."}, 403)
    return JSONResponse(_offer_json(found[0]))


def offer_list(request: Request) -> Response:
    user = _user(request)
    if user is None:
        return _unauthenticated()
    slug = request.path_params["slug"]
    service = _rows("SELECT id, provider_id FROM services WHERE slug = ?", slug)
    if not service:
        return JSONResponse({"error": "Resource not found"}, 404)
    if not _administers(user, service[0][1]):
        return JSONResponse({"offers": []})
    offers = _rows(
        f"{_OFFER} FROM offers o WHERE o.service_id = ? AND o.status = 'published'"
        " ORDER BY o.iid LIMIT 10",
        service[0][0],
    )
    return JSONResponse({"offers": [_offer_json(row) for row in offers]})


def resource_list(request: Request) -> Response:
    user = _user(request)
    if user is None:
        return _unauthenticated()
    services = _rows(
        "SELECT s.slug, s.pid, s.name, s.description, s.status FROM services s"
        " JOIN data_administrators d ON d.provider_id = s.provider_id"
        " WHERE d.email = ? AND s.status != 'deleted' ORDER BY s.id",
        user[1],
    )
    omses = _rows("SELECT id, name, type FROM omses")
    shown = [{"id": i, "name": n, "type": t} for i, n, t in omses]
    return JSONResponse(
        {
            "resources": [
                {
                    "id": s[0],
                    "eid": s[1],
                    "name": s[2],
                    "description": s[3],
                    "status": s[4],
                    "available_omses": shown,
                }
                for s in services
            ]
        }
    )


def _oms_administrator(request: Request) -> tuple[Any, ...] | None:
    user = _user(request)
    if user is None:
        return None
    oms_id = int(request.path_params["oms_id"])
    allowed = _rows(
        "SELECT 1 FROM oms_administrators WHERE user_id = ? AND oms_id = ?", user[0], oms_id
    )
    return user if allowed else None


def events_page(request: Request) -> Response:
    if _oms_administrator(request) is None:
        return _unauthenticated()
    rows = _rows(
        "SELECT id, created_at, type, resource, project_id, order_id, message_id, changes"
        " FROM events WHERE id > ? ORDER BY id LIMIT 100",
        int(request.query_params.get("from_id", "0")),
    )
    events = [
        {
            "id": r[0],
            "timestamp": str(r[1]),
            "type": r[2],
            "resource": r[3],
            "project_id": r[4],
            "project_item_id": r[5],
            "message_id": r[6],
            "changes": _document(r[7]),
        }
        for r in rows
    ]
    return JSONResponse({"events": events})


def project_items(request: Request) -> Response:
    if _oms_administrator(request) is None:
        return _unauthenticated()
    rows = _rows(
        "SELECT o.iid, o.status_type, o.status_value, o.offer_properties, o.user_secrets,"
        " f.iid, s.slug, o.created_at FROM orders o JOIN offers f ON f.id = o.offer_id"
        " JOIN services s ON s.id = f.service_id WHERE o.project_id = ? ORDER BY o.iid",
        int(request.path_params["project_id"]),
    )
    items = [
        {
            "id": r[0],
            "status": {"type": r[1], "value": r[2]},
            "attributes": {"offer_properties": _document(r[3]), "offer": r[5], "service": r[6]},
            "user_secrets": _document(r[4]),
            "created_at": str(r[7]),
        }
        for r in rows
    ]
    return JSONResponse({"project_items": items})


def service_page(request: Request) -> Response:
    found = _rows(
        "SELECT s.id, s.name, s.tagline, s.description, p.name FROM services s"
        " JOIN providers p ON p.id = s.provider_id WHERE s.slug = ? AND s.status = 'published'",
        request.path_params["slug"],
    )
    if not found:
        return HTMLResponse("<h1>Not found</h1>", 404)
    service_id, name, tagline, description, provider = found[0]
    offers = _rows(
        "SELECT iid, name, description FROM offers WHERE service_id = ? AND status = 'published'"
        " ORDER BY iid",
        service_id,
    )
    items = "".join(
        f"<li><h3>{html.escape(n)}</h3><p>{html.escape(d)}</p></li>" for _, n, d in offers
    )
    page = (
        f"<!doctype html><title>{html.escape(name)}</title><h1>{html.escape(name)}</h1>"
        f"<p>{html.escape(tagline)}</p><p>{html.escape(provider)}</p>"
        f"<p>{html.escape(description)}</p><ul>{items}</ul>"
    )
    return HTMLResponse(page)


def catalogue_page(request: Request) -> Response:
    where = (
        " FROM services s JOIN service_categories sc ON sc.service_id = s.id"
        " JOIN categories c ON c.id = sc.category_id WHERE c.slug = ? AND s.status = 'published'"
    )
    category = request.query_params.get("category", "")
    rows = _rows(f"SELECT s.slug, s.name, s.tagline{where} ORDER BY s.name LIMIT 20", category)
    total = _rows(f"SELECT count(*){where}", category)[0][0]
    items = "".join(
        f'<li><a href="/services/{s}">{html.escape(n)}</a> {html.escape(t)}</li>'
        for s, n, t in rows
    )
    return HTMLResponse(f"<!doctype html><title>Catalogue</title><p>{total}</p><ul>{items}</ul>")


_OFFERING = (
    "SELECT o.name, so.version, p.slug, o.description, so.abstract, so.rating, so.price_plans,"
    " so.published_at, o.tags, so.offer_id FROM store_offerings so"
    " JOIN offers o ON o.id = so.offer_id JOIN services s ON s.id = so.service_id"
    " JOIN providers p ON p.id = s.provider_id"
)


def _offering_json(row: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "name": row[0],
        "version": row[1],
        "owner_organization": row[2],
        "description": row[3],
        "abstract": row[4],
        "rating": row[5],
        "price_plans": _document(row[6]),
        "publication_date": str(row[7]),
        "tags": _document(row[8]),
    }


def offering_detail(request: Request) -> Response:
    if _user(request, "authorization") is None:
        return JSONResponse({"result": "error", "error_msg": "Authentication required"}, 401)
    found = _rows(
        f"{_OFFERING} WHERE p.slug = ? AND s.name = ? AND so.version = ?",
        request.path_params["provider"],
        request.path_params["name"],
        request.path_params["version"],
    )
    if not found:
        return JSONResponse({"result": "error", "error_msg": "Not found"}, 404)
    return JSONResponse(_offering_json(found[0]))


def keyword_search(request: Request) -> Response:
    if _user(request, "authorization") is None:
        return JSONResponse({"result": "error", "error_msg": "Authentication required"}, 401)
    text = request.path_params["text"]
    if _IS_SQLITE:
        matched = (
            "SELECT rowid AS id, rank AS relevance FROM store_search WHERE store_search MATCH ?"
        )
        words = f'"{text}"'
    else:
        matched = (
            "SELECT offer_id AS id, -ts_rank(document, plainto_tsquery('english', ?)) AS relevance"
            " FROM store_search WHERE document @@ plainto_tsquery('english', ?)"
        )
        words = text
    parameters = (words,) if _IS_SQLITE else (words, words)
    rows = _rows(
        f"{_OFFERING} JOIN ({matched}) AS m ON m.id = so.offer_id"
        " WHERE o.status = 'published' ORDER BY m.relevance LIMIT 20",
        *parameters,
    )
    return JSONResponse([_offering_json(row) for row in rows])


app = Starlette(
    routes=[
        Route("/api/v1/resources", resource_list),
        Route("/api/v1/resources/{slug}/offers", offer_list),
        Route("/api/v1/resources/{slug}/offers/{iid}", offer_detail),
        Route("/api/v1/oms/{oms_id}/events", events_page),
        Route("/api/v1/oms/{oms_id}/projects/{project_id}/project_items", project_items),
        Route("/services/{slug}", service_page),
        Route("/", catalogue_page),
        Route("/api/offering/offerings/{provider}/{name}/{version}", offering_detail),
        Route("/api/search/keyword/{text}", keyword_search),
    ]
)
