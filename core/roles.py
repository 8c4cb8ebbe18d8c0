"""Roles and the one access rule every route, page layout and callback goes through.

A :class:`Principal` is whoever makes the request: a logged-in user, a display (a TV holding a
display token, limited to the boards of that token) or nobody. :func:`allowed` is the single
decision; :mod:`dashboard.auth.guard` applies it to Flask routes, Dash page layouts and Dash
callbacks, always on the server.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """What a person (or a screen) may do. Exactly one per account."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    QA = "qa"
    HR = "hr"
    ADMIN = "admin"
    DISPLAY = "display"


#: Roles a person can log in with (``display`` is for tokens, never for a password login).
USER_ROLES = frozenset(r for r in Role if r is not Role.DISPLAY)
#: Everyone who may look at a wallboard (a display only at the boards of its token).
BOARD_VIEWERS = frozenset(Role)
#: Who runs the floor: the supervisor's live view.
FLOOR_LEADS = frozenset({Role.SUPERVISOR, Role.QA, Role.ADMIN})
#: Who may post announcements on the boards.
ANNOUNCERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
#: HR (issue 5): who sees the monthly star awards and any agent's history (an agent: only
#: their own, checked by the page against ``Principal.agent_id``).
HR_VIEWERS = frozenset({Role.SUPERVISOR, Role.QA, Role.HR, Role.ADMIN})
#: HR: who computes, resolves ties, publishes, overrides coefficients and exports payroll.
HR_MANAGERS = frozenset({Role.HR, Role.ADMIN})
#: HR: who records incidents, bonuses and corrections in the ledger.
INCIDENT_RECORDERS = frozenset({Role.SUPERVISOR, Role.HR, Role.ADMIN})
#: QA console: who scores calls (work queue, evaluation form, calibration, scorecards) and
#: sees every regular evaluation, drafts included (:mod:`qa.evaluations.access`); also who
#: hears every call's recording (:mod:`qa.recordings.access`).
QA_STAFF = frozenset({Role.SUPERVISOR, Role.QA, Role.ADMIN})
#: QA: who decides agents' disputes.
QA_DECIDERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
#: QA: who reads quality reports (HR: scores feed the monthly awards).
QA_READERS = QA_STAFF | {Role.HR}
#: QA: who may open an evaluation page (each evaluation is checked again by
#: :func:`qa.evaluations.access.can_view_evaluation`).
EVAL_VIEWERS = QA_STAFF | {Role.AGENT, Role.HR}
#: QA: agents' own pages (their evaluations, acknowledgements and disputes).
QA_AGENTS = frozenset({Role.AGENT})
#: QA: who may reach the recordings route (each call is checked again by
#: :func:`qa.recordings.access.can_access`: an agent hears only their own calls).
RECORDING_LISTENERS = QA_STAFF | {Role.AGENT}
#: A marker for routes anyone may reach (login page, static files).
PUBLIC: frozenset[Role] = frozenset()


@dataclass(frozen=True)
class Principal:
    """Who is asking.

    Args:
        kind: ``user``, ``display`` or ``anonymous``.
        role: the role (``None`` for anonymous).
        name: username, or the display's name.
        display_name: what the UI calls them.
        locale: UI language, ``en`` or ``zh``.
        boards: for a display, the boards its token may show; ``None`` means no board limit.
        user_id: the user's id (users only).
        agent_id: the agent a user account is linked to, if any.
    """

    kind: str = "anonymous"
    role: Role | None = None
    name: str = ""
    display_name: str = ""
    locale: str = "en"
    boards: frozenset[str] | None = None
    user_id: int | None = None
    agent_id: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def authenticated(self) -> bool:
        return self.role is not None


ANONYMOUS = Principal()


def allowed(principal: Principal, roles: Collection[Role], *, board: str | None = None) -> bool:
    """The access rule.

    Args:
        principal: who asks.
        roles: the roles that may reach the resource; empty means public.
        board: the board the request concerns, if any; a display may only reach the boards of
            its token, and a display may reach nothing that is not a board.

    Returns:
        ``True`` when the principal may reach the resource.
    """
    if not roles:
        return True
    if principal.role is None or principal.role not in roles:
        return False
    if principal.role is Role.DISPLAY:
        return board is not None and principal.boards is not None and board in principal.boards
    return True
