"""Hostile input: arbitrary Unicode, control characters, huge and malformed events into the core.

Whatever arrives, ``core.handle`` returns, nothing is logged as a crash, a command always gets an
answer, and a user's text can never turn into formatting or a mention on any platform.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.render import ZWSP, mrkdwn
from adapters.telegram.render import to_html
from adapters.testing import TestingAdapter
from bot.app import build_core
from bot.challenges import texts as CHALLENGES_T
from bot.kernel import texts as T
from bot.kernel.config import load_settings
from bot.kernel.events import (
    ButtonPressed,
    ChatKind,
    ChatRef,
    CommandIssued,
    FormSubmitted,
    Inbound,
    MessagePosted,
    PollCounted,
    PollVoted,
    Sender,
)
from bot.kernel.ports import FakeClock
from bot.kernel.rich import Style, render
from bot.kernel.visible import without_bidi_controls
from storage.db import create_db_engine
from storage.migrate import upgrade
from tests.challenge_setup import garden, raise_challenge
from tests.fuzzing import examples

# Everything a platform could hand us, lone surrogates (from JSON "\ud800" escapes) included.
ANY_CHAR = st.characters(codec=None, exclude_categories=())
HOSTILE = st.one_of(
    st.text(ANY_CHAR, max_size=60),
    st.text(st.sampled_from("\x00\x07\x1b\u202e\u200b\ufeff\n\r\t*_`~<>&@#|:/-\"'"), max_size=40),
    st.sampled_from(["**bold**", "__it__", "`code`", "<b>x</b>", "<!channel>", "@here", "<@U123>",
                     "@everyone", "{name}", "{0}", "%s", "\u202egnp.exe", "1" * 7, "-1", "0",
                     "\ud800", "bus \udfff route"]),
    st.integers(min_value=4000, max_value=70000).map(lambda n: "x" * n),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["²", "#³", "١٢", "1²", "0x1F", "1e9", "9" * 25, "#" + "9" * 25]),
)
USERS = ["kim", "fran", "jane", "root"]
CHATS = ["garden", "lobby", None]  # a project group, a group that is no project, private


@dataclass
class Scene:
    loop: asyncio.AbstractEventLoop
    bot: TestingAdapter
    crashes: list[logging.LogRecord]

    def run(self, event: Inbound) -> None:
        self.loop.run_until_complete(self.bot.core.handle(event))

    def start(self) -> int:
        """Forget earlier examples' crash records; returns where this example's messages begin."""
        self.crashes.clear()
        return len(self.bot.sent)


class _Crashes(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    """One project with a linked councillor, a challenge and a poll; an admin called root."""
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('hostile')) / 'ncbot.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    core = build_core(settings=load_settings(environ={"NCBOT_STORAGE__URL": url}), engine=engine,
                clock=FakeClock(), worker_id="test")
    bot = TestingAdapter(core)
    loop = asyncio.new_event_loop()

    async def setup() -> None:
        from tests.helpers import make_facilitator

        await garden(bot)
        await raise_challenge(bot)
        await bot.say("fran", "/poll Bench? | By the pond | Under the oak", chat="garden")
        await make_facilitator(bot, "Root Admin", user="root")
        from storage.db import session_scope
        from storage.repo import people

        with session_scope(engine) as s:
            identity = people.get_identity(s, platform="test", user_id="root")
            assert identity is not None
            people.grant_role(s, person_id=identity.person_id, role="admin", now=core.clock.now())

    loop.run_until_complete(setup())
    crashes: list[logging.LogRecord] = []
    handler = _Crashes(crashes)
    logging.getLogger().addHandler(handler)
    yield Scene(loop, bot, crashes)
    logging.getLogger().removeHandler(handler)
    loop.close()
    engine.dispose()


def where(bot: TestingAdapter, user: str, chat: str | None) -> ChatRef:
    return bot.dm(user) if chat is None else bot.group(chat)


def check_no_crash(scene: Scene, before: int) -> None:
    crashed = [r.getMessage() for r in scene.crashes]
    assert not crashed, crashed
    assert all(m.text != T.INTERNAL_ERROR for m in scene.bot.sent[before:])


HYPOTHESIS = settings(max_examples=examples(150), deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture,
                                             HealthCheck.too_slow])


@HYPOTHESIS
@given(user=st.sampled_from(USERS), chat=st.sampled_from(CHATS),
       name=st.one_of(st.sampled_from([
           "help", "start", "cancel", "project", "scope", "ward", "topics", "councillors", "link",
           "unlink", "mygroups", "challenge", "challenges", "withdraw", "answer", "poll", "vote",
           "closepoll", "extendpoll", "outcome", "digest", "timezone", "mydata", "forgetme"]),
           HOSTILE),
       args=HOSTILE, reply=st.none() | HOSTILE)
def test_any_command_gets_an_answer_and_never_crashes(scene: Scene, user: str, chat: str | None,
                                                      name: str, args: str,
                                                      reply: str | None) -> None:
    if name == "forgetme":
        return  # would erase the scene's people; tested in test_privacy
    bot = scene.bot
    before = scene.start()
    event = CommandIssued(chat=where(bot, user, chat), sender=bot.sender(user), name=name,
                          args=args, reply_to_text=reply)
    scene.run(event)
    check_no_crash(scene, before)
    answers = bot.sent[before:]
    assert answers, f"/{name!r} {args[:40]!r} got no answer"
    assert all(m.text.strip() for m in answers)


@HYPOTHESIS
@given(user=st.sampled_from(USERS), chat=st.sampled_from(CHATS),
       prefix=st.sampled_from(["link", "chal", "chalans", "chalfup", "poll", "privacy", "digest"])
       | HOSTILE,
       parts=st.lists(HOSTILE | st.integers(-5, 10**30).map(str), max_size=4), forms=st.booleans())
def test_any_button_press_is_answered_or_refused(scene: Scene, user: str, chat: str | None,
                                                 prefix: str, parts: list[str], forms: bool) -> None:
    if prefix == "privacy":
        return  # confirming an erasure is tested in test_privacy
    bot = scene.bot
    before = scene.start()
    action = ":".join([prefix, *parts])
    scene.loop.run_until_complete(bot.core.handle(ButtonPressed(
        chat=where(bot, user, chat), sender=bot.sender(user), action=action, supports_forms=forms)))
    check_no_crash(scene, before)


@HYPOTHESIS
@given(user=st.sampled_from(USERS), action=HOSTILE,
       values=st.dictionaries(HOSTILE, HOSTILE, max_size=4))
def test_any_form_submission_is_answered_or_refused(scene: Scene, user: str, action: str,
                                                    values: dict[str, str]) -> None:
    bot = scene.bot
    before = scene.start()
    result = scene.loop.run_until_complete(bot.core.handle(FormSubmitted(
        chat=bot.dm(user), sender=bot.sender(user), action=f"chalanswer:{action}", values=values)))
    check_no_crash(scene, before)
    assert result.field_errors or result.notice or bot.sent[before:] or not result.duplicate


@HYPOTHESIS
@given(user=st.sampled_from(USERS), chat=st.sampled_from(CHATS), text=HOSTILE,
       display=HOSTILE, username=st.none() | HOSTILE, title=st.none() | HOSTILE)
def test_any_message_and_any_name_is_taken_calmly(scene: Scene, user: str, chat: str | None,
                                                   text: str, display: str, username: str | None,
                                                   title: str | None) -> None:
    bot = scene.bot
    before = scene.start()
    ref = where(bot, user, chat)
    ref = ChatRef(ref.platform, ref.chat_id, ref.kind, title)
    scene.run(MessagePosted(chat=ref, sender=Sender("test", user, display, username), text=text))
    check_no_crash(scene, before)


@HYPOTHESIS
@given(user=st.sampled_from(USERS), poll=HOSTILE | st.just("poll-3"),
       options=st.lists(st.integers(-(2**63), 2**63), max_size=5), counted=st.booleans())
def test_any_native_poll_report_is_taken_calmly(scene: Scene, user: str, poll: str,
                                                options: list[int], counted: bool) -> None:
    bot = scene.bot
    before = scene.start()
    chat = ChatRef("test", "garden", ChatKind.GROUP)
    event: Inbound
    if counted:
        event = PollCounted(chat=chat, sender=bot.sender(user), platform_poll_id=poll,
                            counts=tuple(options))
    else:
        event = PollVoted(chat=chat, sender=bot.sender(user), platform_poll_id=poll,
                          option_indexes=tuple(options))
    scene.run(event)
    check_no_crash(scene, before)


# ---- formatting and mention injection ------------------------------------------------------------

TEMPLATES = [v for k, v in vars(T).items() if k.isupper() and isinstance(v, str) and "{" in v]
_FIELDS = re.compile(r"\{(\w+)(?:![rsa])?\}")


@settings(max_examples=examples(300), deadline=None)
@given(template=st.sampled_from(TEMPLATES), value=HOSTILE)
def test_a_value_is_always_one_plain_piece_of_text(template: str, value: str) -> None:
    fields = {name: value for name in _FIELDS.findall(template)}
    rich = render(template, **fields)
    literal = re.sub(r"\*\*|__|`", "", template)
    value = without_bidi_controls(value)  # taken out of every value (tests/kernel/test_visible.py)
    expected = string.Formatter().vformat(literal, (), {k: value for k in fields})
    if "!r}" not in template:
        assert rich.text == expected  # no marker inside a value was taken as formatting
    if value:
        assert any(value in span.text or repr(value) in span.text for span in rich.spans)


def _untag(markup: str) -> str:
    return html.unescape(re.sub(r"</?(b|i|code)>", "", markup))


@settings(max_examples=examples(300), deadline=None)
@given(value=HOSTILE)
def test_telegram_html_shows_user_text_exactly(value: str) -> None:
    rich = render(CHALLENGES_T.CHALLENGE_CARD, number=3, raiser=value, text=value, status=value,
                  supporters=value)
    markup = to_html(rich)
    assert _untag(markup) == rich.text  # escaped: the only tags are the template's own
    tags = re.findall(r"<(/?)([a-z]+)>", markup)
    assert all(tag in ("b", "i", "code") for _, tag in tags)
    assert markup.count("<b>") == sum(1 for s in rich.spans if s.style == Style.BOLD)


@settings(max_examples=examples(300), deadline=None)
@given(value=HOSTILE)
def test_slack_mrkdwn_cannot_mention_link_or_format(value: str) -> None:
    rich = render(CHALLENGES_T.CHALLENGE_CARD, number=3, raiser=value, text=value, status=value,
                  supporters=value)
    out = mrkdwn(rich)
    assert "<" not in out.replace("&lt;", "") and ">" not in out.replace("&gt;", "")
    assert not re.search(r"@(channel|here|everyone)\b", out, re.IGNORECASE)
    # every mrkdwn marker from the user's text is fenced by zero-width spaces
    for span in rich.spans:
        if span.style == Style.PLAIN:
            for m in re.finditer(r"[*_~`]", mrkdwn(render("{v}", v=span.text))):
                body = mrkdwn(render("{v}", v=span.text))
                assert body[m.start() - 1] == ZWSP and body[m.end()] == ZWSP
