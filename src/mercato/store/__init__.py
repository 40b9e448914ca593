"""The store: digital assets, versioned offerings, reviews and tags (the WStore API)."""
