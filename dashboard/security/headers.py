"""Security headers on every response, including a Content-Security-Policy Dash works with.

Dash renders one inline script (``new DashRenderer()``) plus any inline client-side callbacks;
their SHA-256 hashes (``dash.Dash.csp_hashes``) are allowed and nothing else inline is. Styles
need ``'unsafe-inline'``: Plotly and dcc components inject ``<style>`` elements at run time.
Nothing may frame a Floorboard page: a TV in kiosk mode opens the board itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dash
import flask

#: Responses that carry no data and may be cached (Dash sets their own cache headers).
_CACHEABLE_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")
HSTS = "max-age=31536000; includeSubDomains"
PERMISSIONS = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), browsing-topics=()"
)


def content_security_policy(script_hashes: Sequence[str], *, dev: bool = False) -> str:
    """The CSP header value.

    Args:
        script_hashes: ``'sha256-…'`` sources of the inline scripts the page may run.
        dev: Flask debug mode (Dash's dev tools evaluate code: allow ``'unsafe-eval'``).
    """
    scripts = ["'self'", *script_hashes] + (["'unsafe-eval'"] if dev else [])
    directives = {
        "default-src": ["'self'"],
        "script-src": scripts,
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def install_headers(
    server: flask.Flask, *, dash_app: Callable[[], dash.Dash | None], hsts: bool
) -> None:
    """Add the security headers to every response of ``server``.

    Args:
        server: the Flask app.
        dash_app: returns the Dash app mounted on ``server`` (for the inline scripts' hashes).
        hsts: send Strict-Transport-Security (production, behind HTTPS).
    """

    @server.after_request
    def _headers(response: flask.Response) -> flask.Response:
        headers = response.headers
        app = dash_app() if response.mimetype == "text/html" else None
        hashes = app.csp_hashes() if app is not None else []
        headers["Content-Security-Policy"] = content_security_policy(hashes, dev=server.debug)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        # Board addresses carry display tokens: never send them to another site.
        headers["Referrer-Policy"] = "no-referrer"
        headers["Permissions-Policy"] = PERMISSIONS
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        if hsts:
            headers["Strict-Transport-Security"] = HSTS
        if "Cache-Control" not in headers and not flask.request.path.startswith(
            _CACHEABLE_PREFIXES
        ):
            # Pages and callbacks hold live and personal data: no shared or disk caches (a view
            # that chose its own policy, e.g. recordings revalidated by ETag, keeps it).
            headers["Cache-Control"] = "no-store"
        return response
