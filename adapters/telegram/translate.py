"""Telegram updates to neutral events: one function per update kind, chosen by a table."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, ChatMemberUpdated, Message, Poll, PollAnswer, Update, User
from telegram import Chat as TgChat
from telegram.constants import ChatMemberStatus, ChatType

from bot.kernel.events import (
    ButtonPressed,
    ChatKind,
    ChatRef,
    CommandIssued,
    Inbound,
    MemberChange,
    MembershipChanged,
    MessagePosted,
    PollCounted,
    PollVoted,
    Sender,
)

log = logging.getLogger(__name__)

PLATFORM = "telegram"

# "/name", "/name@bot", then the arguments (which may run over several lines).
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]+))?(?:\s+(.*))?$", re.DOTALL)
_IN = {ChatMemberStatus.LEFT, ChatMemberStatus.BANNED}


@dataclass(frozen=True)
class BotSelf:
    """Who the bot is on Telegram: commands for other bots and its own poll counts need it."""

    user_id: int
    username: str
    name: str


def sender_of(user: User) -> Sender:
    return Sender(PLATFORM, str(user.id), user.full_name, user.username)


def chat_ref(chat: TgChat) -> ChatRef | None:
    """Private chats and groups; channels are not places the bot works in."""
    if chat.type == ChatType.PRIVATE:
        return ChatRef(PLATFORM, str(chat.id), ChatKind.PRIVATE)
    if chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        return ChatRef(PLATFORM, str(chat.id), ChatKind.GROUP, chat.title)
    return None


def private_ref(user: User) -> ChatRef:
    """A person's private chat with the bot has the person's own id on Telegram."""
    return ChatRef(PLATFORM, str(user.id), ChatKind.PRIVATE)


def _message(update: Update, message: Message, me: BotSelf) -> Inbound | None:
    where = chat_ref(message.chat)
    user = message.from_user
    if where is None or user is None:
        return None
    event_id = f"tg:{update.update_id}"
    who = sender_of(user)
    if message.migrate_to_chat_id:
        return MembershipChanged(chat=where, sender=who, event_id=event_id,
                                 change=MemberChange.CHAT_MIGRATED,
                                 new_chat_id=str(message.migrate_to_chat_id))
    if message.migrate_from_chat_id:
        # The same migration as seen from the new supergroup: the effect is the same.
        old = ChatRef(PLATFORM, str(message.migrate_from_chat_id), ChatKind.GROUP, where.title)
        return MembershipChanged(chat=old, sender=who, event_id=event_id,
                                 change=MemberChange.CHAT_MIGRATED, new_chat_id=where.chat_id)
    if message.new_chat_title:
        return MembershipChanged(chat=where, sender=who, event_id=event_id,
                                 change=MemberChange.CHAT_RENAMED)
    text = message.text or message.caption
    command = _COMMAND.match(message.text) if message.text else None
    if command is not None:
        name, addressee, args = command.groups()
        if addressee is None or addressee.lower() == me.username.lower():
            return CommandIssued(chat=where, sender=who, event_id=event_id, name=name.lower(),
                                 args=(args or "").strip(), reply_to_text=_replied(message))
        if where.kind == ChatKind.PRIVATE:
            return None
        # A command for another bot: not ours, though speaking in the group still counts.
    if where.kind == ChatKind.PRIVATE and not text:
        return None  # a sticker or photo in a private chat is no answer to anything
    if _is_service(message):
        return None
    return MessagePosted(chat=where, sender=who, event_id=event_id, text=text or "")


def _replied(message: Message) -> str | None:
    replied = message.reply_to_message
    # In forum topics every message "replies" to the topic's opening message: not a quote.
    if replied is None or replied.forum_topic_created is not None:
        return None
    return replied.text or replied.caption or None


def _is_service(message: Message) -> bool:
    return bool(
        message.new_chat_members
        or message.left_chat_member
        or message.group_chat_created
        or message.supergroup_chat_created
        or message.pinned_message
        or message.delete_chat_photo
        or message.new_chat_photo
    )


def _callback(update: Update, query: CallbackQuery, me: BotSelf) -> Inbound | None:
    if not query.data:
        return None
    where = chat_ref(query.message.chat) if query.message is not None else private_ref(query.from_user)
    if where is None:
        return None
    return ButtonPressed(chat=where, sender=sender_of(query.from_user),
                         event_id=f"tg:{update.update_id}", action=query.data,
                         supports_forms=False)


def _poll_answer(update: Update, answer: PollAnswer, me: BotSelf) -> Inbound | None:
    if answer.user is None:
        return None  # an anonymous admin voting as the chat: no person to count
    # Telegram does not say in which chat the poll was; the core finds it by the poll's id.
    return PollVoted(chat=private_ref(answer.user), sender=sender_of(answer.user),
                     event_id=f"tg:{update.update_id}", platform_poll_id=answer.poll_id,
                     option_indexes=tuple(answer.option_ids))


def _poll(update: Update, poll: Poll, me: BotSelf) -> Inbound | None:
    if not poll.is_anonymous:
        return None  # named polls are counted vote by vote from poll_answer
    # Nobody in particular sent this: the counts come from Telegram, on the bot's behalf.
    bot = Sender(PLATFORM, str(me.user_id), me.name, me.username)
    return PollCounted(chat=ChatRef(PLATFORM, str(me.user_id), ChatKind.PRIVATE), sender=bot,
                       event_id=f"tg:{update.update_id}", platform_poll_id=poll.id,
                       counts=tuple(o.voter_count for o in poll.options))


def _membership(update: Update, change: ChatMemberUpdated, me: BotSelf) -> Inbound | None:
    where = chat_ref(change.chat)
    if where is None or where.kind == ChatKind.PRIVATE:
        # In a private chat this is the person blocking or unblocking the bot; sending to them
        # tells the core the same thing, with the identity to mark.
        return None
    was_in = change.old_chat_member.status not in _IN and _is_member(change.old_chat_member)
    now_in = change.new_chat_member.status not in _IN and _is_member(change.new_chat_member)
    if was_in == now_in:
        return None
    return MembershipChanged(chat=where, sender=sender_of(change.from_user),
                             event_id=f"tg:{update.update_id}",
                             change=MemberChange.BOT_ADDED if now_in else MemberChange.BOT_REMOVED)


def _is_member(member: Any) -> bool:
    # A restricted member may or may not still be in the chat.
    return bool(getattr(member, "is_member", True))


Translator = Callable[[Update, Any, BotSelf], Inbound | None]

# Update field -> translation. Edited messages, channel posts and the rest are not listed,
# so they have no effect (an edited "/command" must not run it twice).
TABLE: tuple[tuple[str, Translator], ...] = (
    ("message", _message),
    ("callback_query", _callback),
    ("poll_answer", _poll_answer),
    ("poll", _poll),
    ("my_chat_member", _membership),
)
ALLOWED_UPDATES = [name for name, _ in TABLE]


def translate(update: Update, me: BotSelf) -> Inbound | None:
    """The neutral event for an update, or None when it means nothing to the core."""
    for name, translator in TABLE:
        value = getattr(update, name)
        if value is not None:
            problem: str | None = None
            try:
                event = translator(update, value, me)
            except (AttributeError, TypeError, ValueError, KeyError) as exc:
                event, problem = None, repr(exc)
            else:
                problem = None if event is None or _fits(event) else "fields of the wrong type"
            if problem is not None:
                # Telegram always sends these fields, typed: only a broken or forged update does not.
                log.warning("telegram: an update of an unexpected shape was ignored: %s", problem)
                return None
            return event
    return None


def _fits(event: Inbound) -> bool:
    """Ids are Telegram's numbers and counts fit its 32 bits (the core checks the rest of the
    types: ``Inbound.well_typed``)."""
    ids = (event.chat.chat_id, event.sender.user_id, getattr(event, "new_chat_id", None) or "0")
    if not all(type(i) is str and i.removeprefix("-").isdigit() for i in ids):
        return False
    numbers = (*getattr(event, "option_indexes", ()), *getattr(event, "counts", ()))
    return all(type(n) is int and abs(n) < 2**31 for n in numbers)


# The fields of an ordinary text message in a group; a message with any other field (a reply, a
# photo, a service message, a forward) is read by python-telegram-bot and ``translate``.
_PLAIN_FIELDS = frozenset({"message_id", "date", "chat", "from", "text", "entities",
                           "link_preview_options"})


def plain_group_message(data: dict[str, Any]) -> MessagePosted | None:
    """The event for a raw update that is an ordinary text message in a group, read straight
    from Telegram's JSON (as ``translate`` would read it); None for any other update.

    Most updates a busy council sends are these; parsing each into python-telegram-bot's
    objects (a hundred-odd attributes a message) cost as much as all the rest of its handling.
    """
    if len(data) != 2 or type(data.get("update_id")) is not int:
        return None
    message = data.get("message")
    if type(message) is not dict or not _PLAIN_FIELDS.issuperset(message):
        return None
    chat, user, text = message.get("chat"), message.get("from"), message.get("text")
    if type(chat) is not dict or type(user) is not dict or type(text) is not str:
        return None
    if chat.get("type") not in (ChatType.GROUP, ChatType.SUPERGROUP) or text.startswith("/"):
        return None  # other chats and commands: the full reading
    chat_id, user_id, title = chat.get("id"), user.get("id"), chat.get("title")
    first, last, username = user.get("first_name"), user.get("last_name"), user.get("username")
    if not (type(chat_id) is int and type(user_id) is int and type(first) is str
            and (title is None or type(title) is str) and (last is None or type(last) is str)
            and (username is None or type(username) is str)):
        return None
    return MessagePosted(
        chat=ChatRef(PLATFORM, str(chat_id), ChatKind.GROUP, title),
        sender=Sender(PLATFORM, str(user_id), f"{first} {last}" if last else first,
                      username),
        event_id=f"tg:{data['update_id']}", text=text)
