"""The demo catalogue: one module per provider, each describing its services and offers."""

from mercato.demo.catalogue import (
    alpine_hpc,
    helix_life,
    identity_federation,
    lowlands_archive,
    nordic_cloud,
    training_network,
)
from mercato.demo.specs import ProviderSpec

PROVIDERS: tuple[ProviderSpec, ...] = (
    nordic_cloud.PROVIDER,
    alpine_hpc.PROVIDER,
    helix_life.PROVIDER,
    lowlands_archive.PROVIDER,
    identity_federation.PROVIDER,
    training_network.PROVIDER,
)
