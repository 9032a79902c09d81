"""The closed vocabulary the core speaks: inbound events from adapters, outbound messages to them."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

from bot.kernel.rich import Rich
from bot.kernel.visible import without_bidi_controls


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sent an event, as the platform knows them."""

    platform: str
    user_id: str
    display_name: str
    username: str | None = None
    # Only a handle or an id stood in for the name (Slack's payloads): it names a newcomer until
    # the platform's own name is asked, and never replaces a name already known.
    name_is_provisional: bool = False


@dataclass(frozen=True, slots=True)
class ChatRef:
    """Where an event happened."""

    platform: str
    chat_id: str
    kind: ChatKind
    title: str | None = None


# ---- inbound ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Inbound:
    """Base of every inbound event. ``event_id`` feeds the idempotency ledger when given."""

    chat: ChatRef
    sender: Sender
    event_id: str | None = None

    def cleaned(self) -> Inbound:
        """The event with every text as UTF-8 can store it (a lone surrogate, which JSON allows
        as "\\ud800", becomes U+FFFD) and without bidirectional controls (names and texts read
        the same way round in every platform's chats)."""
        for text in self._texts():
            # ASCII is always storable; only other text is worth trying to encode.
            if type(text) is str and not text.isascii() and _clean(text) is not text:
                break
        else:
            return self  # the usual case: no copy made
        changes: dict[str, Any] = {
            "chat": replace(self.chat, chat_id=_clean(self.chat.chat_id),
                            title=_clean(self.chat.title)),
            "sender": replace(self.sender, user_id=_clean(self.sender.user_id),
                              display_name=_clean(self.sender.display_name),
                              username=_clean(self.sender.username)),
        }
        for name in _shape(type(self)).names:
            value = getattr(self, name)
            if isinstance(value, str):
                changes[name] = _clean(value)
            elif isinstance(value, dict):
                changes[name] = {_clean(k): _clean(v) for k, v in value.items()}
        return replace(self, **changes)

    def _texts(self) -> list[Any]:
        texts = [self.chat.chat_id, self.chat.title, self.sender.user_id,
                 self.sender.display_name, self.sender.username]
        for name in _shape(type(self)).names:
            value = getattr(self, name)
            if isinstance(value, dict):
                texts.extend(value.keys())
                texts.extend(value.values())
            else:
                texts.append(value)
        return texts

    def well_typed(self) -> bool:
        """Ids and texts are strings and counts are numbers, as adapters must give them.

        A platform never sends otherwise; a forged or broken payload may, and is dropped whole.
        """
        shape = _shape(type(self))
        chat, sender = self.chat, self.sender
        if not (isinstance(chat.kind, ChatKind) and type(chat.platform) is str
                and type(chat.chat_id) is str and type(sender.platform) is str
                and type(sender.user_id) is str and type(sender.display_name) is str):
            return False
        optional = (chat.title, sender.username, self.event_id,
                    *(getattr(self, name) for name in shape.optional_texts))
        if not all(t is None or isinstance(t, str) for t in optional):
            return False
        for name in shape.numbers:
            if not all(isinstance(n, int) and not isinstance(n, bool) for n in getattr(self, name)):
                return False
        values = getattr(self, "values", None) if shape.has_values else None
        return values is None or all(
            isinstance(k, str) and isinstance(v, str) for k, v in values.items())


@dataclass(frozen=True)
class Shape:
    """The fields of an event class that hold texts and numbers (worked out once per class)."""

    names: tuple[str, ...]
    optional_texts: tuple[str, ...]
    numbers: tuple[str, ...]
    has_values: bool


_OPTIONAL_TEXTS = ("text", "name", "args", "reply_to_text", "action", "platform_poll_id",
                   "new_chat_id")
_NUMBERS = ("option_indexes", "counts")


_SHAPES: dict[type, Shape] = {}


def _shape(cls: type[Inbound]) -> Shape:
    shape = _SHAPES.get(cls)
    if shape is None:
        names = tuple(f.name for f in fields(cls))
        shape = _SHAPES[cls] = Shape(
            names, tuple(n for n in _OPTIONAL_TEXTS if n in names),
            tuple(n for n in _NUMBERS if n in names), "values" in names)
    return shape


def _clean(text: Any) -> Any:
    if not isinstance(text, str) or text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return without_bidi_controls(text)


@dataclass(frozen=True, slots=True, kw_only=True)
class MessagePosted(Inbound):
    """An ordinary message: counted as activity, or taken as input to an open conversation."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandIssued(Inbound):
    """A command: ``name`` without the slash, ``args`` the rest of the line."""

    name: str
    args: str = ""
    reply_to_text: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ButtonPressed(Inbound):
    """A button press; ``action`` is the opaque string the core put on the button."""

    action: str
    supports_forms: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class FormSubmitted(Inbound):
    """A filled form (a Slack modal); ``values`` maps field names to what was entered."""

    action: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class PollVoted(Inbound):
    """A person's choice on a native platform poll (replaces their earlier choice)."""

    platform_poll_id: str
    option_indexes: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PollCounted(Inbound):
    """Counts of an anonymous native poll, as the platform reports them (no voter identities)."""

    platform_poll_id: str
    counts: tuple[int, ...]


class MemberChange(StrEnum):
    BOT_ADDED = "bot_added"
    BOT_REMOVED = "bot_removed"
    CHAT_MIGRATED = "chat_migrated"
    CHAT_RENAMED = "chat_renamed"


@dataclass(frozen=True, slots=True, kw_only=True)
class MembershipChanged(Inbound):
    change: MemberChange
    new_chat_id: str | None = None


# ---- outbound --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Address:
    """Where to send: a chat, or a person's private chat on one platform (``user_id``)."""

    platform: str
    chat_id: str | None = None
    user_id: str | None = None

    def key(self) -> str:
        return f"{self.platform}:{self.chat_id or ''}:{self.user_id or ''}"


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: str


@dataclass(frozen=True, slots=True)
class NativePoll:
    """Ask the platform to show its own poll (Telegram); adapters without one render buttons."""

    question: str
    options: tuple[str, ...]
    multiple: bool = False
    anonymous: bool = False


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class Outbound:
    """A message to send, or (with ``edit_of``) a new text for a message sent earlier.

    ``ref`` names the message for later edits ("poll:12"); the outbox maps it to the
    platform's message id once sent. ``ephemeral_to`` (a platform user id) makes a message in a
    group an answer for that one person: shown only to them where the platform can (Slack),
    posted as usual elsewhere. ``delete_after`` (seconds) asks the adapter to remove a short-lived
    reply once read, where the platform lets a bot delete its messages.
    """

    to: Address
    text: Rich
    buttons: tuple[tuple[Button, ...], ...] = ()
    ref: str | None = None
    edit_of: str | None = None
    poll: NativePoll | None = None
    attachment: Attachment | None = None
    ephemeral_to: str | None = None
    delete_after: float | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": self.text.to_json(),
            "buttons": [[[b.label, b.action] for b in row] for row in self.buttons],
            "ref": self.ref,
            "edit_of": self.edit_of,
            "poll": None
            if self.poll is None
            else {
                "question": self.poll.question,
                "options": list(self.poll.options),
                "multiple": self.poll.multiple,
                "anonymous": self.poll.anonymous,
            },
            "attachment": None
            if self.attachment is None
            else {
                "filename": self.attachment.filename,
                "content": self.attachment.content.decode("utf-8"),
                "mime_type": self.attachment.mime_type,
            },
        }
        # Only when set: rows written before these existed read the same.
        if self.ephemeral_to is not None:
            data["ephemeral_to"] = self.ephemeral_to
        if self.delete_after is not None:
            data["delete_after"] = self.delete_after
        return data

    @classmethod
    def from_json(cls, to: Address, data: dict[str, Any]) -> Outbound:
        poll = data.get("poll")
        att = data.get("attachment")
        return cls(
            to=to,
            text=Rich.from_json(data["text"]),
            buttons=tuple(tuple(Button(lbl, act) for lbl, act in row) for row in data["buttons"]),
            ref=data.get("ref"),
            edit_of=data.get("edit_of"),
            poll=None
            if poll is None
            else NativePoll(
                poll["question"], tuple(poll["options"]), poll["multiple"], poll["anonymous"]
            ),
            attachment=None
            if att is None
            else Attachment(att["filename"], att["content"].encode("utf-8"), att["mime_type"]),
            ephemeral_to=data.get("ephemeral_to"),
            delete_after=data.get("delete_after"),
        )


@dataclass(frozen=True, slots=True)
class FormField:
    name: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label); empty means free text
    multiline: bool = False
    required: bool = True


@dataclass(frozen=True, slots=True)
class Form:
    """A form the adapter opens at once (a Slack modal) in answer to a button press."""

    title: str
    action: str
    fields: tuple[FormField, ...]
    submit_label: str = "Submit"
    intro: str = ""


@dataclass(slots=True)
class HandleResult:
    """What an adapter may need back synchronously from ``Core.handle``.

    ``notice``: a short toast for a button press; ``form``: a form to open now;
    ``field_errors``: a rejected form submission, per field; ``duplicate``: the event was seen.
    """

    notice: str | None = None
    form: Form | None = None
    field_errors: dict[str, str] = field(default_factory=dict)
    duplicate: bool = False
    sent: list[int] = field(default_factory=list)
