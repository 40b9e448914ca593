"""Account pages: logging in and out, and API tokens."""
