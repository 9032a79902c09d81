"""Reading a /poll line: question and options split by ``|``, flags anywhere, quotes allowed.

Limits are those of the strictest platform: 2 to 12 options, a question of up to 300 characters,
options of up to 100. Every problem becomes a ``PollLineError`` with a short reason; nothing
else is ever raised, whatever the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.kernel.durations import parse_deadline
from bot.kernel.rich import render
from bot.kernel.visible import visible_length
from bot.polls import texts as T

MIN_OPTIONS = 2
MAX_OPTIONS = 12
MAX_QUESTION = 300
MAX_OPTION = 100
MAX_OPEN = timedelta(days=90)  # a poll that runs longer than this is not a quick poll
MIN_OPEN = timedelta(minutes=1)

FLAGS = ("multi", "anonymous", "hide-results", "closes")
QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»"}
# Phones turn "--" into an em dash: accept both.
_FLAG = re.compile(r"(?:--|—)([A-Za-z][A-Za-z-]*)(?:=(.*))?", re.DOTALL)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{1,2}:\d{2}")


class PollLineError(Exception):
    """The line cannot be a poll; ``message`` says why, in words for the person."""

    def __init__(self, template: str, **values: object) -> None:
        self.message = render(template, **values)
        super().__init__(self.message.text)


@dataclass(frozen=True)
class PollSpec:
    question: str
    options: tuple[str, ...]
    multiple: bool = False
    anonymous: bool = False
    hide_results: bool = False
    closes_at: datetime | None = None  # None: the configured default duration


@dataclass(frozen=True)
class _Word:
    text: str
    quoted: bool


_PIPE = object()  # a segment separator among the words


def _words(line: str) -> list[_Word | object]:
    """Split into words and ``|`` separators; quoted text is one word, taken literally."""
    out: list[_Word | object] = []
    buf: list[str] = []
    quoted = False
    i = 0
    while i < len(line):
        ch = line[i]
        if ch in QUOTES:
            end = line.find(QUOTES[ch], i + 1)
            if end < 0:
                raise PollLineError(T.POLL_UNCLOSED_QUOTE)
            buf.append(line[i + 1 : end])
            quoted = True
            i = end + 1
            continue
        if ch.isspace() or ch == "|":
            if buf or quoted:
                out.append(_Word("".join(buf), quoted))
            buf, quoted = [], False
            if ch == "|":
                out.append(_PIPE)
        else:
            buf.append(ch)
        i += 1
    if buf or quoted:
        out.append(_Word("".join(buf), quoted))
    return out


def _tidy(words: list[str]) -> str:
    return " ".join(" ".join(words).split())


def parse_poll_line(line: str, *, now: datetime, tz: ZoneInfo) -> PollSpec:
    """The poll a /poll line asks for, or PollLineError with the reason."""
    items = _words(line)
    segments: list[list[str]] = [[]]
    flags: set[str] = set()
    closes: str | None = None
    i = 0
    while i < len(items):
        item = items[i]
        i += 1
        if item is _PIPE:
            segments.append([])
            continue
        assert isinstance(item, _Word)
        m = None if item.quoted else _FLAG.fullmatch(item.text)
        if m is None:
            segments[-1].append(item.text)
            continue
        name = m.group(1).lower()
        if name not in FLAGS:
            raise PollLineError(T.POLL_UNKNOWN_FLAG, flag=f"--{name}"[:30])
        if name in flags:
            raise PollLineError(T.POLL_REPEATED_FLAG, flag=f"--{name}")
        flags.add(name)
        if name != "closes":
            if m.group(2) is not None:
                raise PollLineError(T.POLL_FLAG_TAKES_NO_VALUE, flag=f"--{name}")
            continue
        closes = m.group(2)
        if closes is None:
            nxt = items[i] if i < len(items) else None
            if not isinstance(nxt, _Word):
                raise PollLineError(T.POLL_CLOSES_MISSING)
            closes = nxt.text
            i += 1
            after = items[i] if i < len(items) else None
            if _DATE.fullmatch(closes) and isinstance(after, _Word) and _TIME.fullmatch(after.text):
                closes = f"{closes}T{after.text.zfill(5)}"  # "2026-12-01 18:00"
                i += 1
    texts = [_tidy(seg) for seg in segments]
    question, options = texts[0], texts[1:]
    _check(question, options)
    return PollSpec(
        question=question,
        options=tuple(options),
        multiple="multi" in flags,
        anonymous="anonymous" in flags,
        hide_results="hide-results" in flags,
        closes_at=None if closes is None else parse_closes(closes, now=now, tz=tz),
    )


def _check(question: str, options: list[str]) -> None:
    if not visible_length(question):
        raise PollLineError(T.POLL_NO_QUESTION)
    if visible_length(question) > MAX_QUESTION:
        raise PollLineError(T.POLL_QUESTION_TOO_LONG, limit=MAX_QUESTION)
    if len(options) < MIN_OPTIONS:
        raise PollLineError(T.POLL_TOO_FEW_OPTIONS, least=MIN_OPTIONS)
    if len(options) > MAX_OPTIONS:
        raise PollLineError(T.POLL_TOO_MANY_OPTIONS, most=MAX_OPTIONS)
    seen: set[str] = set()
    for number, option in enumerate(options, 1):
        if not visible_length(option):
            raise PollLineError(T.POLL_EMPTY_OPTION, number=number)
        if visible_length(option) > MAX_OPTION:
            raise PollLineError(T.POLL_OPTION_TOO_LONG, number=number, limit=MAX_OPTION)
        key = option.casefold()
        if key in seen:
            raise PollLineError(T.POLL_DUPLICATE_OPTION, option=option[:MAX_OPTION])
        seen.add(key)


def parse_closes(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """A deadline from ``--closes`` (2h, 3d, 18:00, 2026-12-01T18:00) within the allowed range."""
    try:
        when = parse_deadline(text, now=now, tz=tz)
    except (ValueError, OverflowError):
        when = None
    if when is None:
        raise PollLineError(T.POLL_BAD_CLOSES, value=text[:40])
    if when < now + MIN_OPEN:
        raise PollLineError(T.POLL_CLOSES_PAST)
    if when > now + MAX_OPEN:
        raise PollLineError(T.POLL_CLOSES_TOO_FAR, days=MAX_OPEN.days)
    return when


def parse_choices(text: str, options: list[str]) -> list[int] | None:
    """Option positions (1-based) a /vote names: numbers ("2", "1,3", "1 3") or an option's text.

    None when nothing matches; an empty list for "none" (withdraw).
    """
    text = " ".join(text.split())
    if text.casefold() in ("none", "-", "withdraw"):
        return []
    parts = [p for p in re.split(r"[,\s]+", text) if p]
    if parts and all(p.isdigit() for p in parts):
        picked = [int(p) for p in parts]
        if all(1 <= p <= len(options) for p in picked):
            return sorted(set(picked))
    for position, option in enumerate(options, 1):
        if " ".join(option.split()).casefold() == text.strip("\"“”").casefold():
            return [position]
    return None
