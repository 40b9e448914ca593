"""Demo data: a realistic catalogue and one user per role, for trying Mercato out."""

from dataclasses import dataclass

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    roles: str
    password: str
    token: str


def load_demo(session: Session) -> list[DemoAccount]:
    """Placeholder until the demo catalogue lands; see mercato.demo.catalogue."""
    return []
