"""Domain errors raised by rules; each surface maps them to its own HTTP bodies once."""


class MercatoError(Exception):
    """Base of every error a rule raises on purpose."""


class NotFound(MercatoError):
    """The thing asked for does not exist (or is not addressable by the caller)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found")
        self.what = what


class Forbidden(MercatoError):
    """The caller is known but may not do this."""


class Invalid(MercatoError):
    """Input broke a rule.

    ``errors`` maps a field to its messages, as the EOSC API shows them;
    ``details`` maps a dotted path (``parameters.2.config.maximum``) to one
    message, for forms that can point at the exact input.
    """

    def __init__(self, errors: dict[str, list[str]], details: dict[str, str] | None = None) -> None:
        super().__init__("; ".join(f"{k} {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors
        self.details = details or {}

    @classmethod
    def field(cls, name: str, message: str) -> "Invalid":
        return cls({name: [message]}, {name: message})


class Conflict(Invalid):
    """Input names something that already exists; surfaces that tell it apart answer 409."""


class Unprocessable(Invalid):
    """Input contradicts what an earlier request with it stored (an ``Idempotency-Key``
    sent again with another request); surfaces that tell it apart answer 422."""


class Unavailable(MercatoError):
    """An outside system (a marketplace, a repository) failed or did not answer; HTTP 502."""
