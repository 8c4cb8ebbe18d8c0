"""The neutral core every domain builds on: the database (``db``, ``migrate``, ``migrations``,
``tables``), the roles (``roles``), and the one doors for user YAML (``safe_yaml``), exports
(``safe_export``) and user-facing times (``center_time``). It imports no domain package."""
