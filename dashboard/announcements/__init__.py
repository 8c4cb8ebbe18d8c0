"""Announcements for the boards' ticker (seed: LED notices of outages and repairs)."""
