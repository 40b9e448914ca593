"""One search over the marketplace: catalogue services and offers and store offerings,
found in the store's full-text index (mercato.store.search_index), with facets."""
