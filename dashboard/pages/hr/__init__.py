"""dashboard/pages/hr."""
