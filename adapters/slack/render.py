"""Rich text to Slack mrkdwn, and outbound messages to Block Kit.

Every span is escaped (``&``, ``<``, ``>``), so ``<!channel>`` or ``<@U123>`` written by a
resident arrives as text; bare ``@channel``/``@here``/``@everyone`` get a zero-width space after
the ``@``; and mrkdwn markers inside a span are fenced with zero-width spaces, so a resident's
``*text*`` is shown as typed instead of turning bold.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from typing import Any

from bot.kernel.events import Button, NativePoll, Outbound
from bot.kernel.rich import Rich, Style

ZWSP = "\u200b"
MAX_BLOCKS = 50
SECTION_CHARS = 3000  # a section's text limit
BUTTON_LABEL = 75
BUTTONS_PER_ROW = 25
CHECKBOX_OPTIONS = 10
POLL_BLOCK = "ncbot_poll"
VOTE_ACTION = "vote"  # vote_<index> on a button; vote_multi on checkboxes

_MARKER = re.compile(r"([*_~`])")
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_WRAP = {Style.BOLD: "*", Style.ITALIC: "_", Style.CODE: "`"}


def escape(text: str) -> str:
    """Text that Slack shows exactly as written: no markup, links, mentions or broadcasts."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _BROADCAST.sub(lambda m: f"@{ZWSP}{m.group(1)}", text)
    return _MARKER.sub(rf"{ZWSP}\1{ZWSP}", text)


def _styled(text: str, style: Style) -> str:
    """A span in mrkdwn."""
    mark = _WRAP.get(style)
    body = escape(text)
    if mark is None:
        return body
    # A marker works only on one line, hugging non-space text.
    out = []
    for line in body.split("\n"):
        core = line.strip()
        if not core:
            out.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip())]
        trail = line[len(line.rstrip()):]
        out.append(f"{lead}{mark}{core}{mark}{trail}")
    return "\n".join(out)


# The catalogue's short pieces (headings, command names, labels) come again in message after
# message, so their mrkdwn is kept; what people wrote is longer and rarely comes twice.
KEPT_SPAN = 200
_kept = lru_cache(maxsize=2048)(_styled)

_SLASH = re.compile(r"(?<![\w/])/([a-z]+)\b")


def mrkdwn(text: Rich, commands: Collection[str] = ()) -> str:
    """Render Rich as mrkdwn; ``/name`` of a known command reads ``/ncbot name`` on Slack."""
    out = "".join((_kept if len(s.text) <= KEPT_SPAN else _styled)(s.text, s.style)
                  for s in text.spans)
    if commands:
        out = _SLASH.sub(lambda m: f"/ncbot {m.group(1)}" if m.group(1) in commands else m.group(0), out)
    return out


def _chunks(text: str, size: int = SECTION_CHARS) -> list[str]:
    """Split at line ends where possible, so no section exceeds Slack's limit."""
    parts: list[str] = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        cut = size if cut <= 0 else cut
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text:
        parts.append(text)
    return parts


def plain_label(text: str, limit: int = BUTTON_LABEL) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit] or " ", "emoji": True}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def button_rows(rows: tuple[tuple[Button, ...], ...]) -> list[dict[str, Any]]:
    blocks = []
    for r, row in enumerate(rows):
        elements = [
            {"type": "button", "action_id": f"b{r}_{c}", "text": plain_label(b.label),
             "value": b.action}
            for c, b in enumerate(row[:BUTTONS_PER_ROW])
        ]
        if elements:
            blocks.append({"type": "actions", "block_id": f"r{r}", "elements": elements})
    return blocks


def poll_block(poll: NativePoll) -> dict[str, Any]:
    """Slack has no native poll: buttons (one choice) or checkboxes (several) carry the votes."""
    if poll.multiple:
        options = [{"text": plain_label(o), "value": str(i)}
                   for i, o in enumerate(poll.options[:CHECKBOX_OPTIONS])]
        element: list[dict[str, Any]] = [
            {"type": "checkboxes", "action_id": f"{VOTE_ACTION}_multi", "options": options}
        ]
    else:
        element = [
            {"type": "button", "action_id": f"{VOTE_ACTION}_{i}", "text": plain_label(o),
             "value": str(i)}
            for i, o in enumerate(poll.options[:BUTTONS_PER_ROW])
        ]
    return {"type": "actions", "block_id": POLL_BLOCK, "elements": element}


def votes_by_buttons(message: Outbound) -> NativePoll | None:
    """The poll whose votes this adapter collects itself, if any.

    When the core sends its own option buttons beside the poll, those carry the votes (and the
    core keeps their counts live). Otherwise a named poll gets vote buttons here, reported back
    as ``PollVoted``; an anonymous one gets none, since Slack cannot count it without knowing
    who voted (its text tells people how to vote by command).
    """
    poll = message.poll
    if poll is None or message.buttons or poll.anonymous:
        return None
    return poll


def message_payload(message: Outbound, commands: Collection[str] = ()) -> dict[str, Any]:
    """``text`` (the notification and fallback) and, when needed, ``blocks`` for chat.postMessage."""
    text = mrkdwn(message.text, commands)
    if message.poll is not None and not message.text.text.strip():
        text = escape(message.poll.question)
    payload: dict[str, Any] = {"text": text}
    poll = votes_by_buttons(message)
    if not message.buttons and poll is None and len(text) <= SECTION_CHARS:
        return payload
    blocks = [section(part) for part in _chunks(text)]
    if poll is not None:
        blocks.append(poll_block(poll))
    blocks += button_rows(message.buttons)
    if len(blocks) > MAX_BLOCKS:
        # Keep the buttons (they carry the actions); the text is in ``text`` in full anyway.
        keep = MAX_BLOCKS - (len(blocks) - len(_chunks(text)))
        blocks = [*blocks[:max(keep - 1, 0)], section("…"), *blocks[len(_chunks(text)):]]
        blocks = blocks[:MAX_BLOCKS]
    payload["blocks"] = blocks
    return payload
