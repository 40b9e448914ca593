"""An offering's description as the offering form gives it: a simple form, a USDL file or URL."""

from starlette.datastructures import FormData

from mercato.errors import Invalid
from mercato.settings import Settings
from mercato.store.descriptions import description_from_usdl
from mercato.store.offerings import Description
from mercato.store.usdl import MAX_USDL_BYTES, fetch_usdl, parse_usdl
from mercato.store.web.common import text, uploaded

DESCRIPTION_SOURCES = {
    "form": "Fill in a simple form",
    "file": "Upload a Linked USDL document",
    "url": "Give the URL of a Linked USDL document",
}
# What a file's name says of its syntax, when the browser sends no useful media type.
_SUFFIX_FORMATS = {
    "ttl": "text/turtle",
    "rdf": "application/rdf+xml",
    "xml": "application/rdf+xml",
    "n3": "text/n3",
    "jsonld": "application/ld+json",
    "json": "application/ld+json",
}


def _form_description(form: FormData) -> Description:
    title, legal_text = text(form, "legal_title"), text(form, "legal_text")
    return Description(
        description=text(form, "description"),
        abstract=text(form, "abstract"),
        legal={"title": title, "text": legal_text} if title or legal_text else None,
    )


def _file_description(form: FormData) -> Description:
    upload = uploaded(form, "usdl_file", MAX_USDL_BYTES)
    if upload is None:
        raise Invalid.field("usdl_file", "choose a Linked USDL document to upload")
    suffix = upload.name.rsplit(".", 1)[-1].lower()
    if suffix not in _SUFFIX_FORMATS:
        known = ", ".join(f".{name}" for name in _SUFFIX_FORMATS)
        raise Invalid.field("usdl_file", f"name the file by its syntax: {known}")
    try:
        parsed = parse_usdl(upload.data, _SUFFIX_FORMATS[suffix])
    except Invalid as error:
        raise Invalid.field("usdl_file", "; ".join(error.details.values())) from None
    return description_from_usdl(parsed)


def _url_description(form: FormData, settings: Settings) -> Description:
    url = text(form, "usdl_url")
    if not url:
        raise Invalid.field("usdl_url", "give the address of the Linked USDL document")
    try:
        parsed = fetch_usdl(url, settings)
    except Invalid as error:
        raise Invalid.field("usdl_url", "; ".join(error.details.values())) from None
    return description_from_usdl(parsed, url)


def submitted_description(form: FormData, settings: Settings) -> Description:
    match text(form, "source"):
        case "form":
            return _form_description(form)
        case "file":
            return _file_description(form)
        case "url":
            return _url_description(form, settings)
    raise Invalid.field("source", "choose how the offering is described")
