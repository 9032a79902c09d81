"""Log output: JSON lines for collectors (bot.log_json = true), and secrets kept out of every line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from bot.kernel.config import SECRETS, Settings

# Loggers of the libraries that carry platform traffic. At DEBUG they print whole requests and
# updates (residents' messages, names); they go below INFO only when bot.library_log_level says so.
# (SQLAlchemy keeps itself at WARNING unless told otherwise: its INFO is every statement with its
# parameters, so it is left alone here.)
LIBRARIES = ("telegram", "httpx", "httpcore", "slack_sdk", "slack_bolt", "aiohttp", "websockets")


def configure_logging(settings: Settings, *, quiet: bool = False) -> None:
    """Standard error at ``bot.log_level`` (WARNING when ``quiet``), plain or JSON lines; the
    libraries no more verbose than ``bot.library_log_level``."""
    level = logging.WARNING if quiet else getattr(logging, settings.bot.log_level)
    if settings.bot.log_json:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        logging.basicConfig(level=level, handlers=[handler])
    else:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    floor = getattr(logging, settings.bot.library_log_level)
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(max(level, floor))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:  # the traceback with the secrets already blanked out
            data["exception"] = record.exc_text
        elif record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


REDACTED = "[redacted]"


def configured_secrets(settings: Settings) -> list[str]:
    """The secret values in the settings (tokens, signing secrets), longest first."""
    found = {getattr(getattr(settings, section), key) for section, key in SECRETS}
    return sorted((s for s in found if s), key=len, reverse=True)


def install_secret_redaction(secrets: Iterable[str]) -> None:
    """Blank the secrets out of every log record, whichever logger made it and whatever prints it.

    A record factory rather than a handler filter: libraries log request URLs (the Telegram token
    is part of each Bot API URL) through their own loggers and handlers we do not configure.
    """
    values = [s for s in secrets if s]
    variants = sorted({v for s in values for v in (s, quote(s, safe=""), quote(s))}, key=len,
                      reverse=True)
    base = _BASE_FACTORY

    def redact(text: str) -> str:
        for secret in variants:
            text = text.replace(secret, REDACTED)
        return text

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        if not variants:
            return record
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler's own error path
            message = str(record.msg)
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)


_BASE_FACTORY = logging.getLogRecordFactory()
