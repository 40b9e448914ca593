"""The EOSC Marketplace's URL rule (its ``mp_url`` validator) for offers and bundles."""

from urllib.parse import urlsplit

NOT_A_URL = "is not a valid URL"


def is_valid_url(value: str) -> bool:
    """An http(s) URL whose host has a dot, so ``localhost`` and bare names are refused.

    Upstream also checks the host against the public-suffix list; a host that is
    itself a suffix (``co.uk``) passes here.
    """
    if any(character.isspace() for character in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:  # an unparsable port or address
        return False
    return parts.scheme in ("http", "https") and "." in host and all(host.split("."))
