"""Web security: cookies and sessions, CSRF, security headers, login throttling, passwords.

:func:`dashboard.security.setup.install_security` wires it all into the Flask app; the security
model is described in ``docs/SECURITY.md``. Kept free of imports so that the auth service can
use :mod:`dashboard.security.passwords` without an import cycle.
"""
