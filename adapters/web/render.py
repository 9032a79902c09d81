"""The Jinja2 environment of the public record: templates with autoescape, and their filters."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from adapters.web import charts
from bot.kernel.durations import describe_age

TEMPLATES = Path(__file__).with_name("templates")


def environment(tz: ZoneInfo) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        # Every template escapes, the Atom feed's XML included: resident text is never markup.
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def day(value: datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(tz)
        return f"{local.day} {local:%b %Y}"

    def moment(value: datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(tz)
        return f"{local.day} {local:%b %Y, %H:%M}"

    def iso(value: datetime | None) -> str:
        return "" if value is None else value.isoformat()

    def age(value: timedelta | None) -> str:
        return "no answer yet" if value is None else describe_age(value)

    def percent(part: int, whole: int) -> str:
        return "–" if not whole else f"{round(100 * part / whole)} %"

    def sentence(text: str) -> str:
        """The first letter upper case, the rest as it is (Jinja's capitalize lowers it)."""
        return text[:1].upper() + text[1:]

    env.filters.update(day=day, moment=moment, iso=iso, age=age, sentence=sentence)
    env.globals.update(percent=percent, months_chart=charts.months_chart,
                       bars_chart=charts.bars_chart)
    return env


def render(env: Environment, name: str, **values: Any) -> str:
    return env.get_template(name).render(**values)
