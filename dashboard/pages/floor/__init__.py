"""dashboard/pages/floor."""
