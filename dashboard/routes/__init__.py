"""dashboard/routes."""
