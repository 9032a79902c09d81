"""Socket Mode: the same app, fed over a websocket instead of HTTP requests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from adapters.http import HttpServer
from adapters.slack.adapter import EVENTS_PATH, SlackAdapter
from bot.kernel.config import ConfigError
from bot.kernel.core import Core
from bot.kernel.events import CommandIssued
from tests.slack.conftest import FakeTime, slack_settings
from tests.slack.fake_slack import FakeSlack


@pytest.fixture
async def socket_mode(core: Core, api: FakeSlack) -> AsyncIterator[tuple[SlackAdapter, HttpServer]]:
    http = HttpServer(core, host="127.0.0.1", port=0)
    time = FakeTime()
    settings = slack_settings(api, mode="socket", app_token="xapp-1-A1-socket",
                              signing_secret="")
    adapter = SlackAdapter(core, settings, http, monotonic=time.monotonic, sleep=time.sleep)
    core.attach(adapter)
    await http.start()
    await adapter.start()
    yield adapter, http
    await adapter.stop()
    await http.stop()


async def test_a_slash_command_over_the_socket_is_acknowledged_and_answered(
    socket_mode: tuple[SlackAdapter, HttpServer], api: FakeSlack
) -> None:
    adapter, http = socket_mode
    seen: list[object] = []
    adapter.on_processed.append(lambda e, r: seen.append(e))
    [opened] = api.called("apps.connections.open")
    assert opened.token == "xapp-1-A1-socket"
    ack = await api.envelope("slash_commands", {
        "command": "/ncbot", "text": "help", "user_id": "U1", "user_name": "alice",
        "channel_id": "C1", "channel_name": "general", "trigger_id": "trig-s1",
        "team_id": "T1", "api_app_id": "A1", "response_url": "http://127.0.0.1:9/r",
    })
    assert ack["envelope_id"]
    [post] = await api.wait_for("chat.postEphemeral")
    assert post.params["channel"] == "C1" and "Commands you can use here" in post.params["text"]
    assert isinstance(seen[0], CommandIssued)
    async with aiohttp.ClientSession() as s:
        async with s.post(f"http://127.0.0.1:{http.bound_port}{EVENTS_PATH}", data="x") as r:
            assert r.status == 404  # no HTTP endpoint in Socket Mode
        async with s.get(f"http://127.0.0.1:{http.bound_port}/healthz") as r:
            health = await r.json()
    assert health["checks"]["slack"] == {"ok": True, "detail": "socket mode as ncbot"}


def test_socket_mode_needs_an_app_token(core: Core, api: FakeSlack) -> None:
    http = HttpServer(core, host="127.0.0.1", port=0)
    with pytest.raises(ConfigError, match=r"slack\.app_token"):
        SlackAdapter(core, slack_settings(api, mode="socket"), http)


def test_http_mode_needs_a_signing_secret(core: Core, api: FakeSlack) -> None:
    http = HttpServer(core, host="127.0.0.1", port=0)
    with pytest.raises(ConfigError, match=r"slack\.signing_secret"):
        SlackAdapter(core, slack_settings(api, signing_secret=""), http)
