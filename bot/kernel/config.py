"""Typed configuration: TOML loaded once, overridden by NCBOT_<SECTION>__<KEY>, validated up front.

Secrets (tokens, signing secrets) come only from the environment or a ``*_file`` key; a secret
written into the TOML itself, a placeholder, an unknown key or a bad value fails with one line
naming the key.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.kernel.durations import parse_duration

# The longest span a "days" key may name: a year. Every number has a range (dates far beyond it
# overflow, and nobody means them).
MAX_DAYS = 365


class ConfigError(Exception):
    """A configuration problem, worded for one line: ``key: problem``."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_tz(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r} (use Area/City, e.g. Europe/London)") from exc
    return value


def _check_hhmm(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError(f"{value!r} is not a time of day HH:MM")
    return value


def _check_duration(value: str) -> str:
    length = parse_duration(value)
    if length is None:
        raise ValueError(f"{value!r} is not a duration such as 30m, 2h or 3d")
    if length > timedelta(days=MAX_DAYS):
        raise ValueError(f"{value!r} is longer than {MAX_DAYS} days")
    return value


class BotSection(_Section):
    name: str = "Networked Councillor"
    timezone: str = "Europe/London"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # The platform and HTTP libraries log whole requests at DEBUG, residents' messages included:
    # they follow log_level only down to this.
    library_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = False

    _tz = field_validator("timezone")(classmethod(lambda cls, v: _check_tz(v)))


class StorageSection(_Section):
    url: str = "sqlite:///ncbot.db"

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, v: str) -> str:
        if not re.match(r"^(sqlite|postgresql(\+psycopg)?)://", v):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        return v


class HttpSection(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)


class TelegramSection(_Section):
    token: str | None = None
    token_file: str | None = None
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_secret_file: str | None = None
    api_base_url: str = "https://api.telegram.org/bot"
    file_base_url: str = "https://api.telegram.org/file/bot"
    bot_username: str | None = None
    # Seconds to wait for the Bot API's answer; a message sent without one may have arrived.
    timeout: float = Field(default=20.0, ge=0.1, le=300)


class SlackSection(_Section):
    bot_token: str | None = None
    bot_token_file: str | None = None
    signing_secret: str | None = None
    signing_secret_file: str | None = None
    app_token: str | None = None
    app_token_file: str | None = None
    mode: Literal["http", "socket"] = "http"
    api_base_url: str = "https://slack.com/api/"
    timeout: float = Field(default=30.0, ge=0.1, le=300)  # seconds to wait for the Web API's answer


class ActivitySection(_Section):
    min_participants: int = Field(default=3, ge=1, le=1000)
    window_days: int = Field(default=14, ge=1, le=MAX_DAYS)


class LinkingSection(_Section):
    auto_accept: bool = False


class InvitesSection(_Section):
    expire_days: int = Field(default=14, ge=1, le=MAX_DAYS)
    max_failed_per_hour: int = Field(default=5, ge=1, le=1000)


class LedgerSection(_Section):
    retention_days: int = Field(default=7, ge=1, le=MAX_DAYS)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ChallengesSection(_Section):
    remind_after_hours: int = Field(default=48, ge=1, le=MAX_DAYS * 24)
    escalate_after_days: int = Field(default=7, ge=1, le=MAX_DAYS)
    followup_after_days: int = Field(default=14, ge=1, le=MAX_DAYS)
    # Reminders and escalation notices to one person are gathered into one message a day.
    chase_time: str = "09:00"
    chase_days: list[str] = Field(default_factory=lambda: list(WEEKDAYS[:5]), min_length=1)

    _ct = field_validator("chase_time")(classmethod(lambda cls, v: _check_hhmm(v)))

    @field_validator("chase_days")
    @classmethod
    def _cd(cls, v: list[str]) -> list[str]:
        days = [d.strip().lower()[:3] for d in v]
        unknown = [d for d, raw in zip(days, v, strict=True) if d not in WEEKDAYS]
        if unknown:
            raise ValueError(f"{v!r}: days are mon, tue, wed, thu, fri, sat, sun")
        return [d for d in WEEKDAYS if d in days]


class PollsSection(_Section):
    councillors_may_start: bool = False
    default_duration: str = "3d"
    remind_before: str | None = "2h"
    # Anonymous ballots wait (without a voter) until this many have come in, then are mixed.
    ballot_batch: int = Field(default=5, ge=2, le=100)

    _d = field_validator("default_duration")(classmethod(lambda cls, v: _check_duration(v)))

    @field_validator("remind_before")
    @classmethod
    def _rb(cls, v: str | None) -> str | None:
        return None if v in (None, "", "off") else _check_duration(v)

    @property
    def default_timedelta(self) -> timedelta:
        return parse_duration(self.default_duration) or timedelta(days=3)


class DigestsSection(_Section):
    councillor_default: str = "weekly mon 08:00"
    group_default: str = "weekly mon 09:00"
    grace_hours: int = Field(default=12, ge=0, le=7 * 24)

    @field_validator("councillor_default", "group_default")
    @classmethod
    def _cadence(cls, v: str) -> str:
        parts = v.split()
        ok = (
            parts == ["off"]
            or (len(parts) == 2 and parts[0] == "daily" and _ok_hhmm(parts[1]))
            or (
                len(parts) == 3
                and parts[0] == "weekly"
                and parts[1] in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
                and _ok_hhmm(parts[2])
            )
        )
        if not ok:
            raise ValueError(f"{v!r}: use 'daily HH:MM', 'weekly mon HH:MM' or 'off'")
        return v


def _ok_hhmm(v: str) -> bool:
    try:
        _check_hhmm(v)
    except ValueError:
        return False
    return True


class WebSection(_Section):
    public_url: str | None = None

    @field_validator("public_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        if not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", v):
            raise ValueError(f"{v!r} is not an http(s) address such as https://record.example.org")
        return v.rstrip("/")


class Settings(_Section):
    bot: BotSection = BotSection()
    storage: StorageSection = StorageSection()
    http: HttpSection = HttpSection()
    telegram: TelegramSection = TelegramSection()
    slack: SlackSection = SlackSection()
    activity: ActivitySection = ActivitySection()
    linking: LinkingSection = LinkingSection()
    invites: InvitesSection = InvitesSection()
    ledger: LedgerSection = LedgerSection()
    challenges: ChallengesSection = ChallengesSection()
    polls: PollsSection = PollsSection()
    digests: DigestsSection = DigestsSection()
    web: WebSection = WebSection()

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram.token)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack.bot_token)


# (section, key): the secret keys, each readable from the environment or from ``<key>_file``.
SECRETS: tuple[tuple[str, str], ...] = (
    ("telegram", "token"),
    ("telegram", "webhook_secret"),
    ("slack", "bot_token"),
    ("slack", "signing_secret"),
    ("slack", "app_token"),
)
_PLACEHOLDER = re.compile(
    r"^(|x+|changeme|change-me|secret|token|todo|your[-_ ].*|<.*>|\.\.\.|xox[abp]-x+.*|xapp-x+.*)$",
    re.IGNORECASE,
)


def load_settings(
    path: str | Path | None = None, *, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read the TOML file (optional), apply environment overrides and secrets, validate."""
    environ = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"{p}: no such file") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{p}: not valid TOML ({exc})") from exc
    for section, key in SECRETS:
        if isinstance(data.get(section), dict) and key in data[section]:
            raise ConfigError(
                f"{section}.{key}: secrets may not be written in the config file; "
                f"set NCBOT_{section.upper()}__{key.upper()} or {section}.{key}_file"
            )
    _apply_environment(data, environ)
    _read_secret_files(data)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        if err["type"] in ("greater_than_equal", "less_than_equal"):
            low, high = numeric_range(*(str(p) for p in err["loc"]))
            msg = f"{err['input']} is out of range (from {low} to {high})"
        raise ConfigError(f"{where}: {msg.removeprefix('Value error, ')}") from exc
    for section, key in SECRETS:
        value = getattr(getattr(settings, section), key)
        if value is not None and _PLACEHOLDER.match(value.strip()):
            raise ConfigError(f"{section}.{key}: looks like a placeholder, not a real secret")
    return settings


def numeric_range(section: str, key: str) -> tuple[float, float]:
    """The lowest and highest value a numeric key accepts."""
    field = Settings.model_fields[section].annotation.model_fields[key]  # type: ignore[union-attr]
    low = next(m.ge for m in field.metadata if getattr(m, "ge", None) is not None)
    high = next(m.le for m in field.metadata if getattr(m, "le", None) is not None)
    return low, high


def _apply_environment(data: dict[str, Any], environ: Mapping[str, str]) -> None:
    for name, value in environ.items():
        if not name.startswith("NCBOT_") or "__" not in name:
            continue
        section, _, key = name.removeprefix("NCBOT_").lower().partition("__")
        if section not in Settings.model_fields:
            continue  # other NCBOT_* variables (e.g. test settings) are not config
        data.setdefault(section, {})
        if not isinstance(data[section], dict):
            raise ConfigError(f"{section}: must be a table")
        data[section][key] = value


def _read_secret_files(data: dict[str, Any]) -> None:
    for section, key in SECRETS:
        table = data.get(section)
        if not isinstance(table, dict) or not table.get(f"{key}_file"):
            continue
        file = Path(table[f"{key}_file"])
        try:
            secret = file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{section}.{key}_file: cannot read {file} ({exc.strerror})") from exc
        table.setdefault(key, secret)
