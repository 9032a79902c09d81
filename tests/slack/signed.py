"""Requests into our /slack/events endpoint, signed the way Slack signs them (v0)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp


def signature(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackSender:
    """Posts Events API callbacks, slash commands and interactions, as Slack would."""

    def __init__(self, url: str, secret: str, response_url: str = "http://127.0.0.1:9/r") -> None:
        self.url = url
        self.secret = secret
        self.response_url = response_url
        self._ids = 0

    async def post(self, body: str, content_type: str, *, timestamp: float | None = None,
                   secret: str | None = None, retry_num: int | None = None
                   ) -> tuple[int, str]:
        ts = str(int(timestamp if timestamp is not None else time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature(secret or self.secret, ts, body),
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        async with aiohttp.ClientSession() as session, session.post(
            self.url, data=body.encode(), headers=headers
        ) as resp:
            return resp.status, await resp.text()

    def next_id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}{self._ids:04d}"

    async def event(self, event: dict[str, Any], *, event_id: str | None = None,
                    **kw: Any) -> tuple[int, str]:
        body = {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id or self.next_id("Ev"),
            "event_time": int(time.time()),
            "event": event,
        }
        return await self.post(json.dumps(body), "application/json", **kw)

    async def command(self, text: str, *, user: str = "U1", channel: str = "C1",
                      channel_name: str = "general", user_name: str = "alice",
                      **kw: Any) -> tuple[int, str]:
        form = {
            "token": "legacy", "team_id": "T1", "channel_id": channel, "channel_name": channel_name,
            "user_id": user, "user_name": user_name, "command": "/ncbot", "text": text,
            "response_url": self.response_url, "trigger_id": self.next_id("trig"),
            "api_app_id": "A1",
        }
        return await self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)

    async def interaction(self, payload: dict[str, Any], **kw: Any) -> tuple[int, str]:
        payload.setdefault("trigger_id", self.next_id("trig"))
        payload.setdefault("team", {"id": "T1"})
        payload.setdefault("api_app_id", "A1")
        form = {"payload": json.dumps(payload)}
        return await self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)

    async def press(self, value: str, *, user: str = "U1", channel: str = "D1",
                    message_ts: str = "1700000000.000001", action_id: str = "b0_0",
                    **kw: Any) -> tuple[int, str]:
        return await self.interaction({
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower()},
            "channel": {"id": channel},
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
            "message": {"ts": message_ts, "text": ""},
            "actions": [{"type": "button", "action_id": action_id, "block_id": "r0",
                         "value": value, "action_ts": str(time.time())}],
        }, **kw)

    async def submit(self, view: dict[str, Any], values: dict[str, dict[str, Any]], *,
                     user: str = "U1", **kw: Any) -> tuple[int, str]:
        """Submit a modal the bot opened: ``values`` maps block ids to the element state."""
        state = {block: {"value": element} for block, element in values.items()}
        return await self.interaction({
            "type": "view_submission",
            "user": {"id": user, "username": user.lower(), "name": user.lower()},
            "view": {**view, "id": "V1", "state": {"values": state}},
        }, **kw)
