"""The WStore wire conventions (reference §1): auth, the message envelope, bodies.

Under ``/api/`` (but not the EOSC ``/api/v1/``) and ``/media/`` a caller is
known by ``Authorization: Bearer <API token>`` or by the web session cookie.
Answers that are not collections or entities are the envelope
``{"message": ..., "result": "correct"|"error"}``, or its XML or plain-text
form when the client asks for one.
"""

import json
from dataclasses import dataclass
from typing import Annotated, Any
from xml.sax.saxutils import escape

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import FormData, UploadFile

from mercato.accounts.models import User
from mercato.dependencies import DbSession
from mercato.errors import Conflict, Forbidden, Invalid, MercatoError, NotFound, Unavailable
from mercato.store.uploads import Upload

AUTHENTICATION_REQUIRED = "Authentication required"
UNSUPPORTED_MEDIA_TYPE = "Unsupported request media type"
SESSION_COOKIE = "mercato_session"
# WStore's challenge, naming Mercato's login page and session cookie.
CHALLENGE = f'Cookie realm="Mercato" form-action="/login" cookie-name="{SESSION_COOKIE}"'


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


def _wants(request: Request) -> str:
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return "json"
    for item in request.headers.get("accept", "").split(","):
        media_type = item.split(";")[0].strip().lower()
        if "json" in media_type or media_type in ("*/*", "application/*"):
            return "json"
        if "xml" in media_type:
            return "xml"
        if media_type in ("text/plain", "text/*"):
            return "text"
    return "json"


def envelope(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """The WStore answer for anything that is not a collection or an entity."""
    is_error = status >= 400
    match _wants(request):
        case "xml":
            tag = "error" if is_error else "message"
            body = f"<{tag}>{escape(message)}</{tag}>"
            return Response(body, status, headers, media_type="application/xml")
        case "text":
            body = f"{'Error' if is_error else 'Correct'}: {message}"
            return Response(body, status, headers, media_type="text/plain")
    content = {"message": message, "result": "error" if is_error else "correct"}
    return JSONResponse(content, status, headers)


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


def _bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def optional_caller(request: Request, session: DbSession) -> User | None:
    token = _bearer_token(request)
    if token:
        return request.app.state.tokens.user(session, token)
    user_id = request.session.get("user_id")
    return session.get(User, user_id) if isinstance(user_id, int) else None


def caller(request: Request, session: DbSession) -> User:
    user = optional_caller(request, session)
    if user is None:
        raise WStoreError(401, AUTHENTICATION_REQUIRED, {"WWW-Authenticate": CHALLENGE})
    return user


Caller = Annotated[User, Depends(caller)]
OptionalCaller = Annotated[User | None, Depends(optional_caller)]


@dataclass(frozen=True)
class Body:
    """A request body: its JSON document and, for multipart requests, the file."""

    document: Any
    upload: Upload | None = None


def _parse_json(raw: str | bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise WStoreError(400, "Invalid JSON content") from None


@dataclass(frozen=True)
class Received:
    """What the client sent, read from the stream before the (synchronous) route runs."""

    media_type: str
    raw: bytes = b""
    form: FormData | None = None


async def received(request: Request) -> Received:
    # The only async step of a write: the routes themselves run in the threadpool,
    # so their database work never blocks the event loop.
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        return Received(media_type, form=await request.form())
    return Received(media_type, raw=await request.body())


ReceivedBody = Annotated[Received, Depends(received)]


def read_body(
    received: Received, multipart_file: str | None = None, max_file_bytes: int = 0
) -> Body:
    """JSON, or (where ``multipart_file`` names the file field) multipart with a ``json`` part.

    A file is read up to one byte past ``max_file_bytes``: enough for the rules
    to refuse it as too large without holding all of it.
    """
    if received.media_type == "application/json" or (
        received.media_type == "" and not received.raw
    ):
        return Body(_parse_json(received.raw) if received.raw.strip() else {})
    if received.form is None or multipart_file is None:
        raise WStoreError(415, UNSUPPORTED_MEDIA_TYPE)
    document = received.form.get("json")
    if not isinstance(document, str):
        raise WStoreError(400, "json: the multipart request needs a json part")
    upload = received.form.get(multipart_file)
    if not isinstance(upload, UploadFile):
        return Body(_parse_json(document))
    data = upload.file.read(max_file_bytes + 1)
    return Body(_parse_json(document), Upload(upload.filename or "", data))
