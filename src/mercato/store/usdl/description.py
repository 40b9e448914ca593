"""What a Linked USDL document says about one offering, as validated Pydantic models."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal as Choice
from typing import TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mercato.errors import Invalid

MAX_USDL_BYTES = 1024 * 1024

# --- the description --------------------------------------------------------------

_Model = TypeVar("_Model", bound=BaseModel)


def _canonical(items: list[_Model]) -> list[_Model]:
    # RDF keeps no order: a total order on content makes round trips compare equal.
    return sorted(items, key=lambda item: item.model_dump_json())


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Legal(_Part):
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)


class Variable(_Part):
    label: str
    type: Choice["usage", "constant"]
    value: Decimal | None = None

    @model_validator(mode="after")
    def _constants_have_values(self) -> "Variable":
        if self.type == "constant" and self.value is None:
            raise ValueError("a constant variable needs a value")
        return self


class Expression(_Part):
    operation: Choice["+", "-", "*", "/"]
    arg1: "str | Expression"
    arg2: "str | Expression"

    def variable_names(self) -> set[str]:
        names: set[str] = set()
        for arg in (self.arg1, self.arg2):
            names |= arg.variable_names() if isinstance(arg, Expression) else {arg}
        return names


class PriceFunction(_Part):
    label: str
    variables: dict[str, Variable]
    function: Expression

    @model_validator(mode="after")
    def _variables_are_declared(self) -> "PriceFunction":
        undeclared = self.function.variable_names() - self.variables.keys()
        if undeclared:
            raise ValueError(f"variables not declared: {', '.join(sorted(undeclared))}")
        return self


class PriceComponent(_Part):
    """Either basic (``value`` per ``unit``) or a price function, never both."""

    label: str
    description: str = ""
    value: Decimal | None = None
    unit: str | None = None
    text_function: str | None = None
    price_function: PriceFunction | None = None

    @model_validator(mode="after")
    def _one_way_of_pricing(self) -> "PriceComponent":
        basic = self.value is not None and self.unit is not None
        function = self.text_function is not None and self.price_function is not None
        if basic == function:
            raise ValueError(
                "a price component needs value and unit, or text_function and price_function"
            )
        return self


class PricePlan(_Part):
    title: str = Field(min_length=1)
    description: str = ""
    label: str | None = None
    currency: str | None = None
    price_components: list[PriceComponent] = []
    deductions: list[PriceComponent] = []

    @field_validator("price_components", "deductions")
    @classmethod
    def _sorted(cls, components: list[PriceComponent]) -> list[PriceComponent]:
        return _canonical(components)

    @model_validator(mode="after")
    def _priced_plans_name_a_currency(self) -> "PricePlan":
        if (self.price_components or self.deductions) and not self.currency:
            raise ValueError("a plan with price components needs a currency")
        return self


class OfferingDescription(_Part):
    uri: str | None = None
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str = Field(min_length=1)
    abstract: str = ""
    provider: str | None = None
    page: str | None = None
    image_url: str | None = None
    related_images: list[str] = []
    tags: list[str] = []
    includes: list[str] = []
    created: datetime | None = None
    modified: datetime | None = None
    legal: Legal | None = None
    price_plans: list[PricePlan] = []

    @field_validator("price_plans")
    @classmethod
    def _sorted_plans(cls, plans: list[PricePlan]) -> list[PricePlan]:
        return _canonical(plans)

    @field_validator("related_images", "tags", "includes")
    @classmethod
    def _as_set(cls, values: list[str]) -> list[str]:
        return sorted(set(values))

    @field_validator("uri", "page", "image_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None:
            _check_web_address(value)
        return value

    @field_validator("related_images", "includes")
    @classmethod
    def _web_addresses(cls, values: list[str]) -> list[str]:
        for value in values:
            _check_web_address(value)
        return values

    @field_validator("created", "modified")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @model_validator(mode="after")
    def _plan_labels(self) -> "OfferingDescription":
        labels = [plan.label for plan in self.price_plans]
        if len(labels) > 1 and None in labels:
            raise ValueError("every price plan needs a label when there are several")
        if len(set(labels)) != len(labels):
            raise ValueError("price plan labels must be unique")
        return self


def _check_web_address(value: str) -> None:
    # These end up in links and <img> tags: only absolute web addresses.
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http(s) address")


def check_price_plan(plan: object, field: str) -> PricePlan:
    """A stored price plan as Linked USDL must be able to show it."""
    try:
        return PricePlan.model_validate(plan)
    except ValidationError as error:
        raise Invalid.field(field, validation_message(error)) from None


def summary(error: Exception) -> str:
    # rdflib's messages span lines and quote the input; one short line is enough.
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]


def validation_message(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]
