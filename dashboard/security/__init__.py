"""Web security: cookies and sessions, CSRF, security headers, login throttling, passwords.

:func:`dashboard.security.setup.install_security` wires it all into the Flask app; the security
model is described in ``docs/SECURITY.md``. :mod:`dashboard.auth` builds on this package, never
the other way round (the error both raise lives in :mod:`dashboard.security.errors`); kept free
of imports so that importing one module of it loads no other.
"""
