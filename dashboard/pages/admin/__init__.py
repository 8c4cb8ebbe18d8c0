"""dashboard/pages/admin."""
