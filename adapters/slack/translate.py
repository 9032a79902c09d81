"""Slack payloads (Events API, the slash command, interactions) to the core's neutral events.

Pure functions over the JSON Slack sends, one per kind, chosen through ``EVENTS``; no I/O here.
Event ids come from Slack's own ids, so a retried delivery is recognised by the core's ledger.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from adapters.slack.modals import submitted_values
from adapters.slack.render import POLL_BLOCK
from bot.kernel.events import (
    ButtonPressed,
    ChatKind,
    ChatRef,
    CommandIssued,
    FormSubmitted,
    Inbound,
    MemberChange,
    MembershipChanged,
    MessagePosted,
    PollVoted,
    Sender,
)

log = logging.getLogger(__name__)

PLATFORM = "slack"
# Slack has no /start: an invite is redeemed with /ncbot join CODE.
ALIASES = {"join": "start"}
# Message subtypes that are somebody writing; edits, joins and bot posts are not.
_SPOKEN = {None, "thread_broadcast", "file_share", "me_message"}
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_MARKUP = re.compile(r"<([@#!]?)([^>|]*)(?:\|([^>]*))?>")


def as_typed(text: str) -> str:
    """Slack's message markup back to what the person typed: ``<@U1|jo>`` -> ``@jo``, ``&lt;`` -> ``<``."""

    def plain(m: re.Match[str]) -> str:
        sigil, target, label = m.group(1), m.group(2), m.group(3)
        if sigil == "!":
            return "@" + (label.lstrip("@") if label else target.split("^")[0])
        if sigil in ("@", "#"):
            return sigil + (label or target)
        return label or target  # a link: its label, else the address

    text = _MARKUP.sub(plain, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass(frozen=True)
class Known:
    """What translation needs from outside the payload."""

    bot_user_id: str | None
    commands: Collection[str]


def chat_kind(channel_id: str, channel_name: str | None = None) -> ChatKind:
    private = channel_id.startswith("D") or channel_name == "directmessage"
    return ChatKind.PRIVATE if private else ChatKind.GROUP


def _sender(user_id: str, name: str | None = None) -> Sender:
    return Sender(PLATFORM, user_id, name or user_id, username=name, name_is_provisional=True)


def named(sender: Sender, name: str) -> Sender:
    """``sender`` with the name Slack gave them: no longer provisional."""
    return Sender(PLATFORM, sender.user_id, name, username=sender.username)


def _command_of(text: str, known: Known, *, always: bool) -> tuple[str, str] | None:
    """``word rest`` -> (command, rest) when ``word`` is a command (or ``always``), else None."""
    head, _, rest = text.strip().partition(" ")
    name = head.lstrip("/").lower()
    if not name:
        return ("help", "") if always else None
    name = ALIASES.get(name, name) if name not in known.commands else name
    if always or name in known.commands:
        return name, rest.strip()
    return None


def slash_command(body: dict[str, Any], known: Known) -> CommandIssued:
    """``/ncbot <sub> <args>``; ``/ncbot`` alone is help."""
    channel = body.get("channel_id", "")
    name, args = _command_of(as_typed(body.get("text", "")), known, always=True) or ("help", "")
    return CommandIssued(
        chat=ChatRef(PLATFORM, channel, chat_kind(channel, body.get("channel_name")),
                     None if body.get("channel_name") in ("directmessage", "privategroup")
                     else body.get("channel_name")),
        sender=_sender(body.get("user_id", ""), body.get("user_name")),
        name=name,
        args=args,
        event_id=f"cmd:{body.get('trigger_id')}" if body.get("trigger_id") else None,
    )


def message_event(event: dict[str, Any], event_id: str | None, known: Known) -> Inbound | None:
    """A direct message may be a command (``answer 12 ...``); in a channel it counts as activity."""
    if event.get("subtype") not in _SPOKEN or event.get("bot_id"):
        return None
    user = event.get("user")
    if not user or user == known.bot_user_id:
        return None
    channel = event.get("channel", "")
    text = event.get("text") or ""
    if event.get("channel_type") == "im" or channel.startswith("D"):
        chat = ChatRef(PLATFORM, channel, ChatKind.PRIVATE)
        spoken = _without_bot(text, known) if _mentions_bot(text, known) else text
        found = _command_of(as_typed(spoken), known, always=False)
        if found is not None:
            return CommandIssued(chat=chat, sender=_sender(user), name=found[0], args=found[1],
                                 event_id=event_id)
        return MessagePosted(chat=chat, sender=_sender(user), text=as_typed(text),
                             event_id=event_id)
    chat = ChatRef(PLATFORM, channel, ChatKind.GROUP)
    return MessagePosted(chat=chat, sender=_sender(user), text=as_typed(text), event_id=event_id)


def _without_bot(text: str, known: Known) -> str:
    """The text with the bot's own mention taken out (the first mention, if the bot is unknown)."""
    if known.bot_user_id:
        return re.sub(rf"<@{re.escape(known.bot_user_id)}(?:\|[^>]*)?>", "", text, count=1)
    return _MENTION.sub("", text, count=1)


def _mentions_bot(text: str, known: Known) -> bool:
    m = _MENTION.match(text.strip())
    return m is not None and m.group(1) == known.bot_user_id


def app_mention(event: dict[str, Any], event_id: str | None, known: Known) -> Inbound | None:
    """``@ncbot <command> ...`` in a channel; a bare mention asks for help."""
    user = event.get("user")
    if not user or event.get("bot_id"):
        return None
    text = as_typed(_without_bot(event.get("text") or "", known))
    name, args = _command_of(text, known, always=True) or ("help", "")
    channel = event.get("channel", "")
    return CommandIssued(chat=ChatRef(PLATFORM, channel, chat_kind(channel)),
                         sender=_sender(user), name=name, args=args, event_id=event_id)


def _membership(change: MemberChange, *, own: bool) -> Callable[..., Inbound | None]:
    def translate(event: dict[str, Any], event_id: str | None, known: Known) -> Inbound | None:
        user = event.get("user") or event.get("actor_id") or ""
        if own and user != known.bot_user_id:
            return None
        channel = event.get("channel")
        if isinstance(channel, dict):  # channel_rename carries the channel as an object
            title, channel = channel.get("name"), channel.get("id", "")
        else:
            title = None
        return MembershipChanged(
            chat=ChatRef(PLATFORM, channel or "", ChatKind.GROUP, title),
            sender=_sender(user or known.bot_user_id or "slack"),
            change=change, event_id=event_id,
        )

    return translate


EventTranslator = Callable[[dict[str, Any], str | None, Known], Inbound | None]

EVENTS: dict[str, EventTranslator] = {
    "message": message_event,
    "app_mention": app_mention,
    "member_joined_channel": _membership(MemberChange.BOT_ADDED, own=True),
    "channel_left": _membership(MemberChange.BOT_REMOVED, own=False),
    "group_left": _membership(MemberChange.BOT_REMOVED, own=False),
    "channel_rename": _membership(MemberChange.CHAT_RENAMED, own=False),
    "group_rename": _membership(MemberChange.CHAT_RENAMED, own=False),
}


def events_api(body: dict[str, Any], known: Known) -> Inbound | None:
    """An Events API callback, through the table; kinds we do not use give None."""
    event = body.get("event") or {}
    translate = EVENTS.get(event.get("type", ""))
    if translate is None:
        return None
    try:
        return _typed(translate(event, body.get("event_id"), known))
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        # Slack sends these fields, typed; only a broken or forged (yet signed) event lacks them.
        log.warning("slack: an event of an unexpected shape was ignored: %r", exc)
        return None


def _typed(event: Inbound | None) -> Inbound | None:
    """The event, unless a field came of the wrong type (a list where a user id belongs)."""
    if event is not None and not event.well_typed():
        raise TypeError(f"a {type(event).__name__} with fields of the wrong type")
    return event


def malformed(body: Any) -> str | None:
    """What is wrong with a button press whose list of actions Bolt could not read (empty, or
    not a list of named actions); None for everything else. Slack never sends one."""
    if not isinstance(body, dict) or body.get("type") != "block_actions" or "actions" not in body:
        return None
    actions = body["actions"]
    if not isinstance(actions, list) or not actions:
        return "block_actions without actions"
    if not all(isinstance(a, dict) and isinstance(a.get("action_id"), str) and a["action_id"]
               for a in actions):
        return "block_actions with an action that has no action_id"
    return None


def _interaction_id(body: dict[str, Any], fallback: str) -> str:
    return f"ui:{body['trigger_id']}" if body.get("trigger_id") else f"ui:{fallback}"


def block_action(body: dict[str, Any], known: Known) -> Inbound | None:
    """A button (or poll choice) pressed on a message, the App Home or a modal.

    A press outside any channel (App Home) has an empty chat id: the adapter puts in the
    person's direct-message channel.
    """
    try:
        return _typed(_block_action(body))
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        log.warning("slack: an interaction of an unexpected shape was ignored: %r", exc)
        return None


def _block_action(body: dict[str, Any]) -> Inbound | None:
    actions = body.get("actions") or []
    if not actions:
        return None
    action = actions[0]
    user = body.get("user") or {}
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
    chat = ChatRef(PLATFORM, channel, chat_kind(channel) if channel else ChatKind.PRIVATE)
    sender = _sender(user.get("id", ""), user.get("username") or user.get("name"))
    event_id = _interaction_id(body, f"{action.get('action_ts')}:{user.get('id')}")
    if action.get("block_id") == POLL_BLOCK:
        message_ts = container.get("message_ts") or (body.get("message") or {}).get("ts", "")
        if action.get("type") == "checkboxes":
            chosen = tuple(int(o["value"]) for o in action.get("selected_options") or [])
        else:
            chosen = (int(action.get("value", "0")),)
        return PollVoted(chat=chat, sender=sender, platform_poll_id=f"{channel}:{message_ts}",
                         option_indexes=chosen, event_id=event_id)
    value = action.get("value")
    if value is None:
        return None
    return ButtonPressed(chat=chat, sender=sender, action=value, supports_forms=True,
                         event_id=event_id)


def view_submission(body: dict[str, Any], known: Known) -> FormSubmitted:
    """A submitted modal; it belongs to the person's private chat (filled in by the adapter)."""
    view = body.get("view") or {}
    user = body.get("user") or {}
    return FormSubmitted(
        chat=ChatRef(PLATFORM, "", ChatKind.PRIVATE),
        sender=_sender(user.get("id", ""), user.get("username") or user.get("name")),
        action=view.get("private_metadata", ""),
        values=submitted_values(view),
        event_id=_interaction_id(body, f"{view.get('id')}:{view.get('hash')}"),
    )
