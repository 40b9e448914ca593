"""Admin pages for the registries selling needs."""
