"""The App Home tab: the core's overview of a person, one section per part."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from adapters.slack.render import MAX_BLOCKS, mrkdwn, section
from bot.rich import Rich

SECTION_CHARS = 3000


def home_view(sections: list[Rich], commands: Collection[str] = ()) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    for i, part in enumerate(sections):
        if i:
            blocks.append({"type": "divider"})
        text = mrkdwn(part, commands)
        blocks.append(section(text if len(text) <= SECTION_CHARS else text[: SECTION_CHARS - 1] + "…"))
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}
