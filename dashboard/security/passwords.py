"""The password policy: long enough, not the username, not a well-known password.

Checked wherever a person chooses a password (``floorboard users add``, ``users password``,
``create_demo_users``, and any page that sets one): those callers pass a
:class:`PasswordPolicy` to :func:`dashboard.auth.service.create_user` / ``set_password``.
Passwords are stored as werkzeug ``scrypt`` hashes (salted, memory-hard; see ``HASH_METHOD``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.auth.schemas import AuthError

#: werkzeug's memory-hard KDF (its default since 3.0; pinned so an upgrade cannot weaken it).
HASH_METHOD = "scrypt"
DEFAULT_MIN_LENGTH = 12
# Long enough for any pass phrase, short enough that hashing one cannot tie up a worker.
MAX_LENGTH = 256
MIN_DISTINCT = 5

# The most common passwords of public breach lists (and their words), compared after lowercasing
# and stripping leading/trailing digits and punctuation: "Password123!" is "password".
_COMMON_WORDS = """
    password passw0rd p@ssw0rd p@ssword passwort motdepasse contrasena parola wachtwoord
    123456 1234567 12345678 123456789 1234567890 12345678901 123456789012 1234567890123
    qwerty qwertyuiop qwertyuiop123 asdfghjkl zxcvbnm qazwsx qazwsxedc 1qaz2wsx 1q2w3e4r
    1q2w3e4r5t 1q2w3e4r5t6y abc123 abcdef abcdefg abcdefgh abcdefghijkl aaaaaaaaaaaa
    111111111111 000000000000 123123123123 112233445566 987654321 9876543210
    letmein welcome welcomehome iloveyou iloveyou2 admin administrator root toor
    changeme changeit default secret topsecret master superman batman dragon monkey
    shadow sunshine princess football baseball basketball soccer hockey starwars
    trustno1 whatever freedom hello helloworld loveme lovely michael jennifer jordan
    mustang access flower charlie donald qwerty123 zaq12wsx computer internet
    summer winter spring autumn january february december
    callcenter callcentre contactcenter floorboard wallboard supervisor agent
    woaini woaini1314 wodemima mima zhongguo china beijing shanghai 5201314 1314520
"""
COMMON = frozenset(_COMMON_WORDS.split())

_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_ALNUM = re.compile(r"[\W_]+")


def _core(text: str) -> str:
    return _EDGES.sub("", text.lower())


def _letters(text: str) -> str:
    return _ALNUM.sub("", text.lower())


@dataclass(frozen=True)
class PasswordPolicy:
    """What a new password must satisfy.

    Args:
        min_length: fewest characters (``FLOORBOARD_PASSWORD_MIN_LENGTH``, default 12).
        max_length: most characters (hashing cost).
        min_distinct: fewest different characters ("aaaaaaaaaaaa" is refused).
        common: well-known passwords and words refused, lowercase.
    """

    min_length: int = DEFAULT_MIN_LENGTH
    max_length: int = MAX_LENGTH
    min_distinct: int = MIN_DISTINCT
    common: frozenset[str] = COMMON

    def problems(self, password: str, *, username: str = "") -> list[str]:
        """Every rule ``password`` breaks, as sentences (empty when it is acceptable)."""
        password = password or ""
        out = []
        if len(password) < self.min_length:
            out.append(f"the password must have at least {self.min_length} characters")
        if len(password) > self.max_length:
            out.append(f"the password must have at most {self.max_length} characters")
        if len(set(password)) < self.min_distinct:
            out.append(f"the password must use at least {self.min_distinct} different characters")
        if _similar(password, username):
            out.append("the password must not contain or resemble the username")
        lowered = password.lower()
        if lowered in self.common or _core(password) in self.common:
            out.append("the password is too common (it appears in lists of leaked passwords)")
        return out

    def check(self, password: str, *, username: str = "") -> str:
        """Return ``password`` if acceptable.

        Args:
            password: the new password, clear text.
            username: the account's username (the password must not resemble it).

        Raises:
            AuthError: naming every rule the password breaks.
        """
        problems = self.problems(password, username=username)
        if problems:
            raise AuthError("; ".join(problems))
        return password


def _similar(password: str, username: str) -> bool:
    """The password is, contains, or is contained in the username (ignoring case and symbols)."""
    user, word = _letters(username), _letters(password)
    if not user or not word:
        return bool(user) and password.lower() == username.lower()
    if word in {user, user[::-1]}:
        return True
    # Short usernames ("qa") appear by chance in long random passwords: only compare whole.
    return len(user) >= 3 and (user in word or user[::-1] in word or word in user)


def policy_for(min_length: int = DEFAULT_MIN_LENGTH) -> PasswordPolicy:
    """The policy with the configured minimum length (``Settings.password_min_length``)."""
    return PasswordPolicy(min_length=min_length)
