"""Outbound messages to Telegram calls: text in parts, native polls, documents and edits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from telegram import Bot, InputFile, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode, PollLimit
from telegram.error import BadRequest, ChatMigrated, TelegramError

from adapters.expiry import Expiry
from adapters.telegram.failures import delivery_error, is_not_modified, may_have_arrived
from adapters.telegram.render import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    keyboard,
    poll_option,
    poll_question,
    shorten,
    split,
    to_html,
)
from bot.kernel.events import Outbound
from bot.kernel.ports import Delivered, MayHaveArrived, Rejected, RetryLater

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# A native poll's message id carries the id of the text sent above it: "poll:<poll>:<text>".
POLL_PREFIX = "poll:"


class Delivery:
    """Sends one Outbound through a PTB bot and raises the core's typed failures.

    Some messages take several calls (a long text in parts, the text above a native poll). When
    a later call fails, the outbox retries the whole message; the calls that already went through
    are remembered here, so the retry sends only the rest and nobody reads a part twice.
    """

    def __init__(self, bot: Bot, *,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.bot = bot
        # (chat, message) -> the message ids of the calls that went through, in order
        self._done: dict[tuple[str, str], list[int]] = {}
        # Telegram has no messages for one person in a group: a short-lived reply is deleted.
        self.expiry = Expiry(self._delete, sleep=sleep)

    async def send(self, message: Outbound, *, edit_message_id: str | None = None) -> Delivered:
        target = message.to.chat_id or message.to.user_id
        if not target:
            raise Rejected("no chat or person to send to")
        private = _is_private(message.to.user_id, target)
        try:
            where = target
            try:
                delivered = await self._send(target, message, edit_message_id)
            except ChatMigrated as moved:
                # A group that became a supergroup: the message goes to where the chat now is.
                where = str(moved.new_chat_id)
                delivered = await self._send(where, message, edit_message_id)
            self._done.pop(_key(target, message), None)
            if message.delete_after is not None and edit_message_id is None \
                    and delivered.message_id.isdigit():
                self.expiry.later(where, delivered.message_id, message.delete_after)
            return delivered
        except TelegramError as exc:
            if edit_message_id is None and may_have_arrived(exc):
                raise MayHaveArrived(f"telegram: no answer in time ({exc})") from exc
            failure = delivery_error(exc, private=private)
            if failure is None:
                raise  # a passing fault: the outbox retries with backoff
            if not isinstance(failure, RetryLater):
                self._done.pop(_key(target, message), None)  # parked: no retry will come
            raise failure from exc

    async def _delete(self, chat_id: str, message_id: str) -> None:
        await self.bot.delete_message(chat_id, int(message_id))

    async def _send(self, chat_id: str, message: Outbound, edit_id: str | None) -> Delivered:
        if edit_id is not None:
            return await self._edit(chat_id, message, edit_id)
        if message.poll is not None and _native(message):
            return await self._poll(chat_id, message)
        if message.attachment is not None:
            return await self._document(chat_id, message)
        last = await self._text(chat_id, message)
        return Delivered(str(last))

    async def _text(self, chat_id: str, message: Outbound, *, buttons: bool = True) -> int:
        """Send the text in as many parts as it takes; the id of the last part."""
        parts = split(message.text, MESSAGE_LIMIT)
        if not message.text.text.strip():
            raise Rejected("an empty message")
        markup = keyboard(message.buttons) if buttons else None
        done = self._done.setdefault(_key(chat_id, message), [])
        last = 0
        for i, part in enumerate(parts):
            if i < len(done):
                last = done[i]  # went through before a later part failed
                continue
            sent = await self.bot.send_message(
                chat_id, to_html(part), parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                reply_markup=markup if i == len(parts) - 1 else None,
            )
            done.append(sent.message_id)
            last = sent.message_id
        return last

    async def _poll(self, chat_id: str, message: Outbound) -> Delivered:
        """The text (without the vote buttons other platforms need), then Telegram's own poll."""
        poll = message.poll
        assert poll is not None
        header = await self._text(chat_id, message, buttons=False) if message.text.text.strip() \
            else None
        sent = await self.bot.send_poll(
            chat_id, poll_question(poll.question), [poll_option(o) for o in poll.options],
            is_anonymous=poll.anonymous, allows_multiple_answers=poll.multiple,
            allows_revoting=True,
        )
        assert sent.poll is not None
        header_id = "" if header is None else str(header)
        return Delivered(f"{POLL_PREFIX}{sent.message_id}:{header_id}", platform_poll_id=sent.poll.id)

    async def _document(self, chat_id: str, message: Outbound) -> Delivered:
        att = message.attachment
        assert att is not None
        caption: str | None = to_html(message.text) if message.text.text.strip() else None
        if caption is not None and len(message.text) > CAPTION_LIMIT:
            await self._text(chat_id, message, buttons=False)
            caption = None
        sent = await self.bot.send_document(
            chat_id, InputFile(att.content, filename=att.filename), caption=caption,
            parse_mode=ParseMode.HTML, reply_markup=keyboard(message.buttons),
        )
        return Delivered(str(sent.message_id))

    async def _edit(self, chat_id: str, message: Outbound, edit_id: str) -> Delivered:
        if edit_id.startswith(POLL_PREFIX):
            return await self._edit_poll(chat_id, message, edit_id)
        try:
            await self.bot.edit_message_text(
                to_html(shorten(message.text, MESSAGE_LIMIT)), chat_id, int(edit_id),
                parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                reply_markup=keyboard(message.buttons),
            )
        except TelegramError as exc:
            if not is_not_modified(exc):
                raise
        return Delivered(edit_id)

    async def _edit_poll(self, chat_id: str, message: Outbound, edit_id: str) -> Delivered:
        """An edit that carries the poll changes only the text above it (the poll runs on);
        one without it means the poll is over: stop it, and say so in the text above it."""
        poll_id, _, header_id = edit_id.removeprefix(POLL_PREFIX).partition(":")
        if message.poll is not None:
            if header_id and message.text.text.strip():
                try:
                    await self.bot.edit_message_text(
                        to_html(shorten(message.text, MESSAGE_LIMIT)), chat_id, int(header_id),
                        parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                    )
                except TelegramError as exc:
                    if not is_not_modified(exc):
                        raise
            return Delivered(edit_id)
        done = self._done.setdefault(_key(chat_id, message), [])
        if not done:
            try:
                await self.bot.stop_poll(chat_id, int(poll_id))
            except BadRequest as exc:
                if "already closed" not in exc.message.lower():
                    raise
            done.append(int(poll_id))
        if not message.text.text.strip():
            return Delivered(edit_id)
        if header_id:
            try:
                await self.bot.edit_message_text(
                    to_html(shorten(message.text, MESSAGE_LIMIT)), chat_id, int(header_id),
                    parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                )
            except TelegramError as exc:
                if not is_not_modified(exc):
                    raise
        else:
            await self.bot.send_message(
                chat_id, to_html(shorten(message.text, MESSAGE_LIMIT)), parse_mode=ParseMode.HTML,
                reply_parameters=ReplyParameters(int(poll_id), allow_sending_without_reply=True),
            )
        return Delivered(edit_id)


def _key(chat_id: str, message: Outbound) -> tuple[str, str]:
    return chat_id, json.dumps(message.to_json(), sort_keys=True)


def _is_private(user_id: str | None, chat_id: str) -> bool:
    """A person rather than a group: on Telegram, group and channel ids are negative."""
    return user_id is not None or not chat_id.startswith("-")


def _native(message: Outbound) -> bool:
    """Telegram shows 1 to 12 options; other polls keep the buttons every platform can show."""
    assert message.poll is not None
    return 2 <= len(message.poll.options) <= PollLimit.MAX_OPTION_NUMBER
