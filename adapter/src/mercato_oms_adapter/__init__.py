"""An OMS adapter for the EOSC Ordering API (Mercato or the EOSC Marketplace)."""
