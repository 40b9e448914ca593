"""An OMS's trigger: checked against the outgoing allow-list when it is saved."""

from dataclasses import replace

from sqlalchemy.orm import Session

from mercato.catalogue.models import Oms, TriggerMethod
from mercato.catalogue.omses import oms_data, update_oms
from mercato.outgoing import check_url
from mercato.settings import Settings


def check_trigger_url(settings: Settings, url: str) -> str:
    """The trigger URL, stripped, if it calls an allowed address; empty means no trigger."""
    return check_url(settings, url, "trigger_url")


def set_trigger(
    session: Session,
    settings: Settings,
    oms: Oms,
    url: str,
    method: TriggerMethod,
    user: str = "",
    password: str = "",
) -> Oms:
    """Set (or, with an empty URL, remove) an OMS's trigger, refusing disallowed addresses."""
    url = check_trigger_url(settings, url)
    data = replace(
        oms_data(oms),
        trigger_url=url,
        trigger_method=method,
        trigger_user=user,
        trigger_password=password,
    )
    return update_oms(session, oms, data)
