"""Monthly star awards and performance coefficients (SPEC §6): policy, engine, workflow."""
