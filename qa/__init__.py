"""QA and HR domain: people (agents, teams), the deductions ledger, monthly star awards, audit.

Each domain folder has ``models.py`` (tables on :class:`core.db.Base`), ``schemas.py``
(typed inputs and outputs) and ``service.py`` (queries and rules). Nothing here imports
``dashboard``: the web pages and the CLI call these services.
"""
