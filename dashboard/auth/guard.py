"""The guard: applies :func:`core.roles.allowed` to routes, page layouts and callbacks.

- Flask routes declare their roles with :func:`route`; Dash pages wrap their ``layout`` with
  :func:`page`; server callbacks are registered with :func:`callback`, client-side ones with
  :func:`clientside`. Each records its roles where :func:`access_table` can enumerate them.
- A ``before_request`` hook (:func:`install`) denies by default: an endpoint, page or callback
  that declared nothing is refused with 403, whoever asks.
- A display token arrives once in the URL (``/board/<name>?token=...``); it is checked and kept
  in the signed session cookie, and every later request is checked against the token cache.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import urlsplit

import dash
import flask
import flask_login
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest, Forbidden

from core.roles import ANONYMOUS, PUBLIC, Principal, Role, allowed
from dashboard.auth.access import (
    ACCESS_ATTR,
    PAGE_ENDPOINTS,
    PUBLIC_ENDPOINTS,
    Access,
    page_access,
)
from dashboard.auth.shapes import check_callback_body
from dashboard.i18n import t
from dashboard.inputs import BadInput
from dashboard.security.limits import read_capped
from dashboard.shell import denied, denied_page
from dashboard.state import app_state

SESSION_TOKEN = "fb_display_token"  # noqa: S105 - a session key name
CALLBACKS = "floorboard_callbacks"
CALLBACK_ENDPOINT = "/_dash-update-component"
# Dash's page router: allowed, because every layout it returns is guarded by :func:`page`.
ROUTER_MARKER = "_pages_content.children"
#: An anonymous caller may only ask the router (a page whose session ended shows "log in"): its
#: body is a path and a query string. Anything larger is refused before it is read.
ANONYMOUS_CALLBACK_BYTES = 16 * 1024


class Denied(Forbidden):
    """A 403 a person sees as the styled page (:func:`dashboard.shell.denied_page`).

    Args:
        key: the i18n key of the sentence that says why.
    """

    def __init__(self, key: str = "denied.text") -> None:
        super().__init__(description=key)
        self.key = key


def current_principal() -> Principal:
    """Who makes the current request (cached on ``flask.g``)."""
    if not flask.has_request_context():
        return ANONYMOUS
    cached = flask.g.get("fb_principal")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    principal = ANONYMOUS
    user = flask_login.current_user
    if user is not None and user.is_authenticated:
        principal = user.principal()
    else:
        info = app_state().displays.lookup(flask.session.get(SESSION_TOKEN))
        if info is not None:
            principal = info.principal()
    flask.g.fb_principal = principal
    return principal


def require(roles: Collection[Role], *, board: str | None = None) -> Principal:
    """The current principal if allowed, else raise 403."""
    principal = current_principal()
    if not allowed(principal, roles, board=board):
        raise Forbidden("not allowed")
    return principal


def route(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the roles of a Flask view (none = public); :func:`install` enforces it."""

    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        setattr(view, ACCESS_ATTR, Access(frozenset(roles)))
        return view

    return mark


def page(
    *roles: Role, board_param: str | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a page layout: it renders only for the roles given (and the board, for displays)."""

    def wrap(layout: Callable[..., Any]) -> Callable[..., Any]:
        access = Access(frozenset(roles), board_param=board_param)

        @functools.wraps(layout)
        def guarded(**kwargs: Any) -> Any:
            board = kwargs.get(board_param) if board_param else None
            principal = current_principal()
            if not allowed(principal, access.roles, board=board):
                return denied(principal)
            return layout(**kwargs)

        setattr(guarded, ACCESS_ATTR, access)
        return guarded

    return wrap


def _registry(app: dash.Dash) -> dict[str, Access]:
    return app.server.extensions.setdefault(CALLBACKS, {})  # type: ignore[no-any-return]


def _record(app: dash.Dash, before: set[str], access: Access) -> None:
    for key in set(app.callback_map) - before:
        _registry(app)[key] = access


def callback(
    app: dash.Dash,
    roles: Collection[Role],
    *args: Any,
    board_state: str | None = None,
    **kwargs: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``app.callback`` that checks the caller on every call.

    Args:
        app: the Dash app.
        roles: roles that may trigger it.
        *args: ``Output``/``Input``/``State`` as for ``app.callback``.
        board_state: id of a ``dcc.Store`` (passed as ``State``) holding the board's name: a
            display may only trigger the callback for the boards of its token.
        **kwargs: passed to ``app.callback``.
    """
    access = Access(frozenset(roles), board_state=board_state)

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def guarded(*a: Any, **kw: Any) -> Any:
            board = None
            if board_state is not None:
                board = dash.callback_context.states.get(f"{board_state}.data")
                if board is not None and not isinstance(board, str):
                    raise BadRequest("the board name must be text")
            require(access.roles, board=board)
            try:
                return fn(*a, **kw)
            except BadInput as exc:
                # Only the inputs' own shape checks raise BadInput (dashboard.inputs).
                raise BadRequest(str(exc)) from exc

        before = set(app.callback_map)
        app.callback(*args, **kwargs)(guarded)
        _record(app, before, access)
        return fn

    return register


def clientside(app: dash.Dash, function: str, *args: Any, **kwargs: Any) -> None:
    """Register a client-side callback (``function`` e.g. ``"floorboard.clock"``)."""
    namespace, name = function.split(".")
    before = set(app.callback_map)
    app.clientside_callback(  # type: ignore[no-untyped-call]
        dash.ClientsideFunction(namespace=namespace, function_name=name), *args, **kwargs
    )
    _record(app, before, Access(frozenset(), client=True))


def access_table(app: dash.Dash) -> dict[str, Access]:
    """Every callback of ``app`` with what it declared (for the audit test)."""
    return dict(_registry(app))


def _callback_denied(app: dash.Dash) -> bool:
    if not current_principal().authenticated and not _small_body(ANONYMOUS_CALLBACK_BYTES):
        return True  # refused unread: nobody may make us parse a large body anonymously
    read_capped()  # 413 past the limit, also for a chunked body
    body = flask.request.get_json(silent=True)
    output = str(body.get("output", "")) if isinstance(body, dict) else ""
    if ROUTER_MARKER in output:
        return False
    if not current_principal().authenticated:
        return True  # an anonymous caller may only ask the router (for the "log in" page)
    access = _registry(app).get(output)
    # Unknown or client-side: nothing of ours to run. The callback itself checks the roles.
    return access is None or access.client


def _small_body(limit: int) -> bool:
    """Whether the request announces a body of at most ``limit`` bytes (which then becomes its
    limit); a chunked body announces nothing and is not small."""
    length = flask.request.content_length
    if length is None or length > limit:
        return False
    flask.request.max_content_length = limit
    return True


def _accept_token() -> None:
    token = flask.request.args.get("token")
    if token and app_state().displays.lookup(token) is not None:
        flask.session[SESSION_TOKEN] = token
        flask.session.permanent = True
        flask.g.pop("fb_principal", None)


def _check_page() -> ResponseReturnValue | None:
    _accept_token()
    access, variables = page_access(flask.request.path)
    principal = current_principal()
    roles = access.roles if access else frozenset(Role)
    board = variables.get(access.board_param) if access and access.board_param else None
    if allowed(principal, roles, board=board):
        return None
    if not principal.authenticated:
        if flask.request.args.get("token"):
            raise Denied("denied.token")
        return flask.redirect(flask.url_for("auth.login", next=_local_next()))
    raise Forbidden("not allowed")


def _local_next() -> str:
    full = flask.request.full_path.rstrip("?")
    parts = urlsplit(full)
    return full if not parts.netloc and full.startswith("/") else "/"


def _forbidden(error: Forbidden) -> ResponseReturnValue:
    """Every 403: JSON for callbacks and scripts, else the styled page in the person's language
    with the navigation they may use."""
    principal = current_principal()
    key = getattr(error, "key", "denied.text")
    request = flask.request
    wants_json = request.endpoint == CALLBACK_ENDPOINT or request.is_json
    if wants_json or request.accept_mimetypes.best == "application/json":
        return flask.jsonify(error=t(key, principal.locale)), 403
    return flask.Response(denied_page(principal, key), status=403, mimetype="text/html")


def install(app: dash.Dash) -> None:
    """Enforce access on every request of ``app.server`` (deny by default)."""
    server: flask.Flask = app.server
    server.register_error_handler(Forbidden, _forbidden)

    @server.before_request
    def _guard() -> ResponseReturnValue | None:
        endpoint = flask.request.endpoint or ""
        if endpoint in PUBLIC_ENDPOINTS:
            return None
        if endpoint in PAGE_ENDPOINTS:
            return _check_page()
        if endpoint == CALLBACK_ENDPOINT:
            if _callback_denied(app):
                raise Forbidden("unknown callback")
            problem = check_callback_body(flask.request.get_json(silent=True))
            if problem:
                raise BadRequest(problem)
            return None
        view = server.view_functions.get(endpoint)
        access = getattr(view, ACCESS_ATTR, None)
        if access is None:
            raise Forbidden("no access rule")
        if not allowed(current_principal(), access.roles):
            if not current_principal().authenticated:
                return flask.redirect(flask.url_for("auth.login", next=_local_next()))
            raise Forbidden("not allowed")
        return None


__all__ = ["PUBLIC", "Access", "access_table", "callback", "clientside", "current_principal"]
