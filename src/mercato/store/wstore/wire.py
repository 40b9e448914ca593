"""The WStore wire conventions (store-wire.md §0): auth, the envelope, media types, bodies.

Under ``/api/`` (but not the EOSC ``/api/v1/``) and ``/media/`` a caller is
known by ``Authorization: <type> <API token>`` or, without that header, by the
web session cookie. Answers that are not collections or entities are the
envelope ``{"message": ..., "result": "correct"|"error"}``, or its XML or
plain-text form when the client asks for one; entities keep the exact
``Content-Type`` spelling of the WStore view that sends them.
"""

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any
from xml.sax.saxutils import escape

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from mercato.accounts.models import User
from mercato.api.security import SESSION_COOKIE, by_token_or_session
from mercato.dependencies import DbSession
from mercato.errors import Conflict, Forbidden, Invalid, MercatoError, NotFound, Unavailable
from mercato.store.uploads import Upload

AUTHENTICATION_REQUIRED = "Authentication required"
UNSUPPORTED_MEDIA_TYPE = "Unsupported request media type"
INVALID_CONTENT = "Invalid content"
# WStore's challenge (its realm is the literal "Acme"), naming Mercato's login page and cookie.
CHALLENGE = f'Cookie realm="Acme" form-action="/login" cookie-name="{SESSION_COOKIE}"'

JSON = "application/json"
XML = "application/xml"
TEXT = "text/plain"
MULTIPART = "multipart/form-data"
# The Content-Type spellings of WStore's entity answers (reference §0.6), verbatim per view.
JSON_CAPS = "application/JSON; charset=UTF-8"
JSON_CHARSET_CAPS = "application/json; charset=UTF-8"
JSON_CHARSET_TIGHT = "application/json;charset=UTF-8"
JSON_CHARSET = "application/json; charset=utf-8"
JSON_BARE = "application/json"
# The formats an envelope can take, in the order that wins a tie (JSON for ``*/*``).
_FORMATS = (JSON, XML, TEXT)


def is_wstore_path(path: str) -> bool:
    if path.startswith("/media/"):
        return True
    return path.startswith("/api/") and not path.startswith("/api/v1/") and path != "/api/v1"


class WStoreError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def render_json(content: Any) -> bytes:
    """Python 2 ``json.dumps`` output, as WStore sends it: ``", "`` and ``": "``, ASCII."""
    return json.dumps(content).encode()


def entity(content: Any, media_type: str = JSON_CHARSET, status: int = 200) -> Response:
    """A list or object answer, with the ``Content-Type`` spelling of the WStore view."""
    return Response(render_json(content), status, media_type=media_type)


def _ranges(accept: str) -> list[tuple[str, str, float]]:
    ranges = []
    for item in accept.split(","):
        media_type, *params = item.split(";")
        kind, _, subtype = media_type.strip().lower().partition("/")
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if kind:
            ranges.append((kind, subtype or "*", quality))
    return ranges


def _fitness(candidate: str, ranges: list[tuple[str, str, float]]) -> tuple[int, float]:
    """mimeparse's rule: the most specific range that covers the candidate decides."""
    kind, _, subtype = candidate.partition("/")
    best = (-1, 0.0)
    for range_kind, range_subtype, quality in ranges:
        if range_kind not in (kind, "*") or range_subtype not in (subtype, "*"):
            continue
        fitness = (100 if range_kind == kind else 0) + (10 if range_subtype == subtype else 0)
        best = max(best, (fitness, quality), key=lambda pair: pair[0])
    return best


def envelope_format(request: Request) -> str:
    """JSON, XML or text, as WStore's ``build_response`` negotiates it.

    Where WStore crashes (no match) or answers XML (``*/*``) or ``None`` (no
    ``Accept``), Mercato answers JSON (reference §0.3, §11).
    """
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return JSON
    ranges = _ranges(request.headers.get("accept", ""))
    chosen, best = JSON, (-1, 0.0)
    for candidate in _FORMATS:
        fitness = _fitness(candidate, ranges)
        if fitness[1] > 0 and fitness > best:
            chosen, best = candidate, fitness
    return chosen


def envelope(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """The WStore answer for anything that is not a collection or an entity."""
    if status == 204:
        # Django drops a 204's content, so no WStore 204 ever carried the envelope.
        return Response(status_code=204, headers=headers)
    is_error = status >= 400
    match envelope_format(request):
        case "application/xml":
            tag = "error" if is_error else "message"
            body = f'<?xml version="1.0" encoding="utf-8"?><{tag}>{escape(message)}</{tag}>'
            return Response(body, status, headers, media_type="application/xml; charset=utf-8")
        case "text/plain":
            body = f"{'Error' if is_error else 'Correct'}: {message}"
            return Response(body, status, headers, media_type="text/plain; charset=utf-8")
    content = {"message": message, "result": "error" if is_error else "correct"}
    return Response(render_json(content), status, headers, media_type=JSON_CHARSET)


def wstore_error_for(error: MercatoError) -> WStoreError:
    if isinstance(error, NotFound):
        return WStoreError(404, str(error))
    if isinstance(error, Forbidden):
        return WStoreError(403, str(error) or "Forbidden")
    if isinstance(error, Unavailable):
        return WStoreError(502, str(error))
    if isinstance(error, Conflict):
        return WStoreError(409, str(error))
    if isinstance(error, Invalid):
        return WStoreError(400, str(error))
    raise TypeError(f"no WStore mapping for {type(error).__name__}")


def error_response(request: Request, error: WStoreError) -> Response:
    return envelope(request, error.status, error.message, error.headers)


def _header_token(request: Request) -> str | None:
    """The token of an ``Authorization: <type> <token>`` header, whatever the type word.

    As WStore in IdM mode: a request that carries the header is known by it alone.
    """
    header = request.headers.get("authorization")
    if header is None:
        return None
    return header.partition(" ")[2]


def optional_caller(request: Request, session: DbSession) -> User | None:
    token = _header_token(request)
    if token is not None:
        return request.app.state.tokens.user(session, token)
    user_id = request.session.get("user_id")
    return session.get(User, user_id) if isinstance(user_id, int) else None


def signed_in_caller(request: Request, session: DbSession) -> User:
    user = optional_caller(request, session)
    if user is None:
        raise WStoreError(401, AUTHENTICATION_REQUIRED, {"WWW-Authenticate": CHALLENGE})
    return user


def caller(
    request: Request, session: DbSession, _: Annotated[None, Depends(by_token_or_session)]
) -> User:
    return signed_in_caller(request, session)


Caller = Annotated[User, Depends(caller)]
OptionalCaller = Annotated[User | None, Depends(optional_caller)]


@dataclass(frozen=True)
class Body:
    """A request body: its JSON document and, for multipart requests, the file."""

    document: Any
    upload: Upload | None = None


def json_error_text(error: json.JSONDecodeError) -> str:
    """What Python 2's ``json`` (so WStore) says: a key problem, or nothing decodable."""
    if not error.msg.startswith("Expecting property name"):
        return "No JSON object could be decoded"
    return f"Expecting property name: line {error.lineno} column {error.colno} (char {error.pos})"


def parse_json(raw: str | bytes, invalid: str | None = None) -> Any:
    """A JSON document; else 400 with WStore's text, or ``invalid`` where the view says one."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise WStoreError(400, invalid or json_error_text(error)) from None


@dataclass(frozen=True)
class Received:
    """What the client sent, read from the stream before the (synchronous) route runs.

    ``checked`` is true when the route's dependency already held the media type
    against WStore's list for the endpoint (``JsonBody`` and the like).
    """

    media_type: str
    raw: bytes = b""
    form: FormData | None = None
    checked: bool = False


def _media_type(request: Request) -> str:
    # WStore compares the part before the first ";" exactly: no trimming, no case folding.
    return request.headers.get("content-type", "").split(";")[0]


async def _read(request: Request, media_type: str, checked: bool) -> Received:
    if media_type.strip().lower() == MULTIPART:
        return Received(MULTIPART, form=await request.form(), checked=checked)
    return Received(media_type, raw=await request.body(), checked=checked)


async def received(request: Request) -> Received:
    # The only async step of a write: the routes themselves run in the threadpool,
    # so their database work never blocks the event loop.
    return await _read(request, _media_type(request).strip().lower(), checked=False)


def accepting(*media_types: str) -> Callable[[Request], Awaitable[Received]]:
    """A body dependency that answers 415 unless the request's media type is listed.

    Where it sits among a route's parameters decides whether the 415 comes
    before the 401 (after ``Caller``) or not (before it), as WStore's order varies.
    """

    async def received_as_listed(request: Request) -> Received:
        media_type = _media_type(request)
        if media_type not in media_types:
            raise WStoreError(415, UNSUPPORTED_MEDIA_TYPE)
        return await _read(request, media_type, checked=True)

    return received_as_listed


# Unchecked: the media type is only looked at when the body is read.
ReceivedBody = Annotated[Received, Depends(received)]
JsonBody = Annotated[Received, Depends(accepting(JSON))]
JsonOrXmlBody = Annotated[Received, Depends(accepting(JSON, XML))]
JsonOrMultipartBody = Annotated[Received, Depends(accepting(JSON, MULTIPART))]


def read_body(
    received: Received,
    multipart_file: str | None = None,
    max_file_bytes: int = 0,
    invalid: str | None = None,
) -> Body:
    """JSON, or (where ``multipart_file`` names the file field) multipart with a ``json`` part.

    Whatever the media type, a non-multipart body is decoded as JSON, as WStore
    does (an XML body fails decoding). ``invalid`` replaces the decoder's text
    where the WStore view answers its own. A file is read up to one byte past
    ``max_file_bytes``: enough for the rules to refuse it as too large without
    holding all of it.
    """
    if received.form is None:
        if not received.checked:
            return _unchecked_document(received)
        return Body(parse_json(received.raw, invalid))
    if multipart_file is None:
        raise WStoreError(415, UNSUPPORTED_MEDIA_TYPE)
    document = received.form.get("json")
    upload = received.form.get(multipart_file)
    if not isinstance(document, str) or not isinstance(upload, UploadFile):
        raise WStoreError(400, INVALID_CONTENT)
    data = upload.file.read(max_file_bytes + 1)
    return Body(parse_json(document, invalid), Upload(upload.filename or "", data))


def _unchecked_document(received: Received) -> Body:
    if received.media_type == JSON:
        return Body(parse_json(received.raw) if received.raw.strip() else {})
    if received.media_type == "" and not received.raw:
        return Body({})
    raise WStoreError(415, UNSUPPORTED_MEDIA_TYPE)


# What each error status of a WStore route means, for the OpenAPI document.
_MEANINGS = {
    400: "The body or a parameter is not acceptable",
    401: "No API token or session: `Authentication required`",
    403: "The caller may not do this",
    404: "No such resource, offering, review, store or marketplace",
    409: "Creating: one of that name or version exists already",
    415: "A body of a media type the route does not take: `Unsupported request media type`",
    502: "A marketplace, store or repository did not answer as it should",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error statuses a WStore route sends, and only those, for the OpenAPI document."""
    return {
        status: {"description": f"{_MEANINGS[status]}; the body is the error envelope"}
        for status in statuses
    }
