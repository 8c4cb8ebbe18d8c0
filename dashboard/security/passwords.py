"""The password policy: long enough, not like the username, and hard to guess (zxcvbn).

Checked wherever a person chooses a password (``floorboard users add``, ``users password``,
``create_demo_users``, and any page that sets one): those callers pass a
:class:`PasswordPolicy` to :func:`dashboard.auth.service.create_user` / ``set_password``.
How guessable a password is comes from zxcvbn (:mod:`dashboard.strength`), given the
username, the display name and "floorboard" as words an attacker would try first; its warning
and suggestions are shown in the user's language where the catalogue has them, else in English.
Passwords are stored as werkzeug ``scrypt`` hashes (salted, memory-hard; see ``HASH_METHOD``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.i18n import EN, t
from dashboard.security.errors import AuthError
from dashboard.strength import estimate

#: werkzeug's memory-hard KDF (its default since 3.0; pinned so an upgrade cannot weaken it).
HASH_METHOD = "scrypt"
DEFAULT_MIN_LENGTH = 12
# Long enough for any pass phrase, short enough that hashing one cannot tie up a worker.
MAX_LENGTH = 256
#: Fewest guesses zxcvbn must estimate, as a power of ten: 10^10 is its top score (4, "very
#: unguessable"); "Password2024Password" (10^8.3, score 3) is refused.
MIN_GUESSES_LOG10 = 10.0
# zxcvbn's English feedback -> our catalogue key (the catalogue's English text is zxcvbn's).
_FEEDBACK = {text: key for key, text in EN.items() if key.startswith("password.zxcvbn.")}
_ALNUM = re.compile(r"[\W_]+")


def _letters(text: str) -> str:
    return _ALNUM.sub("", text.lower())


def _translate(feedback: str, locale: str) -> str:
    key = _FEEDBACK.get(feedback)
    return t(key, locale) if key else feedback


@dataclass(frozen=True)
class PasswordPolicy:
    """What a new password must satisfy.

    Args:
        min_length: fewest characters (``FLOORBOARD_PASSWORD_MIN_LENGTH``, default 12).
        max_length: most characters (hashing cost).
        min_guesses_log10: fewest guesses zxcvbn must estimate, as a power of ten.
    """

    min_length: int = DEFAULT_MIN_LENGTH
    max_length: int = MAX_LENGTH
    min_guesses_log10: float = MIN_GUESSES_LOG10

    def problems(
        self, password: str, *, username: str = "", display_name: str = "", locale: str = "en"
    ) -> list[str]:
        """Every rule ``password`` breaks, as sentences in ``locale`` (empty: acceptable)."""
        password = password or ""
        out = []
        if len(password) < self.min_length:
            out.append(t("password.too_short", locale, n=self.min_length))
        if len(password) > self.max_length:
            return [*out, t("password.too_long", locale, n=self.max_length)]
        if _similar(password, username):
            out.append(t("password.like_username", locale))
        words = _ALNUM.split(f"{username} {display_name}")  # "Wang Fang": "wang", "fang"
        guessable = self._guessable(password, (username, display_name, *words), locale)
        if guessable:
            out.append(guessable)
        return out

    def _guessable(self, password: str, inputs: tuple[str, ...], locale: str) -> str:
        """zxcvbn's verdict: "" if hard enough, else why (its warning and suggestions)."""
        found = estimate(password, user_inputs=inputs)
        if found.guesses_log10 >= self.min_guesses_log10:
            return ""
        # zxcvbn says nothing about passwords it scores 3: suggest what it suggests most.
        advice = [found.warning, *found.suggestions] if found.warning or found.suggestions else []
        advice = advice or [EN["password.zxcvbn.add_word"]]
        why = " ".join(_translate(text, locale) for text in advice if text)
        head = t(
            "password.guessable",
            locale,
            guesses=f"10^{found.guesses_log10:.0f}",
            needed=f"10^{self.min_guesses_log10:.0f}",
        )
        return f"{head} {why}"

    def check(
        self, password: str, *, username: str = "", display_name: str = "", locale: str = "en"
    ) -> str:
        """Return ``password`` if acceptable.

        Args:
            password: the new password, clear text.
            username: the account's username (the password must not resemble it).
            display_name: the account's display name (an attacker's first guess, too).
            locale: the language of the message.

        Raises:
            AuthError: naming every rule the password breaks, and why it is guessable.
        """
        problems = self.problems(
            password, username=username, display_name=display_name, locale=locale
        )
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
