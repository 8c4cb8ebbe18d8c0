"""Durable call history in SQL: what reports, forecasts and QA sampling read."""
