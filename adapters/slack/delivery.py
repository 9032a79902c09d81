"""Sending through the Slack Web API: messages, edits, files, and Slack's errors as port failures."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from adapters.expiry import Expiry
from adapters.slack.coalesce import EditCoalescer
from adapters.slack.render import message_payload, votes_by_buttons
from bot.kernel.events import Outbound
from bot.kernel.ports import ChatGone, Delivered, MayHaveArrived, Rejected, RetryLater, Unreachable

log = logging.getLogger(__name__)

CHAT_GONE = frozenset({"channel_not_found", "is_archived", "not_in_channel", "channel_is_archived"})
UNREACHABLE = frozenset({"user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot",
                         "user_not_visible", "user_not_in_channel"})
PASSING = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})


def retry_after(response: Any, default: float = 5.0) -> float:
    headers = getattr(response, "headers", None) or {}
    for key, value in headers.items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return max(float(raw), 0.0)
            except ValueError:
                return default
    return default


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code, or "" when the answer was not Slack's JSON (a proxy's error page)."""
    data = getattr(exc.response, "data", None)
    return str(data.get("error") or "") if isinstance(data, dict) else ""


def failure(exc: SlackApiError) -> Exception:
    """The port failure for a Slack API error (the outbox decides what to do with it)."""
    response = exc.response
    error = slack_error(exc)
    status = getattr(response, "status_code", 200)
    if status == 429 or error == "ratelimited":
        return RetryLater(f"slack: rate limited ({error or status})", retry_after(response))
    if error in CHAT_GONE:
        return ChatGone(f"slack: {error}")
    if error in UNREACHABLE:
        return Unreachable(f"slack: {error}")
    if status >= 500 or error in PASSING:
        return RetryLater(f"slack: {error or status}", 5.0)
    return Rejected(f"slack: {error or status}")


def message_ref(channel: str, ts: str) -> str:
    """The message id the outbox keeps for edits: Slack needs the channel and the ts."""
    return f"{channel}:{ts}"


def ephemeral_ref(channel: str, ts: str) -> str:
    """An ephemeral message's id: Slack lets nobody edit or delete one (no ":", so an edit is
    refused at once)."""
    return f"ephemeral-{channel}-{ts}"


class SlackDelivery:
    """``send`` of the port; network errors propagate so the outbox backs off and retries."""

    def __init__(self, client: AsyncWebClient, *, commands: Collection[str] = (),
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._client = client
        self._commands = commands
        self._dm: dict[str, str] = {}
        self.coalescer = EditCoalescer(self._update, monotonic=monotonic, sleep=sleep)
        self.expiry = Expiry(self._delete, sleep=sleep)

    async def send(self, message: Outbound, *, edit_message_id: str | None = None) -> Delivered:
        try:
            if edit_message_id is not None:
                if ":" not in edit_message_id:
                    raise Rejected(f"slack: cannot edit {edit_message_id}")
                await self.coalescer.edit(edit_message_id, message)
                return Delivered(edit_message_id)
            channel = await self.channel_for(message)
            try:
                if message.attachment is not None:
                    return await self._upload(channel, message)
                payload = message_payload(message, self._commands)
                if message.ephemeral_to and message.to.user_id in (None, message.ephemeral_to):
                    # For one person in a channel: shown to them alone, gone when they reload.
                    answer = await self._client.chat_postEphemeral(
                        channel=channel, user=message.ephemeral_to, **payload)
                    return Delivered(ephemeral_ref(channel, str(answer.get("message_ts") or "")))
                answer = await self._client.chat_postMessage(
                    channel=channel, unfurl_links=False, unfurl_media=False, **payload
                )
            except TimeoutError as exc:
                # Sent, and no answer in time: Slack may have posted it all the same.
                raise MayHaveArrived(f"slack: no answer within {self._client.timeout} s") from exc
        except SlackApiError as exc:
            raise failure(exc) from exc
        ref = message_ref(str(answer.get("channel") or channel), str(answer["ts"]))
        if message.delete_after is not None:
            self.expiry.later(str(answer.get("channel") or channel), str(answer["ts"]),
                              message.delete_after)
        voted_here = votes_by_buttons(message) is not None
        return Delivered(ref, platform_poll_id=ref if voted_here else None)

    async def channel_for(self, message: Outbound) -> str:
        to = message.to
        if to.chat_id:
            return to.chat_id
        if not to.user_id:
            raise Rejected("slack: a message with neither a chat nor a person")
        return await self.dm_channel(to.user_id)

    async def dm_channel(self, user_id: str) -> str:
        """The bot's direct-message channel with a person (opened once, then remembered)."""
        if user_id not in self._dm:
            answer = await self._client.conversations_open(users=user_id)
            self._dm[user_id] = str(answer["channel"]["id"])
        return self._dm[user_id]

    async def _update(self, message_id: str, message: Outbound) -> None:
        channel, _, ts = message_id.partition(":")
        payload = message_payload(message, self._commands)
        try:
            # An empty list removes buttons the message had; leaving it out would keep them.
            await self._client.chat_update(channel=channel, ts=ts, text=payload["text"],
                                           blocks=payload.get("blocks", []))
        except SlackApiError as exc:
            raise failure(exc) from exc

    async def _delete(self, channel: str, ts: str) -> None:
        await self._client.chat_delete(channel=channel, ts=ts)

    async def _upload(self, channel: str, message: Outbound) -> Delivered:
        att = message.attachment
        assert att is not None
        payload = message_payload(message, self._commands)
        answer = await self._client.files_upload_v2(
            channel=channel, content=att.content, filename=att.filename, title=att.filename,
            initial_comment=payload["text"] or None,
        )
        files = answer.get("files") or [answer.get("file") or {}]
        return Delivered(f"file:{files[0].get('id', '')}")


class WaitOutRateLimit(AsyncRetryHandler):
    """For calls made while answering Slack (modals, App Home): wait ``Retry-After``, then retry.

    Messages do not come through here: their 429 goes back to the outbox as ``RetryLater``.
    """

    def __init__(self, *, max_retry_count: int = 2, longest: float = 30.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._longest = longest
        self._sleep = sleep

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None,
                               error: Exception | None = None) -> bool:
        return response is not None and response.status_code == 429

    async def prepare_for_next_attempt_async(self, *, state: RetryState, request: HttpRequest,
                                             response: HttpResponse | None = None,
                                             error: Exception | None = None) -> None:
        state.next_attempt_requested = True
        await self._sleep(min(retry_after(response, 1.0), self._longest))
        state.increment_current_attempt()
