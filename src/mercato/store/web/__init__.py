"""Store pages: home, assets, offerings, reviews, search and federation."""
