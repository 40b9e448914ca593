"""Reading reports back: CSV into rows, SVG plots into their series."""

import csv
import io
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def plot_series(svg: str) -> dict[str, list[tuple[str, str]]]:
    """Each series' title (its legend) and its bars as (month label, value)."""
    root = ET.fromstring(svg.encode())
    legends = [
        text.text or ""
        for group in root.iter(f"{SVG}g")
        if group.get("class") == "legends"
        for text in group.iter(f"{SVG}text")
    ]
    plot = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "series serie-0 color-0")
    parent = {child: p for p in root.iter() for child in p}[plot]
    series: dict[str, list[tuple[str, str]]] = {}
    groups = [g for g in parent if (g.get("class") or "").startswith("series serie-")]
    for title, group in zip(legends, groups, strict=True):
        values = [d.text or "" for d in group.iter(f"{SVG}desc") if d.get("class") == "value"]
        labels = [d.text or "" for d in group.iter(f"{SVG}desc") if d.get("class") == "x_label"]
        series[title] = list(zip(labels, values, strict=True))
    return series


def plot_title(svg: str) -> str:
    root = ET.fromstring(svg.encode())
    titles = [
        t.text or ""
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "titles"
        for t in g.iter(f"{SVG}text")
    ]
    return titles[0]
