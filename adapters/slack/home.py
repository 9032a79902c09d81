"""The App Home tab: the core's overview of a person, a section (and its buttons) per part."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from adapters.slack.render import MAX_BLOCKS, button_rows, mrkdwn, section
from bot.people import OverviewPart

SECTION_CHARS = 3000


def home_view(parts: list[OverviewPart], commands: Collection[str] = ()) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    for i, part in enumerate(parts):
        if i and not part.buttons:  # a divider between parts; a challenge's lines stay together
            blocks.append({"type": "divider"})
        text = mrkdwn(part.text, commands)
        if len(text) > SECTION_CHARS:
            text = text[: SECTION_CHARS - 1] + "…"
        blocks.append(section(text))
        blocks += [{**row, "block_id": f"home{i}"} for row in button_rows((part.buttons,))]
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}
