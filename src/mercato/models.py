"""Every table, imported in one place so metadata and migrations see them all."""

from mercato.accounts.models import ApiToken, DataAdministrator, Provider, User
from mercato.catalogue.models import (
    Bundle,
    BundleOffer,
    Category,
    Offer,
    Oms,
    ScientificDomain,
    Service,
)
from mercato.commerce.invoice_models import Invoice, InvoiceLine, InvoiceSeries
from mercato.commerce.models import (
    Currency,
    PriceUnit,
    PurchaseNotification,
    PurchaseNotificationAttempt,
    TaxRate,
)
from mercato.commerce.revenue_models import (
    RevenueModel,
    RevenueRecord,
    RevenueStakeholder,
    RssRegistration,
)
from mercato.ordering.models import (
    Delivery,
    DeliveryAttempt,
    Event,
    IdempotencyKey,
    Message,
    Order,
    Project,
    StatusChange,
)
from mercato.store.marketplaces.models import (
    Marketplace,
    Publication,
    PublicationAttempt,
    RemoteOffering,
    RemoteStore,
    Repository,
)
from mercato.store.models import Asset, ProviderStoreSettings, Review, StoreOffering
from mercato.usage.models import ExpenditureLimit, StoppedCharge, UsageRecord

__all__ = [
    "ApiToken",
    "Asset",
    "Bundle",
    "BundleOffer",
    "Category",
    "Currency",
    "DataAdministrator",
    "Delivery",
    "DeliveryAttempt",
    "Event",
    "ExpenditureLimit",
    "IdempotencyKey",
    "Invoice",
    "InvoiceLine",
    "InvoiceSeries",
    "Marketplace",
    "Message",
    "Offer",
    "Oms",
    "Order",
    "PriceUnit",
    "Project",
    "Provider",
    "ProviderStoreSettings",
    "Publication",
    "PublicationAttempt",
    "PurchaseNotification",
    "PurchaseNotificationAttempt",
    "RemoteOffering",
    "RemoteStore",
    "Repository",
    "RevenueModel",
    "RevenueRecord",
    "RevenueStakeholder",
    "Review",
    "RssRegistration",
    "ScientificDomain",
    "Service",
    "StatusChange",
    "StoppedCharge",
    "StoreOffering",
    "TaxRate",
    "UsageRecord",
    "User",
]
