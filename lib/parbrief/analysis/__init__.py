"""Compose layer: loads a province's slice once, applies the reorganization and method-period rules,
runs the statistics and returns results for a page (no display, no prose)."""
