"""Wallboards: YAML layouts, the metric catalogue, thresholds and tile rendering."""
