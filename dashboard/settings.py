"""One typed settings object, read from ``FLOORBOARD_*`` variables and an optional YAML file.

Precedence: explicit overrides > environment > config file (``FLOORBOARD_CONFIG``) > defaults.
The defaults are safe for the embedded mode (everything on 127.0.0.1, SQLite and Redis under
``./floorboard-data``). Production (``FLOORBOARD_ENV=production``) refuses to start with the
default secret key, or with any key that does not look random (``MIN_SECRET_BITS``).
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from collectors.aggregator.roster import RosterError, Shift, parse_roster
from core import safe_yaml

DEFAULT_SECRET = "dev-insecure-change-me"  # noqa: S105 - the value production refuses
#: Fewest bits of estimated entropy of a production secret key (dashboard.strength).
MIN_SECRET_BITS = 128


class SettingsError(ValueError):
    """A setting has a bad value; the message names the setting and where it came from."""


@dataclass(frozen=True)
class QueueSettings:
    """Per-queue overrides of the center defaults."""

    sl_threshold: float | None = None
    sl_target: float | None = None
    name: str | None = None


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    secret_key: str = DEFAULT_SECRET
    data_dir: Path = Path("floorboard-data")
    database_url: str = ""
    redis_url: str = ""
    key_prefix: str = "fb"
    partitions: int = 1
    center: str = "main"
    timezone: str = "UTC"
    interval_minutes: int = 15
    sl_threshold: float = 20.0
    sl_target: float = 0.8
    short_abandon: float = 5.0
    csat_satisfied_min: float = 4.0
    # queue_log survey lines: VERB:FIELD list and the valid score range (docs/csat-survey.md)
    survey_verbs: str = "SURVEY:1"
    survey_scale: str = "1-5"
    trunk_capacity: int = 30
    snapshot_interval_ms: int = 100
    stale_after_s: float = 10.0
    host: str = "127.0.0.1"
    port: int = 8050
    recording_pattern: str = ""
    dispute_window_days: float = 7.0
    dispute_max_items: int = 0
    # the boards' YAML folder (None: ``layouts/`` of the checkout)
    layouts_dir: Path | None = None
    # security (docs/SECURITY.md); production always uses secure cookies
    cookie_secure: bool = False
    session_hours: float = 12.0
    password_min_length: int = 12
    trusted_proxies: int = 0
    # the largest request body (413 beyond; docs/SECURITY.md "Request size")
    max_request_mb: float = 4.0
    queues: Mapping[str, QueueSettings] = field(default_factory=dict)
    # presence (docs/METRICS.md "Presence"): the call-activity estimate's idle gap, and the
    # roster of static members with shift hours (settings file only: ``roster:``)
    presence_idle_gap_s: float = 1800.0
    roster: Mapping[str, tuple[Shift, ...]] = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'floorboard.db').resolve()}"

    def sl_threshold_for(self, queue: str) -> float:
        q = self.queues.get(queue)
        return q.sl_threshold if q and q.sl_threshold is not None else self.sl_threshold

    def check(self) -> Settings:
        """Validate; raise :class:`SettingsError` naming the bad setting."""
        if self.env not in {"development", "production", "test"}:
            raise SettingsError(
                f"FLOORBOARD_ENV must be development, production or test, not {self.env!r}"
            )
        if self.production and (self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32):
            raise SettingsError(
                "FLOORBOARD_SECRET_KEY must be set to a random value of at least 32 characters "
                "in production (the default is refused)"
            )
        if self.production:
            _check_secret(self.secret_key)
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(
                f"FLOORBOARD_TIMEZONE: unknown time zone {self.timezone!r}"
            ) from exc
        if self.interval_minutes <= 0 or (24 * 60) % self.interval_minutes:
            raise SettingsError("FLOORBOARD_INTERVAL_MINUTES must divide a day (e.g. 15, 30, 60)")
        if self.short_abandon < 0 or self.sl_threshold <= 0:
            raise SettingsError(
                "FLOORBOARD_SHORT_ABANDON must be >= 0 and FLOORBOARD_SL_THRESHOLD > 0"
            )
        self._check_security()
        self._check_survey()
        if not (math.isfinite(self.presence_idle_gap_s) and self.presence_idle_gap_s > 0):
            raise SettingsError("FLOORBOARD_PRESENCE_IDLE_GAP_S must be a number of seconds > 0")
        if self.layouts_dir is not None and not self.layouts_dir.is_dir():
            raise SettingsError(f"FLOORBOARD_LAYOUTS_DIR: {self.layouts_dir} is not a folder")
        return self

    def _check_survey(self) -> None:
        from collectors.queue_log.survey import SurveyConfigError, survey_mapping  # noqa: PLC0415

        try:
            survey_mapping(self.survey_verbs, self.survey_scale)
        except SurveyConfigError as exc:
            raise SettingsError(
                f"FLOORBOARD_SURVEY_VERBS / FLOORBOARD_SURVEY_SCALE: {exc}"
            ) from exc

    def _check_security(self) -> None:
        if self.password_min_length < 8:
            raise SettingsError("FLOORBOARD_PASSWORD_MIN_LENGTH must be at least 8")
        if not 0 < self.session_hours <= 24 * 31:
            raise SettingsError("FLOORBOARD_SESSION_HOURS must be between 0 and 744 (31 days)")
        if self.trusted_proxies < 0:
            raise SettingsError("FLOORBOARD_TRUSTED_PROXIES must be >= 0")
        if not 0 < self.max_request_mb <= 1024:
            raise SettingsError("FLOORBOARD_MAX_REQUEST_MB must be between 0 and 1024")


def _check_secret(secret: str) -> None:
    """Refuse a production secret key that looks guessable (32 x "a", words, a pattern)."""
    from dashboard.strength import secret_bits  # noqa: PLC0415 - zxcvbn: production only

    bits = secret_bits(secret)
    if bits < MIN_SECRET_BITS:
        raise SettingsError(
            f"FLOORBOARD_SECRET_KEY looks guessable (about {bits:.0f} bits of entropy estimated, "
            f"at least {MIN_SECRET_BITS} needed): use a random value, e.g. the output of "
            'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'
        )


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def _coerce(name: str, value: Any, origin: str) -> Any:
    kind = _FIELDS[name].type
    try:
        if kind == "Path":
            return Path(str(value))
        if kind == "Path | None":
            return Path(str(value)) if str(value).strip() else None
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "str":
            return str(value)
        if kind == "bool":
            return _bool(value)
    except (TypeError, ValueError) as exc:
        kinds = {"int": "an integer", "float": "a number", "Path": "a path", "str": "text"}
        raise SettingsError(
            f"{origin}: {name} must be {kinds.get(str(kind), kind)}, got {value!r}"
        ) from exc
    return value


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(value)


def _queues(raw: Any, origin: str) -> dict[str, QueueSettings]:
    if not isinstance(raw, Mapping):
        raise SettingsError(f"{origin}: 'queues' must be a mapping of queue name to settings")
    out = {}
    allowed = {f.name for f in dataclasses.fields(QueueSettings)}
    for queue, values in raw.items():
        values = values or {}
        if not isinstance(values, Mapping):
            raise SettingsError(f"{origin}: queues.{queue} must be a mapping of settings")
        unknown = set(values) - allowed
        if unknown:
            raise SettingsError(f"{origin}: queues.{queue}: unknown setting(s) {sorted(unknown)}")
        where = f"{origin}: queues.{queue}"
        out[str(queue)] = QueueSettings(**{k: _queue_value(k, v, where) for k, v in values.items()})
    return out


# Per-queue settings are checked by type here: a wrong type would pass and crash later, in
# ``floorboard report`` or a board (issue 11.9).
_QUEUE_CHECKS: dict[str, tuple[str, Any]] = {
    "sl_threshold": ("a number of seconds > 0", lambda v: v > 0),
    "sl_target": ("a fraction between 0 and 1 (0.8 for 80%)", lambda v: 0 < v <= 1),
}


def _queue_value(key: str, value: Any, where: str) -> Any:
    if value is None:
        return None
    if key == "name":
        if not isinstance(value, str):
            raise SettingsError(f"{where}.name must be text, got {value!r}")
        return value
    what, check = _QUEUE_CHECKS[key]
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if number is None or not math.isfinite(number) or not check(number):
        raise SettingsError(f"{where}.{key} must be {what}, got {value!r}")
    return float(number)


def _roster(raw: Any, origin: str) -> dict[str, tuple[Shift, ...]]:
    """The settings file's ``roster:`` (docs/METRICS.md "Roster")."""
    try:
        return parse_roster(raw)
    except RosterError as exc:
        raise SettingsError(f"{origin}: {exc}") from exc


# Settings file keys holding a structure, each with its parser.
_NESTED: dict[str, Callable[[Any, str], Any]] = {"queues": _queues, "roster": _roster}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build the settings from the environment (``os.environ`` by default) and a config file."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    config = environ.get("FLOORBOARD_CONFIG")
    if config:
        path = Path(config)
        try:
            raw = safe_yaml.load_file(path, what="settings file") or {}
        except safe_yaml.UserYamlError as exc:
            raise SettingsError(f"FLOORBOARD_CONFIG: {exc}") from exc
        except yaml.YAMLError as exc:
            raise SettingsError(f"FLOORBOARD_CONFIG: {path} is not valid YAML: {exc}") from exc
        if not isinstance(raw, Mapping):
            raise SettingsError(f"FLOORBOARD_CONFIG: {path} must hold a mapping")
        for key, value in raw.items():
            if key in _NESTED:
                values[key] = _NESTED[key](value, str(path))
            elif key in _FIELDS:
                values[key] = _coerce(key, value, str(path))
            else:
                raise SettingsError(f"{path}: unknown setting {key!r}")
    for name in _FIELDS:
        env_name = f"FLOORBOARD_{name.upper()}"
        if env_name in environ and name not in ("queues", "roster"):
            values[name] = _coerce(name, environ[env_name], env_name)
    values.update(overrides)
    return Settings(**values).check()
