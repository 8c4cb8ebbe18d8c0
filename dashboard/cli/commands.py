"""Imports every subcommand module so that each attaches its commands to ``main``."""
