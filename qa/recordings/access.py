"""Who may hear a call's recording (and see the call): a pure rule the web layer applies to the
player page, its callbacks and the audio URL alike.

- supervisor, qa, admin: every call (they score, calibrate and coach).
- agent: only calls they handled (``call.agent`` equals the account's ``agent_id``; an agent
  account with no agent id hears nothing).
- hr: none. HR sees scores and the deductions ledger, not conversations: recordings hold
  customers' personal data, and HR's work (awards, payroll) does not need them.
- display and anyone else: none.
"""

from __future__ import annotations

from typing import Protocol

from core.roles import QA_STAFF, Role

#: Who hears every call: the QA staff (they score, calibrate and coach).
LISTENERS = QA_STAFF


class CallLike(Protocol):
    """What the rule reads from a call (a ``calls`` row or anything with ``agent``)."""

    @property
    def agent(self) -> str: ...


def can_access(user_role: str | None, user_agent_id: str | None, call: CallLike) -> bool:
    """Whether a user with this role and linked agent id may open the call and its recording.

    Args:
        user_role: The user's role (``agent``, ``supervisor``, ``qa``, ``hr``, ``admin``,
            ``display``) or None for nobody.
        user_agent_id: The agent id linked to the user's account, if any.
        call: The call.
    """
    if user_role in LISTENERS:
        return True
    return user_role == Role.AGENT and bool(user_agent_id) and call.agent == user_agent_id
