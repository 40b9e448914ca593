"""Reading submitted HTML forms."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.datastructures import FormData


async def _form(request: Request) -> FormData:
    return await request.form()


# Lets synchronous pages read a whole form whose field names are not known in advance.
SubmittedForm = Annotated[FormData, Depends(_form)]


def local_path(target: str, fallback: str = "/") -> str:
    """``target`` if it stays on this site, else ``fallback``: no open redirects."""
    parts = urlsplit(target)
    is_local = (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not parts.scheme
        and not parts.netloc
    )
    return target if is_local else fallback
