"""Site admins' pages for price units, currencies and tax rates: a list with an add form,
the same form to change one, and buttons to remove. Plain forms, no script needed."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from mercato.accounts.models import User
from mercato.accounts.web.auth import CurrentUser
from mercato.commerce import registry
from mercato.commerce.models import Currency, PriceUnit, PricingModel, TaxRate
from mercato.dependencies import DbSession
from mercato.errors import Forbidden, Invalid
from mercato.web.forms import SubmittedForm
from mercato.web.rendering import flash, render

router = APIRouter(include_in_schema=False)
UNITS = "/admin/units"
CURRENCIES = "/admin/currencies"
TAX_RATES = "/admin/tax-rates"
MODELS = [(model.value, model.value.capitalize()) for model in PricingModel]


def _admin(user: CurrentUser) -> User:
    registry.check_admin(user)
    return user


AdminUser = Annotated[User, Depends(_admin)]


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _errors(error: Invalid) -> dict[str, list[str]]:
    return {key: [message] for key, message in error.details.items()}


def _page(
    request: Request,
    template: str,
    context: dict[str, Any],
    form: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
) -> Response:
    full = {**context, "form": form, "errors": errors or {}, "models": MODELS}
    return render(request, template, full, 400 if errors else 200)


def _saved(
    request: Request,
    session: Session,
    save: Callable[[], object],
    show: Callable[[dict[str, list[str]]], Response],
    message: str,
    back: str,
) -> Response:
    """Run a rule; on refusal show the form again with the fields' errors, nothing kept."""
    try:
        save()
    except Invalid as error:
        session.rollback()
        return show(_errors(error))
    flash(request, message)
    return RedirectResponse(back, status_code=303)


# --- price units ---------------------------------------------------------------------


def _unit_form(unit: PriceUnit | None = None) -> dict[str, Any]:
    if unit is None:
        return {"defined_model": PricingModel.PAY_PER_USE.value}
    return {
        "name": unit.name,
        "defined_model": unit.model.value,
        "renovation_period": unit.renewal_days or "",
    }


def _unit_data(submitted: FormData) -> tuple[dict[str, Any], registry.UnitData]:
    form = {k: _text(submitted, k) for k in ("name", "defined_model", "renovation_period")}
    return form, registry.UnitData(form["name"], form["defined_model"], form["renovation_period"])


def _units_page(
    request: Request,
    session: Session,
    form: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    editing: PriceUnit | None = None,
) -> Response:
    context = {"units": registry.list_units(session), "editing": editing}
    return _page(request, "commerce/units.html", context, form, errors)


@router.get(UNITS)
def units(request: Request, session: DbSession, admin: AdminUser) -> Response:
    return _units_page(request, session, _unit_form())


@router.post(UNITS)
def add_unit(
    request: Request, session: DbSession, admin: AdminUser, submitted: SubmittedForm
) -> Response:
    form, data = _unit_data(submitted)
    return _saved(
        request,
        session,
        lambda: registry.add_unit(session, data),
        lambda errors: _units_page(request, session, form, errors),
        f"Price unit “{data.name}” is registered.",
        UNITS,
    )


@router.get(UNITS + "/{unit_id}/edit")
def edit_unit(request: Request, session: DbSession, admin: AdminUser, unit_id: int) -> Response:
    unit = registry.find_unit(session, unit_id)
    return _units_page(request, session, _unit_form(unit), editing=unit)


@router.post(UNITS + "/{unit_id}/edit")
def change_unit(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    submitted: SubmittedForm,
    unit_id: int,
) -> Response:
    unit = registry.find_unit(session, unit_id)
    form, data = _unit_data(submitted)
    return _saved(
        request,
        session,
        lambda: registry.change_unit(session, unit, data),
        lambda errors: _units_page(
            request, session, form, errors, registry.find_unit(session, unit_id)
        ),
        f"Price unit “{data.name}” is changed.",
        UNITS,
    )


@router.post(UNITS + "/{unit_id}/delete")
def remove_unit(request: Request, session: DbSession, admin: AdminUser, unit_id: int) -> Response:
    unit = registry.find_unit(session, unit_id)
    name = unit.name
    registry.remove_unit(session, unit)
    flash(request, f"Price unit “{name}” is removed.")
    return RedirectResponse(UNITS, status_code=303)


# --- currencies ----------------------------------------------------------------------


def _currency_form(currency: Currency | None = None) -> dict[str, Any]:
    if currency is None:
        return {"minor_unit": "2"}
    return {
        "currency": currency.code,
        "name": currency.name,
        "minor_unit": str(currency.minor_unit),
        "default": currency.is_default,
    }


def _currency_data(submitted: FormData) -> tuple[dict[str, Any], registry.CurrencyData]:
    form: dict[str, Any] = {k: _text(submitted, k) for k in ("currency", "name", "minor_unit")}
    form["default"] = "default" in submitted
    digits = form["minor_unit"]
    if not digits.isdigit():
        raise Invalid.field("minor_unit", registry.INVALID_MINOR_UNIT)
    data = registry.CurrencyData(form["currency"], form["name"], int(digits), form["default"])
    return form, data


def _currencies_page(
    request: Request,
    session: Session,
    form: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    editing: Currency | None = None,
) -> Response:
    context = {"currencies": registry.list_currencies(session), "editing": editing}
    return _page(request, "commerce/currencies.html", context, form, errors)


def _submitted_currency(
    request: Request, session: Session, submitted: FormData, editing: Currency | None
) -> tuple[dict[str, Any], registry.CurrencyData | Response]:
    try:
        return _currency_data(submitted)
    except Invalid as error:
        form = {k: _text(submitted, k) for k in ("currency", "name", "minor_unit")}
        return form, _currencies_page(request, session, form, _errors(error), editing)


@router.get(CURRENCIES)
def currencies(request: Request, session: DbSession, admin: AdminUser) -> Response:
    return _currencies_page(request, session, _currency_form())


@router.post(CURRENCIES)
def add_currency(
    request: Request, session: DbSession, admin: AdminUser, submitted: SubmittedForm
) -> Response:
    form, data = _submitted_currency(request, session, submitted, None)
    if isinstance(data, Response):
        return data
    return _saved(
        request,
        session,
        lambda: registry.add_currency(session, data),
        lambda errors: _currencies_page(request, session, form, errors),
        f"Currency {data.code} is registered.",
        CURRENCIES,
    )


@router.get(CURRENCIES + "/{currency_id}/edit")
def edit_currency(
    request: Request, session: DbSession, admin: AdminUser, currency_id: int
) -> Response:
    currency = registry.find_currency_by_id(session, currency_id)
    return _currencies_page(request, session, _currency_form(currency), editing=currency)


@router.post(CURRENCIES + "/{currency_id}/edit")
def change_currency(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    submitted: SubmittedForm,
    currency_id: int,
) -> Response:
    currency = registry.find_currency_by_id(session, currency_id)
    form, data = _submitted_currency(request, session, submitted, currency)
    if isinstance(data, Response):
        return data
    form["currency"] = currency.code
    return _saved(
        request,
        session,
        lambda: registry.change_currency(session, currency, data),
        lambda errors: _currencies_page(
            request, session, form, errors, registry.find_currency_by_id(session, currency_id)
        ),
        f"Currency {currency.code} is changed.",
        CURRENCIES,
    )


@router.post(CURRENCIES + "/{currency_id}/default")
def make_default_currency(
    request: Request, session: DbSession, admin: AdminUser, currency_id: int
) -> Response:
    currency = registry.find_currency_by_id(session, currency_id)
    registry.make_default_currency(session, currency)
    flash(request, f"{currency.code} is the default currency.")
    return RedirectResponse(CURRENCIES, status_code=303)


@router.post(CURRENCIES + "/{currency_id}/delete")
def remove_currency(
    request: Request, session: DbSession, admin: AdminUser, currency_id: int
) -> Response:
    currency = registry.find_currency_by_id(session, currency_id)
    code = currency.code
    try:
        registry.remove_currency(session, currency)
    except Forbidden as refused:
        session.rollback()
        flash(request, f"{code}: {refused}.", "error")
    else:
        flash(request, f"Currency {code} is removed.")
    return RedirectResponse(CURRENCIES, status_code=303)


# --- tax rates -----------------------------------------------------------------------


def _tax_rate_form(tax_rate: TaxRate | None = None) -> dict[str, Any]:
    if tax_rate is None:
        return {"label": "VAT"}
    return {"country": tax_rate.country, "rate": str(tax_rate.rate), "label": tax_rate.label}


def _tax_rate_data(submitted: FormData) -> tuple[dict[str, Any], registry.TaxRateData]:
    form = {k: _text(submitted, k) for k in ("country", "rate", "label")}
    return form, registry.TaxRateData(form["country"], form["rate"], form["label"])


def _tax_rates_page(
    request: Request,
    session: Session,
    form: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    editing: TaxRate | None = None,
) -> Response:
    context = {"tax_rates": registry.list_tax_rates(session), "editing": editing}
    return _page(request, "commerce/tax_rates.html", context, form, errors)


@router.get(TAX_RATES)
def tax_rates(request: Request, session: DbSession, admin: AdminUser) -> Response:
    return _tax_rates_page(request, session, _tax_rate_form())


@router.post(TAX_RATES)
def add_tax_rate(
    request: Request, session: DbSession, admin: AdminUser, submitted: SubmittedForm
) -> Response:
    form, data = _tax_rate_data(submitted)
    return _saved(
        request,
        session,
        lambda: registry.add_tax_rate(session, data),
        lambda errors: _tax_rates_page(request, session, form, errors),
        f"The tax rate of {form['country'].upper()} is registered.",
        TAX_RATES,
    )


@router.get(TAX_RATES + "/{tax_rate_id}/edit")
def edit_tax_rate(
    request: Request, session: DbSession, admin: AdminUser, tax_rate_id: int
) -> Response:
    tax_rate = registry.find_tax_rate(session, tax_rate_id)
    return _tax_rates_page(request, session, _tax_rate_form(tax_rate), editing=tax_rate)


@router.post(TAX_RATES + "/{tax_rate_id}/edit")
def change_tax_rate(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    submitted: SubmittedForm,
    tax_rate_id: int,
) -> Response:
    tax_rate = registry.find_tax_rate(session, tax_rate_id)
    form, data = _tax_rate_data(submitted)
    return _saved(
        request,
        session,
        lambda: registry.change_tax_rate(session, tax_rate, data),
        lambda errors: _tax_rates_page(
            request, session, form, errors, registry.find_tax_rate(session, tax_rate_id)
        ),
        f"The tax rate of {form['country'].upper()} is changed.",
        TAX_RATES,
    )


@router.post(TAX_RATES + "/{tax_rate_id}/delete")
def remove_tax_rate(
    request: Request, session: DbSession, admin: AdminUser, tax_rate_id: int
) -> Response:
    tax_rate = registry.find_tax_rate(session, tax_rate_id)
    country = tax_rate.country
    registry.remove_tax_rate(session, tax_rate)
    flash(request, f"The tax rate of {country} is removed.")
    return RedirectResponse(TAX_RATES, status_code=303)
