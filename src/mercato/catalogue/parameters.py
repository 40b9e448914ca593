"""The seven types of an offer's technical parameters and their rules.

Shapes and rules follow the EOSC Marketplace (reference §2.3). Parameters are
stored in their read shape: the normalised form with every default filled in.
"""

from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from mercato.errors import Invalid

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Choice = str | int
PARAMETER_TYPES = ("attribute", "input", "select", "multiselect", "date", "range", "quantity_price")


def _has_duplicates(values: list[Any]) -> bool:
    # Compare with the type, so 1 and "1" (and True) are different choices.
    keys = [(type(value).__name__, value) for value in values]
    return len(set(keys)) != len(keys)


class _Parameter(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    id: Text
    label: Text
    description: str | None = None

    def read_shape(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class AttributeParameter(_Parameter):
    """A fixed property of the offer (EOSC model class `Parameter::Constant`)."""

    type: Literal["attribute"]
    value: Text
    value_type: Literal["string", "integer"]
    unit: str | None = None

    @model_validator(mode="after")
    def _value_matches_type(self) -> Self:
        if self.value_type == "integer":
            try:
                int(self.value)
            except ValueError:
                raise ValueError("value must be an integer") from None
        return self


class InputParameter(_Parameter):
    """Free text the customer types when ordering."""

    type: Literal["input"]
    unit: str | None = None
    value_type: Literal["string", "integer"]
    sensitive: bool = False


class _Choices(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    values: list[Choice] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        if _has_duplicates(self.values):
            raise ValueError("values must be unique")
        return self


class SelectConfig(_Choices):
    mode: Literal["dropdown", "buttons"]


class MultiselectConfig(_Choices):
    minItems: int | None = None
    maxItems: int | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        low = 1 if self.minItems is None else self.minItems
        high = len(self.values) if self.maxItems is None else self.maxItems
        if not 1 <= low <= high <= len(self.values):
            raise ValueError("need 1 <= minItems <= maxItems <= number of values")
        return self.model_copy(update={"minItems": low, "maxItems": high})


class _ChoiceParameter(_Parameter):
    config: _Choices
    value_type: Literal["string", "integer"]
    unit: str | None = None

    @model_validator(mode="after")
    def _typed_values(self) -> Self:
        expected = int if self.value_type == "integer" else str
        if any(type(value) is not expected for value in self.config.values):
            raise ValueError(f"every value must be of type {self.value_type}")
        return self


class SelectParameter(_ChoiceParameter):
    """One choice out of a list."""

    type: Literal["select"]
    config: SelectConfig


class MultiselectParameter(_ChoiceParameter):
    """Several choices out of a list, between minItems and maxItems of them."""

    type: Literal["multiselect"]
    config: MultiselectConfig


class DateParameter(_Parameter):
    type: Literal["date"]
    value_type: Literal["string"] = "string"


class RangeConfig(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    minimum: int
    maximum: int
    exclusiveMinimum: bool | None = None
    exclusiveMaximum: bool | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.minimum > self.maximum:
            raise ValueError("minimum must not be greater than maximum")
        if self.minimum == self.maximum and (self.exclusiveMinimum or self.exclusiveMaximum):
            raise ValueError("an exclusive bound leaves the range empty")
        return self


class RangeParameter(_Parameter):
    """An integer the customer picks between two bounds."""

    type: Literal["range"]
    unit: str | None = None
    value_type: Literal["integer"] = "integer"
    config: RangeConfig


class QuantityPriceConfig(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    start_price: int = Field(ge=0)
    step_price: int = Field(ge=0)
    max: int | None = Field(None, gt=0)
    currency: Text


class QuantityPriceParameter(_Parameter):
    """A quantity the customer orders, priced from a start price plus a price per step."""

    type: Literal["quantity_price"]
    value_type: Literal["integer"] = "integer"
    config: QuantityPriceConfig

    def read_shape(self) -> dict[str, Any]:
        return self.model_dump(
            mode="json", include={"id", "type", "label", "description", "value_type", "config"}
        )


Parameter = Annotated[
    AttributeParameter
    | InputParameter
    | SelectParameter
    | MultiselectParameter
    | DateParameter
    | RangeParameter
    | QuantityPriceParameter,
    Field(discriminator="type"),
]
_parameter_list = TypeAdapter(list[Parameter])


def _location(loc: tuple[int | str, ...]) -> str:
    # Pydantic puts the union tag after the index ((2, "select", "config")); a
    # form wants "parameters.2.config".
    parts = [str(part) for part in loc if part not in PARAMETER_TYPES]
    return ".".join(["parameters", *parts])


_MESSAGES = {
    "missing": "can't be blank",
    "string_too_short": "can't be blank",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "bool_type": "must be true or false",
    "too_short": "needs at least one value",
    "list_type": "must be a list",
    "union_tag_invalid": "is not a parameter type",
    "union_tag_not_found": "needs a type",
}


def _message(problem: ErrorDetails) -> str:
    """Pydantic's problem in the words a provider reads next to an input."""
    kind = problem["type"]
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "value_error":
        return str(problem["ctx"]["error"])
    if kind in ("greater_than_equal", "greater_than"):
        bound = next(iter(problem["ctx"].values()))
        return (
            f"must be at least {bound}"
            if kind == "greater_than_equal"
            else (f"must be greater than {bound}")
        )
    return problem["msg"].replace("Input should be", "must be")


def check_parameters(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate parameters and return them in their stored (read) shape.

    Raises ``Invalid`` with ``{"parameters": ["is invalid"]}`` as the EOSC API
    reports it, and one detail per broken input for forms.
    """
    try:
        parameters = _parameter_list.validate_python(raw)
    except ValidationError as error:
        details: dict[str, str] = {}
        for problem in error.errors():
            details.setdefault(_location(problem["loc"]), _message(problem))
        raise Invalid({"parameters": ["is invalid"]}, details) from None
    seen: dict[str, int] = {}
    for index, parameter in enumerate(parameters):
        if parameter.id in seen:
            raise Invalid(
                {"parameters": ["is invalid"]},
                {f"parameters.{index}.id": f"repeats the id of parameter {seen[parameter.id] + 1}"},
            )
        seen[parameter.id] = index
    return [parameter.read_shape() for parameter in parameters]
