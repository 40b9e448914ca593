"""Reports: revenue, usage and spending per month, as tables, CSV and SVG plots."""
