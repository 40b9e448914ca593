"""Checking uploaded files before anything is stored: names, sizes, media types, contents."""

import fnmatch
import re
from dataclasses import dataclass

from mercato.errors import Invalid
from mercato.settings import Settings

MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")

# Leading bytes of the types whose contents are easy to recognise; a declared
# type from this table must match the file (an "image/png" that is not a PNG is refused).
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
    "application/zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "application/gzip": (b"\x1f\x8b",),
}


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def _is_webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def content_matches(media_type: str, data: bytes) -> bool:
    if media_type == "image/webp":
        return _is_webp(data)
    signatures = _SIGNATURES.get(media_type)
    return signatures is None or data.startswith(signatures)


def check_media_type(value: object, field: str = "content_type") -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid.field(field, "is missing")
    # The Programmer Guide's own link example doubles the slash; read it as the one meant.
    media_type = re.sub(r"/+", "/", value.strip().lower())
    if len(media_type) > 255 or not MEDIA_TYPE.match(media_type):
        raise Invalid.field(field, f"'{value}' is not a media type (type/subtype)")
    return media_type


def check_allowed_media_type(settings: Settings, media_type: str) -> None:
    patterns = [p.strip().lower() for p in settings.asset_media_types.split(",") if p.strip()]
    if patterns and not any(fnmatch.fnmatchcase(media_type, p) for p in patterns):
        raise Invalid.field("content_type", f"'{media_type}' is not accepted by this store")


def check_asset_file(settings: Settings, upload: Upload, media_type: str, field: str) -> None:
    if not upload.data:
        raise Invalid.field(field, "is empty")
    if len(upload.data) > settings.asset_max_bytes:
        raise Invalid.field(field, f"is larger than {settings.asset_max_bytes} bytes")
    if not content_matches(media_type, upload.data):
        raise Invalid.field(field, f"does not hold {media_type} content")


def image_type(data: bytes) -> str | None:
    if _is_webp(data):
        return "image/webp"
    for media_type in ("image/png", "image/jpeg", "image/gif"):
        if data.startswith(_SIGNATURES[media_type]):
            return media_type
    return None


def check_image(settings: Settings, upload: Upload, field: str) -> str:
    """The image's media type, read from its contents; only PNG, JPEG, GIF and WebP."""
    if len(upload.data) > settings.image_max_bytes:
        raise Invalid.field(field, f"is larger than {settings.image_max_bytes} bytes")
    media_type = image_type(upload.data)
    if media_type is None:
        raise Invalid.field(field, "must be a PNG, JPEG, GIF or WebP image")
    return media_type
