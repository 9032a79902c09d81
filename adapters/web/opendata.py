"""The open data behind each page: JSON (everything the page shows) and CSV (its main table)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields, is_dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.challenges import CouncillorFigures
from bot.record.views import (
    ChallengeRecord,
    CouncillorLine,
    CouncillorRecord,
    ProjectRecord,
    ProjectSummary,
)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):  # most values: checked first
        return value
    if isinstance(value, CouncillorFigures):
        return value.to_json()
    names = _field_names(type(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 3600, 1)  # hours
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _field_names(kind: type) -> tuple[str, ...] | None:
    """The fields of a dataclass, None for any other type (asked once per type: an export of
    1,000 challenges has tens of thousands of values)."""
    if kind not in _FIELDS:
        _FIELDS[kind] = tuple(f.name for f in fields(kind)) if is_dataclass(kind) else None
    return _FIELDS[kind]


def to_json(value: Any) -> str:
    return json.dumps(_plain(value), indent=2, ensure_ascii=False) + "\n"


def to_csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _plain(v) for v in row])
    return out.getvalue()


def index_csv(projects: list[ProjectSummary]) -> str:
    return to_csv(
        ["code", "name", "wards", "topics", "messages_last_30_days", "awaiting", "escalated",
         "answered", "withdrawn", "median_answer_hours", "public_since"],
        [[p.code, p.name, "; ".join(p.wards), "; ".join(p.topics), p.messages, p.awaiting,
          p.escalated, p.answered, p.withdrawn, p.median_answer, p.public_since] for p in projects],
    )


def project_csv(r: ProjectRecord) -> str:
    """One row per challenge, with its latest answer."""
    rows = []
    for c in r.challenges:
        a = c.answer
        rows.append([c.number, c.raised_at, c.state, c.supporters, c.text,
                     a.at if a else None, a.by if a else None, a.outcome if a else None,
                     a.explanation if a else None, c.followup])
    return to_csv(["number", "raised_at", "state", "supporters", "text", "answered_at",
                   "answered_by", "outcome", "explanation", "followup"], rows)


def challenge_csv(r: ChallengeRecord) -> str:
    return to_csv(["at", "event", "text", "detail"],
                  [[e.at, e.kind, e.text, e.detail] for e in r.events])


def councillors_csv(lines: list[CouncillorLine]) -> str:
    rows = []
    for line in lines:
        f = line.figures.to_json()
        rows.append([line.id, line.name, "; ".join(line.wards), f["received"], f["acknowledged"],
                     f["answered"], f["median_acknowledge_hours"], f["median_answer_hours"],
                     f["answered_before_escalation"], f["answered_or_escalated"],
                     f["followup_replies"], f["followup_satisfied"], f["awaiting"]])
    return to_csv(["id", "name", "wards", "received", "acknowledged", "answered",
                   "median_acknowledge_hours", "median_answer_hours", "answered_before_escalation",
                   "answered_or_escalated", "followup_replies", "followup_satisfied", "awaiting"],
                  rows)


def councillor_csv(r: CouncillorRecord) -> str:
    return to_csv(["project_code", "project", "challenge", "text", "answered_at", "outcome",
                   "explanation"],
                  [[g.project_code, g.project_name, g.number, g.text, g.answer.at, g.answer.outcome,
                    g.answer.explanation] for g in r.answers])
