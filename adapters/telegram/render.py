"""Rich text to Telegram HTML, long texts split at line boundaries, buttons to inline keyboards."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.kernel.events import Button
from bot.kernel.ports import Rejected
from bot.kernel.rich import Rich, Span, Style

MESSAGE_LIMIT = 4096  # Telegram counts the text after parsing, in UTF-16 code units
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes
POLL_QUESTION_LIMIT = 300
POLL_OPTION_LIMIT = 100

_TAGS = {Style.BOLD: "b", Style.ITALIC: "i", Style.CODE: "code"}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def to_html(rich: Rich) -> str:
    """Every span escaped; styles become tags, so user text can never become markup."""
    out = []
    for span in rich.spans:
        body = html.escape(span.text, quote=False)
        tag = _TAGS.get(span.style)
        out.append(f"<{tag}>{body}</{tag}>" if tag else body)
    return "".join(out)


def _lines(rich: Rich) -> list[list[Span]]:
    lines: list[list[Span]] = [[]]
    for span in rich.spans:
        for i, piece in enumerate(span.text.split("\n")):
            if i:
                lines.append([])
            if piece:
                lines[-1].append(Span(piece, span.style))
    return lines


def _cut(spans: list[Span], limit: int) -> list[list[Span]]:
    """One line longer than a message: cut it at spaces (or anywhere, if it has none)."""
    pieces: list[list[Span]] = [[]]
    room = limit
    for span in spans:
        text = span.text
        while text:
            if utf16_len(text) <= room:
                pieces[-1].append(Span(text, span.style))
                room -= utf16_len(text)
                break
            end = 0
            used = 0
            while end < len(text) and used + utf16_len(text[end]) <= room:
                used += utf16_len(text[end])
                end += 1
            space = text.rfind(" ", 0, end)
            if space > 0 and end - space < 200:
                end = space + 1
            if end > 0:
                pieces[-1].append(Span(text[:end], span.style))
            text = text[end:]
            pieces.append([])
            room = limit
    return [p for p in pieces if p]


def split(rich: Rich, limit: int = MESSAGE_LIMIT) -> list[Rich]:
    """Messages of at most ``limit`` characters, broken between lines (list items) when possible."""
    chunks: list[list[Span]] = []
    current: list[Span] = []
    size = 0
    for line in _lines(rich):
        length = sum(utf16_len(s.text) for s in line)
        if current and size + 1 + length <= limit:
            current.append(Span("\n"))
            current.extend(line)
            size += 1 + length
            continue
        if current or size:
            chunks.append(current)
        if length <= limit:
            current, size = list(line), length
            continue
        *whole, current = _cut(line, limit)
        chunks.extend(whole)
        size = sum(utf16_len(s.text) for s in current)
    chunks.append(current)
    texts = [Rich(tuple(c)) for c in chunks]
    return [t for t in texts if t.text.strip()] or [Rich()]


def shorten(rich: Rich, limit: int) -> Rich:
    """The first ``limit`` characters (for edits and captions, which cannot be split)."""
    first = split(rich, limit - 1)
    return first[0] + "…" if len(first) > 1 else first[0]


def keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    for row in rows:
        for b in row:
            if len(b.action.encode("utf-8")) > CALLBACK_DATA_LIMIT:
                raise Rejected(f"button action longer than {CALLBACK_DATA_LIMIT} bytes")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.action) for b in row] for row in rows]
    )


def poll_question(text: str) -> str:
    return text if len(text) <= POLL_QUESTION_LIMIT else text[: POLL_QUESTION_LIMIT - 1] + "…"


def poll_option(text: str) -> str:
    return text if len(text) <= POLL_OPTION_LIMIT else text[: POLL_OPTION_LIMIT - 1] + "…"
