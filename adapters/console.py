"""The console: a local chat in the terminal, interactive or played from a script.

Lines starting with ``:`` are the console's own (``:as``, ``:in``, ``:dm``, ``:press``, ``:vote``,
``:clock``, ``:admin``, ``:who``, ``:quit``); everything else is said in the current chat. In a
transcript every message the bot sends is one block: ``[<chat>] text`` or ``[dm <person>] text``,
its buttons on the next line as ``  (1) Accept  (2) Decline``.
"""

from __future__ import annotations

import argparse
import itertools
import re
import secrets
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NoReturn
from zoneinfo import ZoneInfo

from adapters.admin_cli import add_admin_parser, run_admin
from bot.admin import AdminError
from bot.kernel.core import Core
from bot.kernel.durations import parse_duration
from bot.kernel.events import (
    ButtonPressed,
    ChatKind,
    ChatRef,
    CommandIssued,
    Inbound,
    MessagePosted,
    Outbound,
    Sender,
)
from bot.kernel.ports import Delivered
from storage.db import session_scope
from storage.repo import projects

PLATFORM = "console"
HELP = """Console commands:
  :as <person>          speak as someone (a new name starts as a resident)
  :in <chat>            speak in a group chat     :dm   speak in your private chat with the bot
  :press <n or text>    press a button on the last message here that has buttons
  :press #3 <n or text> press a button on the newest message here about #3 (a challenge or poll)
  :vote <poll> <option> vote in a poll
  :reply <line>         say a line as a reply to the last message here
  :clock +3d            move the clock forward (due reminders, deadlines and digests fire)
  :admin <command>      run an admin command, e.g. :admin ward add Fremont
  :who                  who you are and where     :help   this list     :quit   leave
  {code} in a line is the last invite code issued here, {project} the newest project's code."""


UNKNOWN = "(no console command {word!r}; :help lists them)"
USAGE = {
    "as": "(usage: :as <person>)",
    "in": "(usage: :in <chat>)",
    "press": "(usage: :press <n or text>, or :press #3 <n or text>)",
    "vote": "(usage: :vote <poll> <option>)",
    "reply": "(usage: :reply <line>)",
    "clock": "(usage: :clock +30m | +2h | +3d | +1w)",
}
_ABOUT = re.compile(r"#(\d+)\s*(.*)")
_KEEP_SHOWN = 50  # messages with buttons remembered per chat


@dataclass
class _Shown:
    message_id: str
    text: str
    buttons: list[tuple[str, str]]


class _AdminUsage(Exception):
    """An ``:admin`` line argparse could not read (raised instead of printing usage and exiting)."""


class _AdminParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _AdminUsage(f"{self.prog.removeprefix(': ')}: {message}")


@dataclass
class ConsoleAdapter:
    core: Core
    out: Callable[[str], None] = print
    platform: str = PLATFORM
    person: str = "you"
    chat: str | None = None  # None: the private chat with the bot
    last_code: str | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _events: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _with_buttons: dict[str, list[_Shown]] = field(default_factory=dict)
    _last_said: dict[str, str] = field(default_factory=dict)
    # Event ids are remembered by the ledger for days: a session's own prefix keeps a second
    # console session on the same database from being taken for retries of the first.
    session: str = field(default_factory=lambda: secrets.token_hex(4))

    def __post_init__(self) -> None:
        self.core.attach(self)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    # ---- outbound ------------------------------------------------------------------------------

    async def send(self, message: Outbound, *, edit_message_id: str | None = None) -> Delivered:
        where = self._label(message)
        text = message.text.text
        if message.poll is not None and not message.buttons:
            options = "  ".join(f"({i}) {o}" for i, o in enumerate(message.poll.options, 1))
            text = f"{text}\n  {options}"
        prefix = "(edited) " if edit_message_id else ""
        if message.delete_after is not None:  # a short-lived reply: say so, as it would vanish
            prefix += f"(deleted after {message.delete_after:g} s) "
        block = f"[{where}] {prefix}{text}"
        message_id = edit_message_id or str(next(self._ids))
        buttons = [(b.label, b.action) for row in message.buttons for b in row]
        shown = self._with_buttons.setdefault(where, [])
        shown[:] = [m for m in shown if m.message_id != message_id]  # an edit replaces its message
        if buttons:
            block += "\n  " + "  ".join(f"({i}) {label}" for i, (label, _) in enumerate(buttons, 1))
            shown.append(_Shown(message_id, text, buttons))
            del shown[:-_KEEP_SHOWN]
        if message.attachment is not None:
            block += f"\n  [file {message.attachment.filename}, {len(message.attachment.content)} bytes]"
        self.out(block)
        return Delivered(message_id)

    def _label(self, message: Outbound) -> str:
        to = message.to
        if to.chat_id and to.chat_id.startswith("dm:"):
            return f"dm {to.chat_id[3:]}"
        if to.chat_id:
            return to.chat_id
        return f"dm {to.user_id}"

    # ---- inbound -------------------------------------------------------------------------------

    @property
    def where(self) -> str:
        return f"dm {self.person}" if self.chat is None else self.chat

    def _chat_ref(self) -> ChatRef:
        if self.chat is None:
            return ChatRef(PLATFORM, f"dm:{self.person}", ChatKind.PRIVATE)
        return ChatRef(PLATFORM, self.chat, ChatKind.GROUP, self.chat)

    def _sender(self) -> Sender:
        return Sender(PLATFORM, self.person, self.person)

    def _event_id(self) -> str:
        return f"console-{self.session}-{next(self._events)}"

    def prompt(self) -> str:
        return f"{self.person}@{self.chat or 'dm'}> "

    async def line(self, raw: str, *, echo: bool = False) -> bool:
        """Take one console line; False when the console should stop."""
        text = raw.strip()
        if not text or text.startswith("#"):
            return True
        if echo:
            self.out(f"{self.prompt()}{text}")
        text = self._expand(text)
        if text.startswith(":"):
            return await self._console_command(text)
        await self._say(text)
        return True

    def _expand(self, text: str) -> str:
        if "{code}" in text and self.last_code:
            text = text.replace("{code}", self.last_code)
        if "{project}" in text:
            with session_scope(self.core.engine) as s:
                newest = projects.list_projects(s)
            if newest:
                text = text.replace("{project}", newest[-1].code)
        return text

    async def _say(self, text: str, *, reply_to: str | None = None) -> None:
        event: Inbound
        if text.startswith("/") and len(text) > 1:
            head, _, args = text[1:].partition(" ")
            event = CommandIssued(chat=self._chat_ref(), sender=self._sender(), name=head,
                                  args=args.strip(), reply_to_text=reply_to, event_id=self._event_id())
        else:
            self._last_said[self.where] = text
            event = MessagePosted(chat=self._chat_ref(), sender=self._sender(), text=text,
                                  event_id=self._event_id())
        result = await self.core.handle(event)
        if result.notice:
            self.out(f"[notice {self.person}] {result.notice}")

    async def _console_command(self, text: str) -> bool:
        word, _, rest = text[1:].partition(" ")
        rest = rest.strip()
        if word in ("quit", "exit", "q"):
            return False
        if word in USAGE and not rest:
            self.out(USAGE[word])
        elif word == "as":
            self.person = rest.split()[0]
        elif word == "in":
            self.chat = rest.split()[0]
        elif word == "dm":
            self.chat = None
        elif word == "who":
            self.out(f"(you are {self.person}, in {self.where}; clock {self._now()})")
        elif word == "press":
            await self._press(rest)
        elif word == "vote":
            await self._say(f"/vote {rest}")
        elif word == "reply":
            await self._say(rest, reply_to=self._last_said.get(self.where))
        elif word == "clock":
            await self._clock(rest)
        elif word == "admin":
            self._admin(rest)
        elif word in ("help", "h", "?"):
            self.out(HELP)
        else:
            self.out(UNKNOWN.format(word=word))
        return True

    def _message_to_press(self, which: str) -> tuple[_Shown | None, str]:
        """The message a ``:press`` means, and the button named: ``#3 Support`` or ``Support``."""
        here = self._with_buttons.get(self.where) or []
        about = _ABOUT.fullmatch(which)
        if about is None:
            return (here[-1] if here else None), which
        number, which = about.groups()
        mention = re.compile(rf"#{number}(?!\d)")
        for shown in reversed(here):
            if mention.search(shown.text):
                return shown, which
        self.out(f"(no message with buttons about #{number} in {self.where})")
        return None, ""

    async def _press(self, which: str) -> None:
        if not (self._with_buttons.get(self.where) or []):
            self.out(f"(no message with buttons in {self.where})")
            return
        shown, which = self._message_to_press(which)
        if shown is None:
            return
        if not which:
            labels = ", ".join(label for label, _ in shown.buttons)
            self.out(f"(which button? they are: {labels})")
            return
        action = None
        if which.isdigit() and 1 <= int(which) <= len(shown.buttons):
            action = shown.buttons[int(which) - 1][1]
        else:
            for label, act in shown.buttons:
                if which.lower() in label.lower():
                    action = act
                    break
        if action is None:
            labels = ", ".join(label for label, _ in shown.buttons)
            self.out(f"(no button {which!r}; the buttons are: {labels})")
            return
        result = await self.core.handle(
            ButtonPressed(chat=self._chat_ref(), sender=self._sender(), action=action,
                          event_id=self._event_id())
        )
        if result.notice:
            self.out(f"[notice {self.person}] {result.notice}")

    async def _clock(self, spec: str) -> None:
        delta = parse_duration(spec.lstrip("+"))
        if delta is None or delta <= timedelta(0):
            self.out(USAGE["clock"])
            return
        await self.core.advance_clock(delta)
        self.out(f"(clock: {self._now()})")

    def _now(self) -> str:
        zone = ZoneInfo(self.core.settings.bot.timezone)  # the time people in the chats see
        return self.core.clock.now().astimezone(zone).strftime("%a %d %b %Y %H:%M")

    def _admin(self, rest: str) -> None:
        parser = _AdminParser(prog=":", add_help=False, exit_on_error=False)
        sub = parser.add_subparsers(dest="cmd", required=True)
        add_admin_parser(sub)
        try:
            ns = parser.parse_args(["admin", *shlex.split(rest)])
        except (_AdminUsage, argparse.ArgumentError) as exc:
            self.out(f"({exc})")
            return
        except ValueError as exc:  # shlex: an unclosed quote
            self.out(f"(admin: {exc})")
            return
        except SystemExit:  # -h printed a subcommand's help
            return
        try:
            result = run_admin(ns, engine=self.core.engine, settings=self.core.settings,
                               now=self.core.clock.now(), out=lambda s: self.out(f"(admin) {s}"))
        except AdminError as exc:
            self.out(f"(admin: {exc})")
            return
        if isinstance(result, dict) and "code" in result:
            self.last_code = result["code"]

    async def play(self, lines: Iterable[str]) -> None:
        """Script mode: echo each line as ``<person>@<chat>> line`` and act on it."""
        for raw in lines:
            if not await self.line(raw, echo=True):
                break
