"""The error of bad account input (a refused password, a bad username, an unknown token).

Defined here, below :mod:`dashboard.auth` (which builds on this package), so that the password
policy raises it without importing auth; ``dashboard.auth.schemas`` re-exports it, and callers
keep catching ``dashboard.auth.schemas.AuthError``.
"""

from __future__ import annotations


class AuthError(ValueError):
    """Bad input to the auth service; the message says what is wrong."""
