"""The EOSC Marketplace wire conventions: token auth, error bodies, JSON-Schema checks.

Error strings are those of the real EOSC Marketplace (reference §1), which
clients compare and log, so they are kept to the letter.
"""

import json
from typing import TYPE_CHECKING, Annotated, Any

import orjson
from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from mercato.accounts.models import User
from mercato.api.security import by_user_token
from mercato.dependencies import DbSession
from mercato.errors import Forbidden, Invalid, MercatoError, NotFound

if TYPE_CHECKING:
    from jsonschema import ValidationError

UNAUTHENTICATED = "You need to sign in or sign up before continuing."
FORBIDDEN = "You are not authorized to perform this action."
TOKEN_HEADER = "X-User-Token"


class EoscError(Exception):
    """An error already in EOSC form: a status and the value of ``error``."""

    def __init__(self, status: int, error: str | dict[str, list[str]]) -> None:
        super().__init__(str(error))
        self.status = status
        self.error = error


def eosc_error_for(error: MercatoError) -> EoscError:
    if isinstance(error, NotFound):
        return EoscError(404, f"{error.what} not found")
    if isinstance(error, Forbidden):
        return EoscError(403, FORBIDDEN)
    if isinstance(error, Invalid):
        return EoscError(400, error.errors)
    raise TypeError(f"no EOSC mapping for {type(error).__name__}")


def json_response(content: Any) -> Response:
    """A 200 with ``content`` as compact UTF-8 JSON, as FastAPI writes a returned dict.

    A route that returns this skips FastAPI's validation and serialisation of its
    answer (a walk over the whole document), and orjson writes it several times
    faster than the standard library; the bytes are the same.
    """
    return Response(orjson.dumps(content), media_type="application/json")


def error_response(error: EoscError) -> JSONResponse:
    return JSONResponse({"error": error.error}, status_code=error.status)


async def token_user(
    request: Request, session: DbSession, _: Annotated[None, Depends(by_user_token)]
) -> User:
    """The user behind `X-User-Token`; checked before anything else, as EOSC does.

    A remembered token is answered here, on the event loop, without a query; only
    a lookup in the database takes a trip to the threadpool.
    """
    tokens, plain = request.app.state.tokens, request.headers.get(TOKEN_HEADER, "")
    user = tokens.remembered(session, plain)
    if user is None:
        user = await run_in_threadpool(tokens.user, session, plain)
    if user is None:
        raise EoscError(401, UNAUTHENTICATED)
    return user


TokenUser = Annotated[User, Depends(token_user)]


async def _raw_body(request: Request) -> bytes:
    # The only async step of a write: the routes run in the threadpool, and parse
    # the body themselves so EOSC's order of checks (404 before 400) holds.
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


def json_body(raw: bytes) -> Any:
    """The request body parsed as JSON; an empty body reads as ``{}``."""
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise EoscError(400, "The request body is not valid JSON") from None


def json_body_doc(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI for a route that reads its JSON body itself (to word errors as EOSC does)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


# --- JSON-Schema checks in the wording of Ruby's json-schema gem ---------------------

_TYPE_NAMES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
}


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _fragment(error: "ValidationError") -> str:
    return "#/" + "/".join(str(part) for part in error.absolute_path)


def _ruby_inspect(value: Any) -> str:
    """A JSON value as Ruby 3.3's ``inspect`` writes it, which the gem puts in its messages."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_ruby_inspect(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{_ruby_inspect(key)}=>{_ruby_inspect(item)}" for key, item in value.items())
        return "{" + ", ".join(pairs) + "}"
    return json.dumps(value)


def _ruby_text(value: Any) -> str:
    """Ruby's ``to_s``, as ``Array#join`` applies it to enum values."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return _ruby_inspect(value)


def gem_message(error: "ValidationError") -> str:
    """Render one jsonschema error as the json-schema gem (used by EOSC) words it.

    ``allOf`` passes its sub-schema's message on unchanged, so the leaf error is
    rendered wherever it sits; ``oneOf`` and ``anyOf`` swallow theirs (reference §8.1).
    """
    subject = f"The property '{_fragment(error)}'"
    of_type = f"{subject} of type {_type_name(error.instance)}"
    match error.validator:
        case "required":
            missing = str(error.message).split("'")[1]
            return f"{subject} did not contain a required property of '{missing}'"
        case "enum":
            values = ", ".join(_ruby_text(v) for v in error.validator_value)
            return (
                f"{subject} value {_ruby_inspect(error.instance)} "
                f"did not match one of the following values: {values}"
            )
        case "type" if isinstance(error.validator_value, list):
            types = ", ".join(error.validator_value)
            return f"{of_type} did not match one or more of the following types: {types}"
        case "type":
            return f"{of_type} did not match the following type: {error.validator_value}"
        case "oneOf" if error.context:
            return f"{of_type} did not match any of the required schemas"
        case "oneOf":
            return f"{of_type} matched more than one of the required schemas"
        case "anyOf":
            return f"{of_type} did not match one or more of the required schemas"
        case "uniqueItems":
            return f"{subject} contained duplicated array values"
        case "not":
            return f"{of_type} matched the disallowed schema"
        case "additionalProperties":
            known = error.schema.get("properties", {})
            extra = [key for key in error.instance if key not in known]
            return (
                f"{subject} contains additional properties {_ruby_inspect(extra)} "
                "outside of the schema when none are allowed"
            )
        case "minProperties":
            return (
                f"{subject} did not contain a minimum number of properties {error.validator_value}"
            )
        case _:
            return f"{of_type} did not match the schema"


def check_schema(document: Any, schema: dict[str, Any]) -> None:
    """Raise the EOSC 400 for the first schema violation, in the schema's own order."""
    # Imported here, not at start: only EOSC write requests need jsonschema, and
    # a web process that never sees one saves its memory. Callers are sync routes
    # (a worker thread), so the first import does not block the event loop.
    from jsonschema import Draft4Validator

    error = next(Draft4Validator(schema).iter_errors(document), None)
    if error is not None:
        raise EoscError(400, gem_message(error))
