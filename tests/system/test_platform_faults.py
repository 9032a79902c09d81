"""Faults at the platforms: the fake Telegram and Slack servers fail a share of calls.

5xx answers, 429s with a retry-after, and connections dropped before the server saw the call
(what a timeout looks like from our side when the platform never got the request). A busy
scenario runs through the real adapter; then time passes until the outbox is empty. The fake
server must have accepted every message of the outbox once: none lost, none twice.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web

from adapters.http import HttpServer
from adapters.slack.adapter import SlackAdapter
from adapters.telegram.pacing import FloodPacer
from bot.app import build_core
from bot.kernel.context import Work
from bot.kernel.core import Core
from bot.kernel.events import Address
from bot.kernel.ports import FakeClock
from storage.db import session_scope
from tests.helpers import drain, outbox_rows
from tests.slack.conftest import SECRET as SLACK_SECRET
from tests.slack.conftest import SkipTime, slack_settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import SlackSender
from tests.telegram.conftest import TOKEN, running
from tests.telegram.fake_api import FakeBotApi, Fault
from tests.telegram.payloads import GROUP_ID
from tests.telegram.test_scenarios import linked_garden

SENDS = ("sendMessage", "editMessageText", "sendPoll", "stopPoll", "sendDocument")


class FlakyBotApi(FakeBotApi):
    """The fake Bot API, failing a share of the sending calls once ``share`` is set."""

    def __init__(self, token: str, seed: int) -> None:
        super().__init__(token)
        self.rng = random.Random(seed)
        self.share = 0.0
        self.injected: Counter[str] = Counter()

    def _pick(self, method: str) -> str | None:
        if method not in SENDS or self.rng.random() >= self.share:
            return None
        return self.rng.choice(["500", "502", "429", "dropped"])

    async def _handle(self, request: web.Request) -> web.Response:
        kind = self._pick(request.match_info["method"])
        if kind == "dropped":
            self.injected[kind] += 1
            assert request.transport is not None
            request.transport.close()  # the connection breaks before the call is read
            return web.Response(status=500)
        if kind is not None:
            self.injected[kind] += 1
            retry = {"429": self.rng.choice([2, 5, 30])}.get(kind)
            description = {"500": "Internal Server Error", "502": "Bad Gateway",
                           "429": f"Too Many Requests: retry after {retry}"}[kind]
            self.faults.insert(0, Fault(request.match_info["method"], int(kind), description,
                                        retry_after=retry))
        return await super()._handle(request)


def accepted_calls(api: FakeBotApi, since: int) -> Counter[tuple[str, str, str]]:
    """What the server accepted from the ``since``-th call on: (method, chat, text)."""
    return Counter((c.method, str(c.chat_id), c.text or str(c.params.get("question", "")))
                   for c in api.calls[since:] if c.method in SENDS and c.ok)


async def telegram_run(core: Core, clock: FakeClock, seed: int, share: float
                       ) -> tuple[Counter[tuple[str, str, str]], FlakyBotApi]:
    """The busy scenario through the real Telegram adapter with ``share`` of calls failing."""
    api = FlakyBotApi(TOKEN, seed)
    await api.start()
    try:
        # Every 429 goes back to the outbox, which runs on the fake clock; the pacer's own
        # waits (a group held after a 429 asking for 30 s) pass at once instead of in real time.
        skip = SkipTime()
        pacer = FloodPacer(group_per_minute=600, longest_wait=0, monotonic=skip.monotonic,
                           sleep=skip.sleep)
        async for tg in running(core, api, pacer=pacer,
                                webhook_url="https://bot.example.org/telegram/webhook"):
            group = await linked_garden(tg)
            mark = len(api.calls)
            api.share = share
            await busy_telegram(tg, group)
            await drain(core, clock)
            api.share = 0.0
    finally:
        await api.stop()
    rows = outbox_rows(core)
    assert {r.status for r in rows} == {"sent"}, Counter(r.status for r in rows)
    return accepted_calls(api, mark), api


def second_core(core: Core, tmp_path: Any) -> tuple[Core, FakeClock]:
    from bot.kernel.config import load_settings
    from storage.db import create_db_engine
    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'baseline.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    clock = FakeClock(core.clock.now())
    settings = load_settings(environ={"NCBOT_STORAGE__URL": url})
    return build_core(settings=settings, engine=engine, clock=clock, worker_id="baseline"), clock


@pytest.mark.parametrize("seed", [11, 12])
async def test_telegram_faults_lose_nothing_and_send_nothing_twice(
    core: Core, clock: FakeClock, tmp_path: Any, seed: int
) -> None:
    base_core, base_clock = second_core(core, tmp_path)
    baseline, _ = await telegram_run(base_core, base_clock, seed, 0.0)
    base_core.engine.dispose()
    faulty, api = await telegram_run(core, clock, seed, 0.35)
    duplicates = sum((faulty - baseline).values())
    lost = sum((baseline - faulty).values())
    print(f"telegram seed {seed}: faults injected {sum(api.injected.values())} "
          f"{dict(api.injected)}, calls accepted {sum(faulty.values())}, lost {lost}, "
          f"duplicates {duplicates}")
    assert faulty == baseline  # the server saw exactly what a run without faults shows it
    assert sum(api.injected.values()) >= 10


async def busy_telegram(tg: Any, group: dict[str, Any]) -> None:
    """Challenges from four residents, supports, answers, a poll voted on and closed."""
    for n, who in enumerate(("alice", "bob", "carol", "dan"), 1):
        await tg.say(who, f"/challenge Challenge {n}: the bus route cuts the garden off", group)
        card = tg.u.message_body("fiona", f"card {n}", group)
        for other in ("alice", "bob", "carol", "dan"):
            if other != who:
                assert await tg.post(tg.u.callback(other, f"chal:support:{n}", card)) == 200
    for n in range(1, 5):
        await tg.say("jane", f"/answer {n} forward I will take #{n} to the transport committee.")
    await tg.say("fiona", "/poll Where should the bench go? | By the pond | Under the oak --anonymous",
                 group)
    for who in ("alice", "bob", "carol"):
        await tg.say(who, "/vote 1 1", group)
    await tg.say("fiona", "/closepoll 1", group)
    await tg.say("fiona", "/scope Redesign the allotments and the paths to them", group)
    await tg.say("alice", "/mydata")



class FailsSecondPart(FakeBotApi):
    """Fails the second sendMessage once: the middle of a message sent in two parts."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.seen = 0

    def _fault(self, method: str, chat_id: str | None) -> Fault | None:
        if method == "sendMessage":
            self.seen += 1
            if self.seen == 2:
                return Fault(method, 502, "Bad Gateway")
        return super()._fault(method, chat_id)


async def test_a_message_in_parts_resumes_after_the_part_that_failed(core: Core,
                                                                     clock: FakeClock) -> None:
    api = FailsSecondPart(TOKEN)
    await api.start()
    long_text = "\n".join(f"Line {i}: the allotment paths need resurfacing." for i in range(150))
    try:
        async for _tg in running(core, api, webhook_url="https://bot.example.org/telegram/webhook"):
            with session_scope(core.engine) as s:
                Work(core, s, clock.now()).send(Address("telegram", chat_id=str(GROUP_ID)),
                                                long_text)
            await drain(core, clock)
    finally:
        await api.stop()
    parts = api.sent("sendMessage", chat_id=GROUP_ID)
    assert len(parts) == 2  # part one once, part two after its retry
    assert "".join(p.text for p in parts).replace("\n", "") == long_text.replace("\n", "")


# ---- Slack ----------------------------------------------------------------------------------------

SLACK_SENDS = ("chat.postMessage", "chat.update", "conversations.open",
               "files.getUploadURLExternal", "files.completeUploadExternal")
JANE, FIONA = "UJANE", "UFIONA"
RESIDENTS = ("UALICE", "UBOB", "UCAROL", "UDAN")
CHANNEL = "CGARDEN"


class FlakySlack(FakeSlack):
    """The fake Slack Web API, failing a share of the sending calls once ``share`` is set."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.rng = random.Random(seed)
        self.share = 0.0
        self.injected: Counter[str] = Counter()
        self.posted: dict[tuple[str, str], str] = {}  # (channel, ts) -> the text first posted

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if method in SLACK_SENDS and self.rng.random() < self.share:
            kind = self.rng.choice(["500", "503", "429", "dropped"])
            self.injected[kind] += 1
            await request.read()
            if kind == "dropped":
                assert request.transport is not None
                request.transport.close()  # before the call is taken: nothing happened
                return web.Response(status=500)
            headers = {"Retry-After": str(self.rng.choice([1, 5, 30]))} if kind == "429" else {}
            error = "ratelimited" if kind == "429" else "internal_error"
            return web.json_response({"ok": False, "error": error}, status=int(kind),
                                     headers=headers)
        return await super()._api(request)

    def _answer(self, method: str, p: dict[str, Any], request: web.Request) -> dict[str, Any]:
        answer = super()._answer(method, p, request)
        if method == "chat.postMessage":
            self.posted[(str(answer["channel"]), str(answer["ts"]))] = str(p.get("text"))
        return answer


async def no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


def slack_accepted(api: FlakySlack, since: int
                   ) -> tuple[Counter[tuple[str, str]], dict[tuple[str, str], str]]:
    """Posts accepted (channel, text), counted; and each edited message's final text.

    An edit is named by its channel and the text first posted (the ts differs from run to run);
    edits in between may be merged (Slack allows about one update a second), the last may not.
    """
    posts: Counter[tuple[str, str]] = Counter()
    final: dict[tuple[str, str], str] = {}
    for c in api.calls[since:]:
        channel = str(c.params.get("channel"))
        if c.method == "chat.postMessage":
            posts[(channel, str(c.params.get("text")))] += 1
        elif c.method == "chat.update":
            first = api.posted.get((channel, str(c.params.get("ts"))), "?")
            final[(channel, first)] = str(c.params.get("text"))
    return posts, final


async def slack_run(core: Core, clock: FakeClock, seed: int, share: float
                    ) -> tuple[Counter[tuple[str, str]], dict[tuple[str, str], str], FlakySlack]:
    api = FlakySlack(seed)
    await api.start()
    http = HttpServer(core, host="127.0.0.1", port=0)
    adapter = SlackAdapter(core, slack_settings(api), http, sleep=no_wait)
    core.attach(adapter)
    await http.start()
    await adapter.start()
    slack = SlackSender(f"http://127.0.0.1:{http.bound_port}/slack/events", SLACK_SECRET,
                        api.response_url)
    try:
        await slack_garden(core, api, slack)
        mark = len(api.calls)
        api.share = share
        await busy_slack(slack)
        await drain(core, clock)
        await adapter.delivery.coalescer.drain()
        api.share = 0.0
    finally:
        adapter.delivery.coalescer.forget()
        await adapter.stop()
        await http.stop()
        await api.stop()
    rows = outbox_rows(core)
    assert {r.status for r in rows} == {"sent"}, Counter(r.status for r in rows)
    posts, edits = slack_accepted(api, mark)
    return posts, edits, api


def slack_invite(core: Core, name: str, role: str, wards: tuple[str, ...] = ()) -> str:
    from bot.people.invites import issue_invite
    from storage.repo import people

    now = core.clock.now()
    with session_scope(core.engine) as s:
        person = people.create_person(s, name=name, now=now)
        assert person.id is not None
        ward_ids = [(people.find_ward(s, name=w) or people.add_ward(s, name=w)).id for w in wards]
        if role == "councillor":
            people.set_councillor_areas(s, person_id=person.id,
                                        ward_ids=[w for w in ward_ids if w], portfolios=[])
        return issue_invite(s, role=role, person_id=person.id, now=now,
                            ttl=timedelta(days=14)).code


async def slack_garden(core: Core, api: FakeSlack, slack: SlackSender) -> None:
    """Fiona's Fremont Garden in a Slack channel, active, with Cllr Jane Doe linked."""
    await slack.command(f"join {slack_invite(core, 'Jane Doe', 'councillor', ('Fremont',))}",
                        user=JANE, channel="DJANE", channel_name="directmessage")
    await slack.command(f"join {slack_invite(core, 'Fiona Fenn', 'facilitator')}", user=FIONA,
                        channel="DFIONA", channel_name="directmessage")
    await slack.command("project Fremont Garden", user=FIONA, channel=CHANNEL,
                        channel_name="garden")
    await slack.command("ward Fremont", user=FIONA, channel=CHANNEL, channel_name="garden")
    for i, user in enumerate(RESIDENTS[:3]):
        await slack.event({"type": "message", "channel": CHANNEL, "channel_type": "channel",
                           "user": user, "text": "Morning all", "ts": f"1.{i}"})
    await api.wait_until(lambda: any("Accept" in json.dumps(c.params)
                                     for c in api.called("chat.postMessage")
                                     if c.params.get("channel") == "DJANE"))
    await slack.press("link:accept:1", user=JANE, channel="DJANE")
    await api.wait_until(lambda: any("is now linked" in str(c.params.get("text"))
                                     for c in api.called("chat.postMessage")))


async def busy_slack(slack: SlackSender) -> None:
    for n, user in enumerate(RESIDENTS, 1):
        await slack.command(f"challenge Challenge {n}: the bus route cuts the garden off",
                            user=user, channel=CHANNEL, channel_name="garden")
        for other in RESIDENTS:
            if other != user:
                await slack.press(f"chal:support:{n}", user=other, channel=CHANNEL)
    for n in range(1, 5):
        await slack.command(f"answer {n} forward I will take #{n} to the transport committee.",
                            user=JANE, channel="DJANE", channel_name="directmessage")
    await slack.command("poll Where should the bench go? | By the pond | Under the oak",
                        user=FIONA, channel=CHANNEL, channel_name="garden")
    for i, user in enumerate(RESIDENTS):
        await slack.press(f"poll:1:{1 + i % 2}", user=user, channel=CHANNEL)
    await slack.command("closepoll 1", user=FIONA, channel=CHANNEL, channel_name="garden")
    await slack.command("scope Redesign the allotments and the paths to them", user=FIONA,
                        channel=CHANNEL, channel_name="garden")


@pytest.mark.parametrize("seed", [21, 22])
async def test_slack_faults_lose_nothing_and_post_nothing_twice(
    core: Core, clock: FakeClock, tmp_path: Any, seed: int
) -> None:
    base_core, base_clock = second_core(core, tmp_path)
    base_posts, base_edits, _ = await slack_run(base_core, base_clock, seed, 0.0)
    base_core.engine.dispose()
    posts, edits, api = await slack_run(core, clock, seed, 0.35)
    duplicates = sum((posts - base_posts).values())
    lost = sum((base_posts - posts).values()) + sum(
        1 for k, v in base_edits.items() if edits.get(k) != v)
    print(f"slack seed {seed}: faults injected {sum(api.injected.values())} "
          f"{dict(api.injected)}, posts accepted {sum(posts.values())}, edits {len(edits)}, "
          f"lost {lost}, duplicates {duplicates}")
    assert posts == base_posts  # every post once, as a run without faults
    assert edits == base_edits  # every edited message ends as it does without faults
    assert sum(api.injected.values()) >= 10
