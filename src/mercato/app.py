"""The ASGI application: both APIs, the web pages, docs and static files."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache, partial
from typing import Any

from asgi_csrf import asgi_csrf
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from swagger_ui.utils import SWAGGER_UI_PY_ROOT

# Registering hooks: the invoicing and the revenue sharing of every charge.
import mercato.commerce.billing
import mercato.commerce.revenue  # noqa: F401
from mercato.accounts.token_cache import TokenCache
from mercato.accounts.web import pages as accounts_web
from mercato.accounts.web.auth import LoginRequired, load_user
from mercato.api.eosc import EoscError, eosc_error_for, error_response
from mercato.api.openapi import documents_folder
from mercato.api.security import SESSION_COOKIE
from mercato.catalogue.eosc import routes as catalogue_api
from mercato.catalogue.web import bundles as bundles_web
from mercato.catalogue.web import omses as omses_web
from mercato.catalogue.web import pages as catalogue_web
from mercato.commerce.order_pricing import acquire_urls, order_pricing
from mercato.commerce.payments.configured import configured_gateways
from mercato.commerce.payments.paypal import PayPalClient, PayPalGateway
from mercato.commerce.payments.paypal_events import settle_event
from mercato.commerce.plan_tables import offer_plan_tables, plan_tables
from mercato.commerce.registry import pricing_terms
from mercato.commerce.web import acquire as acquire_web
from mercato.commerce.web import invoices as invoices_web
from mercato.commerce.web import notifications as notifications_web
from mercato.commerce.web import pages as commerce_web
from mercato.commerce.web import paypal_webhook
from mercato.commerce.web import plan_editor as plan_editor_web
from mercato.commerce.web import purchases as purchases_web
from mercato.commerce.web import revenue_pages as revenue_web
from mercato.commerce.wstore import accounting as accounting_api
from mercato.commerce.wstore import contracting as contracting_api
from mercato.commerce.wstore import routes as commerce_api
from mercato.commerce.wstore import rss as rss_api
from mercato.db import make_engine, make_session_factory, read_only
from mercato.errors import MercatoError
from mercato.kept_answers import KeptAnswers, watch_writes
from mercato.ordering.eosc import routes as ordering_api
from mercato.ordering.web import deliveries as deliveries_web
from mercato.ordering.web import orders as orders_web
from mercato.ordering.web import projects as projects_web
from mercato.ordering.web import queue as queue_web
from mercato.queue import TaskQueue, hand_over_deliveries
from mercato.settings import Settings
from mercato.store.web import marketplaces as marketplaces_web
from mercato.store.web import pages as store_web
from mercato.store.web import search as search_web
from mercato.store.wstore import marketplaces as marketplaces_api
from mercato.store.wstore import routes as store_api
from mercato.store.wstore.routes import method_not_allowed
from mercato.store.wstore.wire import WStoreError, is_wstore_path, wstore_error_for
from mercato.store.wstore.wire import envelope as wstore_envelope
from mercato.store.wstore.wire import error_response as wstore_response
from mercato.usage import api as usage_api
from mercato.usage.web import router as usage_web_router
from mercato.web import STATIC_DIR
from mercato.web import pages as web_pages
from mercato.web.rendering import templates

EOSC_PREFIX = "/api/v1"
# Every router of WStore routes, for the 405's Allow header.
WSTORE_PARTS = (
    *store_api.PARTS,
    commerce_api.router,
    rss_api.router,
    contracting_api.router,
    accounting_api.router,
)


class TrailingSlashes:
    """Route `/api/.../` as `/api/...` without a redirect, as the EOSC Marketplace does.

    Existing clients call `/api/v1/resources/`; a 307 would make some of them
    drop the body or the token header.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/api/") and path.endswith("/"):
            scope = {**scope, "path": path.rstrip("/")}
        await self.app(scope, receive, send)


class PageSessions(SessionMiddleware):
    """Web sessions for the pages and the WStore API, which also takes the session cookie.

    The EOSC API knows its callers by token alone, so its requests skip reading and
    signing the cookie.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(f"{EOSC_PREFIX}/"):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


# Posts from other servers, believed only once checked their own way (PayPal verifies its
# events), that no browser form makes.
CSRF_EXEMPT_PATHS = frozenset({paypal_webhook.PATH})


def page_csrf(app: ASGIApp, **options: Any) -> ASGIApp:
    """asgi_csrf for everything but the token-authenticated APIs under `/api/` and the
    webhooks of ``CSRF_EXEMPT_PATHS``.

    Those carry no cookies a browser could be tricked into sending, so they are
    handed on before asgi_csrf, which makes a fresh random token for every request
    it sees, even one it then lets through unchecked.
    """
    protected = asgi_csrf(app, **options)

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path.startswith("/api/") or path in CSRF_EXEMPT_PATHS):
            await app(scope, receive, send)
            return
        await protected(scope, receive, send)

    return dispatch


def _is_eosc(request: Request) -> bool:
    return request.url.path.startswith(EOSC_PREFIX)


def _load_viewer(request: Request) -> None:
    with request.app.state.read_session_factory() as session:
        load_user(request, session)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(EoscError)
    async def eosc_error(request: Request, error: EoscError) -> JSONResponse:
        return error_response(error)

    @app.exception_handler(WStoreError)
    async def wstore_error(request: Request, error: WStoreError) -> Response:
        return wstore_response(request, error)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, error: LoginRequired) -> Response:
        return web_pages.login_redirect(request)

    @app.exception_handler(MercatoError)
    async def domain_error(request: Request, error: MercatoError) -> Response:
        if _is_eosc(request):
            return error_response(eosc_error_for(error))
        if is_wstore_path(request.url.path):
            return wstore_response(request, wstore_error_for(error))
        return web_pages.error_page(request, error)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        problems = {
            ".".join(str(p) for p in e["loc"][1:]) or "request": [e["msg"]] for e in error.errors()
        }
        if _is_eosc(request):
            return JSONResponse({"error": problems}, status_code=400)
        if is_wstore_path(request.url.path):
            message = "; ".join(f"{field} {', '.join(m)}" for field, m in problems.items())
            return wstore_envelope(request, 400, message)
        return web_pages.validation_error_page(request, problems)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if is_wstore_path(request.url.path):
            if error.status_code == 405:
                return method_not_allowed(request, WSTORE_PARTS)
            return wstore_envelope(request, error.status_code, str(error.detail), error.headers)
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"error": error.detail}, status_code=error.status_code, headers=error.headers
            )
        if not hasattr(request.state, "user"):
            # No route ran, so no dependency loaded who is logged in; the top bar needs it.
            await run_in_threadpool(_load_viewer, request)
        return web_pages.http_error_page(request, error)


# The docs' routes are module-level functions that find their app through the request:
# FastAPI caches facts about every endpoint callable it sees, keyed by the callable, so
# closures made per app would keep each app (and its engine and queue) alive.
_docs = APIRouter(include_in_schema=False)


# The documents /docs offers in its selector: Mercato's own (every API) first.
DOCS_DOCUMENTS = [
    {"name": "Mercato: all APIs", "url": "/openapi.json"},
    {"name": "EOSC Ordering API", "url": "/api_docs/swagger/v1/ordering_swagger.json"},
    {"name": "EOSC Offering API", "url": "/api_docs/swagger/v1/offering_swagger.json"},
]


@_docs.get("/docs")
def docs(request: Request) -> HTMLResponse:
    config = {
        "urls": DOCS_DOCUMENTS,
        "dom_id": "#swagger-ui",
        "deepLinking": True,
        "showExtensions": True,
        "showCommonExtensions": True,
        # `/docs?urls.primaryName=EOSC Ordering API` opens that document.
        "queryConfigEnabled": True,
    }
    return templates.TemplateResponse(request, "docs.html", {"config": config})


# Where EOSC clients look for the Offering and Ordering API documents, and for the schema
# files their `$ref`s name (reference §1).
@_docs.get("/api_docs/swagger/v1/{file:path}")
def eosc_documents(file: str) -> Response:
    text = documents_folder().get(file)
    if text is None:
        return JSONResponse({"error": "No such document"}, status_code=404)
    return Response(text, media_type="application/json")


def _install_docs(app: FastAPI) -> None:
    swagger_ui = StaticFiles(directory=str(SWAGGER_UI_PY_ROOT / "static"))
    app.mount("/static/swagger-ui", swagger_ui, name="swagger")
    app.include_router(_docs)


class Mercato(FastAPI):
    """FastAPI, with a document that lists only the statuses the app sends."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            document = super().openapi()
            # FastAPI lists 422 for every route with parameters, but `invalid_request`
            # answers bad parameters and bodies 400, which each surface documents.
            for item in document["paths"].values():
                for operation in item.values():
                    operation["responses"].pop("422", None)
            schemas = document.get("components", {}).get("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
        return self.openapi_schema


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    # Close pooled connections so a stopped app leaves none open on the server.
    app.state.engine.dispose()
    app.state.paypal.close()


# Every area's routers, in the order their routes are matched.
_ROUTERS = (
    catalogue_api.router,
    ordering_api.router,
    marketplaces_api.router,
    store_api.router,
    commerce_api.router,
    rss_api.router,
    contracting_api.router,
    accounting_api.router,
    usage_api.router,
    usage_web_router,
    web_pages.router,
    accounts_web.router,
    store_web.router,
    search_web.router,
    catalogue_web.router,
    bundles_web.router,
    omses_web.router,
    marketplaces_web.router,
    commerce_web.router,
    revenue_web.router,
    acquire_web.router,
    plan_editor_web.router,
    purchases_web.router,
    paypal_webhook.router,
    invoices_web.router,
    notifications_web.router,
    deliveries_web.router,
    queue_web.router,
    projects_web.router,
    orders_web.router,
)


@cache
def _area_routes() -> tuple[BaseRoute, ...]:
    """The areas' routes, included once per process.

    FastAPI prepares an included router's routes (their dependencies) on the first
    request it matches: 0.1 s that every new app paid again, the test suite's two
    thousand apps above all. Apps made in one process share them; a route reaches its
    own app's state through the request.
    """
    routes = APIRouter()
    for router in _ROUTERS:
        routes.include_router(router)
    return tuple(routes.routes)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = make_engine(settings.resolved_database_url)
    watch_writes(engine, settings)
    app = Mercato(
        title="Mercato",
        summary="A service marketplace with order management.",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.read_session_factory = make_session_factory(read_only(engine))
    # Deliveries that a request's rules write are queued once its session commits.
    app.state.queue = TaskQueue(settings, app.state.session_factory)
    hand_over_deliveries(app.state.session_factory, app.state.queue)
    # The store checks and the pages show price plans with commerce's registries and
    # charges; neither the store nor the catalogue may import commerce, so they are handed in.
    app.state.pricing_terms = pricing_terms
    app.state.plan_tables = plan_tables
    app.state.offer_plan_tables = offer_plan_tables
    app.state.order_pricing = order_pricing
    app.state.acquire_urls = acquire_urls
    # One PayPal client, so that its access token serves every payment until it expires.
    app.state.paypal = PayPalClient(settings)
    # What a verified PayPal event is handed to (the payment flow settles payments there).
    app.state.paypal_hooks: list[paypal_webhook.WebhookHook] = [
        partial(settle_event, PayPalGateway(app.state.paypal))
    ]
    app.state.gateways = configured_gateways(settings, app.state.paypal)
    app.state.tokens = TokenCache(settings)
    app.state.tokens.watch(app.state.session_factory)
    secret = settings.resolved_secret_key()

    _install_error_handlers(app)
    _install_docs(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.router.routes.extend(_area_routes())
    app.add_middleware(KeptAnswers, settings=settings)
    app.add_middleware(
        PageSessions,
        secret_key=secret,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.is_secure,
    )
    app.add_middleware(
        page_csrf,
        signing_secret=secret,
        cookie_secure=settings.is_secure,
        # asgi_csrf lets cookie-less POSTs through; a forged login would need exactly that.
        always_protect={"/login"},
        # Store pages check the token of their multipart (upload) forms themselves.
        skip_if_scope=store_web.checks_own_csrf,
    )
    app.add_middleware(TrailingSlashes)
    return app
