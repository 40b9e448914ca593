"""Users, providers and their data administrators, API tokens and web login."""
