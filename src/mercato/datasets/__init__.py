"""Data sets: the whole marketplace as one JSON document, for migrations, demos and backups."""
