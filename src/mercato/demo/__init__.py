"""Demo data: a realistic research-infrastructure catalogue and one user per role."""

from mercato.demo.loader import DemoAccount, load_demo

__all__ = ["DemoAccount", "load_demo"]
