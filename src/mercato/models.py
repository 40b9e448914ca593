"""Every table, imported in one place so metadata and migrations see them all."""

from mercato.accounts.models import ApiToken, DataAdministrator, Provider, User
from mercato.catalogue.models import Category, Offer, ScientificDomain, Service
from mercato.ordering.models import Oms, Order, Project

__all__ = [
    "ApiToken",
    "Category",
    "DataAdministrator",
    "Offer",
    "Oms",
    "Order",
    "Project",
    "Provider",
    "ScientificDomain",
    "Service",
    "User",
]
