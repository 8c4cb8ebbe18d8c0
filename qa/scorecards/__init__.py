"""Scorecards: versioned definitions (sections, items), YAML/JSON files, the default card."""
