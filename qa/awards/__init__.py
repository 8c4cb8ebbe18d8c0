"""Monthly star awards and performance coefficients (docs/METRICS.md#awards-month): policy,
engine, workflow."""
