"""The shipped app manifest asks for what the adapter handles, at the path it serves."""

from __future__ import annotations

import re
from pathlib import Path

from adapters.slack.adapter import COMMAND, EVENTS_PATH
from adapters.slack.translate import EVENTS

MANIFEST = Path(__file__).resolve().parents[2] / "slack_manifest.yaml"


def listed(section: str) -> list[str]:
    """The items of a YAML list under ``section:`` (the manifest is plain block style)."""
    text = MANIFEST.read_text(encoding="utf-8")
    block = re.search(rf"^(\s*){section}:\n((?:\1\s+- .*\n)+)", text, re.MULTILINE)
    assert block, section
    return [line.strip()[2:] for line in block.group(2).splitlines()]


def test_every_subscribed_event_has_a_listener_and_back() -> None:
    events = {e.split(".")[0] for e in listed("bot_events")}
    assert events == set(EVENTS) | {"app_home_opened"}
    assert {"message.im", "message.channels", "message.groups"} <= set(listed("bot_events"))


def test_the_command_and_urls_match_the_adapter() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    assert f"- command: {COMMAND}\n" in text
    urls = re.findall(r"(?:url|request_url): (\S+)", text)
    assert len(urls) == 3 and all(u.endswith(EVENTS_PATH) for u in urls)
    assert "home_tab_enabled: true" in text and "is_enabled: true" in text


def test_scopes_cover_what_the_adapter_calls() -> None:
    scopes = set(listed("bot"))
    needed = {"chat:write", "commands", "im:write", "users:read", "files:write",
              "app_mentions:read", "im:history", "channels:history", "groups:history"}
    assert needed <= scopes
