"""Telegram and Slack at once on one HTTP server: a project's business carried across both."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from adapters.expiry import Expiry
from adapters.http import HttpServer
from adapters.slack.adapter import SlackAdapter
from adapters.telegram.adapter import SECRET_HEADER, WEBHOOK_PATH, TelegramAdapter
from adapters.telegram.pacing import FloodPacer
from bot.kernel.core import Core
from bot.people.invites import issue_invite
from storage.db import session_scope
from storage.repo import people
from tests.slack.conftest import SECRET, SkipTime, slack_settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import SlackSender
from tests.telegram.conftest import SECRET as TG_SECRET
from tests.telegram.conftest import TOKEN, telegram_settings
from tests.telegram.fake_api import FakeBotApi
from tests.telegram.payloads import GROUP_ID, PEOPLE, Updates

JANE = "UJANE"  # Cllr Jane Doe, on Slack
FIONA = "UFIONA"  # the facilitator's Slack account (she is on Telegram too)


@dataclass
class Both:
    core: Core
    slack_api: FakeSlack
    tg_api: FakeBotApi
    slack: SlackSender
    http: HttpServer
    u: Updates

    async def tg(self, update: dict[str, Any]) -> None:
        import aiohttp

        url = f"http://127.0.0.1:{self.http.bound_port}{WEBHOOK_PATH}"
        async with aiohttp.ClientSession() as s, s.post(
            url, json=update, headers={SECRET_HEADER: TG_SECRET}
        ) as resp:
            assert resp.status == 200

    async def tg_say(self, who: str, text: str, *, group: bool = True) -> None:
        await self.tg(self.u.message(who, text, self.u.group() if group else None))

    def invite(self, name: str, role: str, wards: tuple[str, ...] = (),
               person_id: int | None = None) -> str:
        now = self.core.clock.now()
        with session_scope(self.core.engine) as s:
            if person_id is None:
                person = people.create_person(s, name=name, now=now)
                assert person.id is not None
                person_id = person.id
            ward_ids = [(people.find_ward(s, name=w) or people.add_ward(s, name=w)).id
                        for w in wards]
            if role == "councillor":
                people.set_councillor_areas(s, person_id=person_id,
                                            ward_ids=[w for w in ward_ids if w], portfolios=[])
            return issue_invite(s, role=role, person_id=person_id, now=now,
                                ttl=timedelta(days=14)).code

    async def slack_post_with(self, channel: str, label: str, count: int = 1) -> dict[str, Any]:
        """The latest Slack message to ``channel`` that has a button labelled ``label``."""
        def matching() -> list[dict[str, Any]]:
            return [c.params for c in self.slack_api.called("chat.postMessage")
                    if c.params.get("channel") == channel and label in json.dumps(c.params)]

        await self.slack_api.wait_until(lambda: len(matching()) >= count)
        return matching()[-1]


def button_value(post: dict[str, Any], label: str) -> str:
    for block in post.get("blocks", []):
        for element in block.get("elements", []):
            if element.get("type") == "button" and label in element["text"]["text"]:
                return str(element["value"])
    raise AssertionError(f"no button {label!r}")


@pytest.fixture
async def both(core: Core, api: FakeSlack) -> AsyncIterator[Both]:
    tg_api = FakeBotApi(TOKEN)
    await tg_api.start()
    http = HttpServer(core, host="127.0.0.1", port=0)
    telegram = TelegramAdapter(
        core, telegram_settings(tg_api, webhook_url="https://bot.example.org/telegram/webhook"),
        http, pacer=FloodPacer(group_per_minute=600), poll_timeout=5)
    time = SkipTime()
    slack = SlackAdapter(core, slack_settings(api), http, monotonic=time.monotonic,
                         sleep=time.sleep)
    core.attach(slack)
    await http.start()
    await telegram.start()
    await slack.start()
    sender = SlackSender(f"http://127.0.0.1:{http.bound_port}/slack/events", SECRET)
    try:
        yield Both(core, api, tg_api, sender, http, Updates())
    finally:
        slack.delivery.coalescer.forget()
        await slack.stop()
        await telegram.stop()
        await http.stop()
        await tg_api.stop()


async def project_on_telegram(b: Both) -> str:
    """Fiona (facilitator, Telegram) registers the group in Fremont; returns the project code."""
    jane_code = b.invite("Jane Doe", "councillor", ("Fremont",))
    await b.tg_say("fiona", f"/start {b.invite('Fiona Fenn', 'facilitator')}", group=False)
    await b.tg_say("fiona", "/project Fremont Garden")
    registered = b.tg_api.sent(chat_id=GROUP_ID)[-1].text
    code = re.search(r"Project code: (\S+)", registered)
    assert code, registered
    await b.tg_say("fiona", "/ward Fremont")
    await b.tg_say("fiona", "/scope Redesign the Fremont Road allotments with residents")
    await b.slack.command(f"join {jane_code}", user=JANE, channel="D0", channel_name="directmessage")
    await b.slack_api.wait_until(lambda: any(
        "Welcome, Jane Doe" in c.params.get("text", "") for c in b.slack_api.called("chat.postMessage")))
    return code.group(1)


async def test_a_challenge_from_telegram_is_answered_in_a_slack_modal(both: Both) -> None:
    b = both
    await project_on_telegram(b)
    for resident in ("alice", "bob", "carol"):
        await b.tg_say(resident, "hello everyone")
    proposal = await b.slack_post_with("DJANE", "Accept")
    await b.slack.press(button_value(proposal, "Accept"), user=JANE, channel="DJANE")
    await b.tg_api.wait_sent(chat_id=GROUP_ID, count=1)
    await b.tg_api.wait_for(lambda: any("Jane Doe" in c.text and "linked" in c.text
                                        for c in b.tg_api.sent(chat_id=GROUP_ID)))

    await b.tg_say("alice", "/challenge The bus route cuts the <garden> off *now*")
    notice = await b.slack_post_with("DJANE", "Answer")
    assert "&lt;garden&gt;" in notice["text"] and "*now*" not in notice["text"]
    await b.slack.interaction({
        "type": "block_actions", "trigger_id": "trig-answer", "user": {"id": JANE},
        "channel": {"id": "DJANE"}, "container": {"type": "message", "message_ts": "1.1"},
        "actions": [{"type": "button", "action_id": "b0_1", "block_id": "r0",
                     "value": button_value(notice, "Answer"), "action_ts": "1"}],
    })
    [opened] = await b.slack_api.wait_for("views.open")
    view = opened.params["view"]
    assert opened.params["trigger_id"] == "trig-answer"
    assert view["private_metadata"].startswith("chalanswer:")

    # The Home tab lists it too, and its Answer button opens the same form.
    await b.slack.event({"type": "app_home_opened", "user": JANE, "tab": "home"})
    [home] = await b.slack_api.wait_for("views.publish")
    shown = json.dumps(home.params["view"])
    assert "Scope challenges awaiting your answer" in shown and "The bus route" in shown
    answer = next(e["value"] for block in home.params["view"]["blocks"]
                  for e in block.get("elements", []) if "Answer" in e["text"]["text"])
    await b.slack.interaction({
        "type": "block_actions", "trigger_id": "trig-home", "user": {"id": JANE},
        "container": {"type": "view", "view_id": "VHOME"},
        "actions": [{"type": "button", "action_id": "b0_1", "block_id": "home3",
                     "value": answer, "action_ts": "2"}],
    })
    again = await b.slack_api.wait_for("views.open", 2)
    assert again[1].params["trigger_id"] == "trig-home"
    assert again[1].params["view"]["private_metadata"] == view["private_metadata"]

    _, body = await b.slack.submit(view, {
        "outcome": {"type": "radio_buttons", "selected_option": {"value": "forward"}},
        "explanation": {"type": "plain_text_input", "value": ""},
    }, user=JANE)
    refused = json.loads(body)
    assert refused["response_action"] == "errors" and "explanation" in refused["errors"]

    explanation = "I will raise the bus route at the transport committee on 4 May"
    status, body = await b.slack.submit(view, {
        "outcome": {"type": "radio_buttons", "selected_option": {"value": "forward"}},
        "explanation": {"type": "plain_text_input", "value": explanation},
    }, user=JANE)
    assert (status, body) == (200, "")
    await b.tg_api.wait_for(lambda: any(explanation in c.text
                                        for c in b.tg_api.sent(chat_id=GROUP_ID)))
    # The Home tab follows: once after the press on it, once after the answer.
    refreshed = await b.slack_api.wait_for("views.publish", 3)
    assert "Nothing is awaiting your answer" in json.dumps(refreshed[-1].params["view"])
    raiser = int(PEOPLE["alice"]["id"])  # type: ignore[call-overload]
    await b.tg_api.wait_for(lambda: any(explanation in c.text
                                        for c in b.tg_api.sent(chat_id=raiser)))


async def test_one_poll_counts_votes_from_a_telegram_group_and_a_slack_channel(both: Both) -> None:
    b = both
    code = await project_on_telegram(b)
    with session_scope(b.core.engine) as s:
        fiona = people.get_identity(s, platform="telegram", user_id=str(PEOPLE["fiona"]["id"]))
        assert fiona is not None
        fiona_id = fiona.person_id
    await b.slack.command(f"join {b.invite('', 'facilitator', person_id=fiona_id)}", user=FIONA,
                          channel="D0", channel_name="directmessage")
    await b.slack.command(f"project join {code}", user=FIONA, channel="CGARDEN",
                          channel_name="garden-officers")
    await b.slack_api.wait_until(lambda: any(
        "now part of the project" in c.params.get("text", "")
        for c in b.slack_api.called("chat.postMessage") if c.params.get("channel") == "CGARDEN"))

    await b.tg_say("fiona", "/poll Which day for the planting? | Saturday | Sunday")
    [native] = await b.tg_api.wait_sent("sendPoll", chat_id=GROUP_ID)
    poll_post = await b.slack_post_with("CGARDEN", "Saturday")
    await b.slack.press(button_value(poll_post, "Saturday"), user="UKIM", channel="CGARDEN")
    await b.slack_api.wait_until(lambda: bool(b.slack_api.called("chat.update")))
    # The text above the Telegram poll shows the project's counts too, and the poll runs on.
    header = next(c for c in b.tg_api.sent(chat_id=GROUP_ID)
                  if "Which day for the planting?" in c.text and "Poll #1" in c.text)
    [edit] = await b.tg_api.wait_sent("editMessageText", chat_id=GROUP_ID)
    assert edit.params["message_id"] == header.result["message_id"]
    assert "1. Saturday — 1\n2. Sunday — 0" in edit.text and "Voted: 1." in edit.text
    assert "Saturday (1)" in json.dumps(b.slack_api.called("chat.update")[-1].params)
    assert b.tg_api.sent("stopPoll") == []
    await b.tg(b.u.poll_answer("bob", native.result["poll"]["id"], [1]))

    # Typed votes are confirmed to the voter alone: Slack ephemeral; on Telegram privately
    # when the bot can write to them (Fiona started it), else a short reply deleted again.
    telegram = b.core.adapters["telegram"]
    assert isinstance(telegram, TelegramAdapter)

    async def at_once(seconds: float) -> None:
        await asyncio.sleep(0)

    telegram.delivery.expiry = Expiry(telegram.delivery._delete, sleep=at_once)
    notices = len(b.slack_api.called("chat.postEphemeral"))  # the press was answered so too
    await b.slack.command("vote 1 1", user="UKIM", channel="CGARDEN")
    mine = (await b.slack_api.wait_for("chat.postEphemeral", notices + 1))[-1]
    assert (mine.params["user"], mine.params["channel"]) == ("UKIM", "CGARDEN")
    assert mine.params["text"] == "Your vote in poll #1: Saturday."
    await b.tg_say("fiona", "/vote 1 2")
    fiona = int(PEOPLE["fiona"]["id"])  # type: ignore[call-overload]
    await b.tg_api.wait_for(lambda: any(c.text == "Your vote in poll #1: Sunday."
                                        for c in b.tg_api.sent(chat_id=fiona)))
    await b.tg_say("carol", "/vote 1 1")
    [deleted] = await b.tg_api.wait_sent("deleteMessage", chat_id=GROUP_ID)
    [short] = [c for c in b.tg_api.sent(chat_id=GROUP_ID) if c.text.startswith("Your vote")]
    assert short.text == "Your vote in poll #1: Saturday."
    assert deleted.params["message_id"] == short.result["message_id"]

    await b.tg_say("fiona", "/closepoll 1")
    results = await b.slack_post_with("CGARDEN", "Results of poll #1")
    assert results["text"].count("2 (50%)") == 2
    await b.tg_api.wait_for(lambda: any(
        "Results of poll #1" in c.text and c.text.count("2 (50%)") == 2
        for c in b.tg_api.sent(chat_id=GROUP_ID)))
