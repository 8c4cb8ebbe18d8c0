"""dashboard/pages/qa."""
