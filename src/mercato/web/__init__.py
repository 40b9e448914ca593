"""Server-rendered pages shared by every area: layout, rendering, forms, pagination."""

from pathlib import Path

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
