"""Mappings shipped for the exports people actually have (``floorboard import-calls --preset``).

Each ``<name>.yaml`` here is a mapping in the format of ``docs/cdr-mapping.md``, loaded through
the same safe loader and validator as a user's mapping (:mod:`collectors.cdr.preset`).
"""
