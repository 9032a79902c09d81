"""What the adapter asks Slack about people and channels, remembered where it does not change."""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.delivery import slack_error
from adapters.slack.render import escape
from adapters.slack.translate import as_typed

log = logging.getLogger(__name__)


class Workspace:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._names: dict[str, str] = {}
        self._member_of: set[str] = set()
        # Channels being asked about now: commands arriving meanwhile share the one answer.
        self._asking: dict[str, asyncio.Future[bool]] = {}

    async def name(self, user_id: str) -> str | None:
        """The name people know a person by (display name, else real name); None if unknown."""
        if user_id and user_id not in self._names:
            try:
                user = (await self._client.users_info(user=user_id)).get("user") or {}
            except Exception as exc:  # a name is a nicety: the event goes on without it
                log.info("slack: users.info failed: %r", exc)
                return None
            profile = user.get("profile") or {}
            name = profile.get("display_name") or profile.get("real_name") or user.get("real_name")
            self._names[user_id] = str(name or user.get("name") or user_id)
        return self._names.get(user_id)

    def known_name(self, user_id: str) -> str | None:
        """The name ``name`` found earlier, without asking."""
        return self._names.get(user_id)

    async def is_member(self, channel: str) -> bool:
        """Whether the bot is in the channel; unknown (an API that cannot say) counts as yes.
        Asked once per channel: a yes is kept (and events keep it up to date)."""
        if channel in self._member_of:
            return True
        asking = self._asking.get(channel)
        if asking is not None:
            return await asyncio.shield(asking)
        future = self._asking[channel] = asyncio.get_running_loop().create_future()
        try:
            member = await self._ask_membership(channel)
        except BaseException:  # cancelled (the process stopping): so are those waiting
            future.cancel()
            raise
        else:
            future.set_result(member)
        finally:
            del self._asking[channel]
        return member

    async def _ask_membership(self, channel: str) -> bool:
        try:
            info = await self._client.conversations_info(channel=channel)
        except SlackApiError as exc:
            return slack_error(exc) != "channel_not_found"
        except Exception as exc:  # cannot tell: let the command through
            log.info("slack: conversations.info failed: %r", exc)
            return True
        member = bool((info.get("channel") or {}).get("is_member", True))
        if member:
            self._member_of.add(channel)
        return member

    def note_membership(self, channel: str, *, joined: bool) -> None:
        if joined:
            self._member_of.add(channel)
        else:
            self._member_of.discard(channel)

    async def thread_text(self, channel: str, ts: str) -> str | None:
        """The text of a thread's first message, as typed."""
        try:
            found = await self._client.conversations_replies(channel=channel, ts=ts, limit=1)
        except SlackApiError as exc:
            log.warning("slack: the thread's message could not be read: %s",
                        slack_error(exc))
            return None
        messages = found.get("messages") or []
        return as_typed(messages[0].get("text") or "") if messages else None

    async def respond(self, response_url: str | None, text: str) -> None:
        """An answer only the person who typed a command sees, through its response URL."""
        if not response_url:
            return
        try:
            await AsyncWebhookClient(response_url).send(text=escape(text),
                                                        response_type="ephemeral")
        except Exception as exc:
            log.warning("slack: answering through the response URL failed: %r", exc)

    async def whisper(self, channel: str, user_id: str, text: str) -> None:
        """A message in a channel that only one person sees."""
        try:
            await self._client.chat_postEphemeral(channel=channel, user=user_id, text=escape(text))
        except SlackApiError as exc:
            log.warning("slack: a notice could not be shown: %s", slack_error(exc))
