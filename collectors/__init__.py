"""Sources → canonical events → Redis stream → aggregator. Never imports ``dashboard``."""
