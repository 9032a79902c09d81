"""Whole stories on Telegram: a challenge answered privately, native polls, digests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.telegram.conftest import Harness
from tests.telegram.fake_api import ApiCall
from tests.telegram.payloads import GROUP_ID, PEOPLE, Updates

JANE = PEOPLE["jane"]["id"]
ALICE = PEOPLE["alice"]["id"]
FIONA = PEOPLE["fiona"]["id"]
EXPLANATION = "I will take the bus route to the transport committee on 3 February."


async def press(tg: Harness, who: str, call: ApiCall, label: str) -> ApiCall:
    """``who`` presses the button ``label`` on the message ``call`` sent; returns the answer."""
    before = len(tg.api.sent("answerCallbackQuery"))
    assert await tg.post(tg.u.callback(who, call.button(label), call.result)) == 200
    answers = tg.api.sent("answerCallbackQuery")
    assert len(answers) == before + 1, "a button press was not answered"
    return answers[-1]


def last_to(tg: Harness, chat_id: int, method: str = "sendMessage") -> ApiCall:
    sent = tg.api.sent(method, chat_id=chat_id)
    assert sent, f"nothing was sent to {chat_id}"
    return sent[-1]


async def linked_garden(tg: Harness) -> dict[str, Any]:
    """Jane (Fremont) linked to Fiona's Fremont Garden, which three residents made active."""
    group = Updates.group()
    await tg.say("jane", f"/start {tg.invite('Jane Doe', 'councillor', wards=['Fremont'])}")
    await tg.say("fiona", f"/start {tg.invite('Fiona Fowler', 'facilitator')}")
    await tg.say("fiona", "/project Fremont Garden", group)
    await tg.say("fiona", "/ward Fremont", group)
    for who in ("alice", "bob", "carol"):
        await tg.say(who, "Morning all, the beds by the gate are ready.", group)
    proposal = last_to(tg, JANE)
    assert "Fremont Garden" in proposal.text
    await press(tg, "jane", proposal, "Accept")
    assert "Cllr Jane Doe (Fremont ward) is now linked" in last_to(tg, GROUP_ID).text
    return group


async def test_a_challenge_raised_in_the_group_is_answered_in_a_private_chat(either: Harness) -> None:
    tg = either
    group = await linked_garden(tg)
    quoted = tg.u.message_body("bob", "The new <bus> route cuts the garden off", group)
    assert await tg.post(tg.u.message("alice", "/challenge", group,
                                      reply_to_message=quoted)) == 200
    card = last_to(tg, GROUP_ID)
    assert card.text.startswith("Scope challenge #1 raised by Alice Able")
    assert "&lt;bus&gt;" in card.html  # the quoted text became the challenge, escaped
    toast = await press(tg, "bob", card, "Support")
    assert toast.params.get("text")
    notice = last_to(tg, JANE)
    assert "Scope challenge #1 — Fremont Garden" in notice.text
    assert [label for label, _ in notice.buttons] == ["Acknowledge", "Answer"]

    await press(tg, "jane", notice, "Answer")
    choose = last_to(tg, JANE)
    assert choose.text.startswith("How do you answer #1 in Fremont Garden?")
    await press(tg, "jane", choose, "Taken forward")
    await tg.say("jane", EXPLANATION)  # the explanation, typed in the private chat
    preview = last_to(tg, JANE)
    assert preview.text.startswith("Your answer to #1 in Fremont Garden:")
    await press(tg, "jane", preview, "Confirm")

    posted = [c for c in tg.api.sent(chat_id=GROUP_ID) if "Answer to scope challenge #1" in c.text]
    assert len(posted) == 1 and EXPLANATION in posted[0].text
    assert "Cllr Jane Doe — taken forward" in posted[0].text
    assert any(EXPLANATION in c.text for c in tg.api.sent(chat_id=ALICE))
    # The card in the group was edited to say it is answered.
    edits = tg.api.sent("editMessageText", chat_id=GROUP_ID)
    assert any(int(e.params["message_id"]) == card.result["message_id"] for e in edits)


async def test_a_named_native_poll_is_voted_and_closed(either: Harness) -> None:
    tg = either
    group = await linked_garden(tg)
    await tg.say("fiona", "/poll Where should the bench go? | By the gate | By the pond", group)
    header = last_to(tg, GROUP_ID)
    assert header.text.startswith("Poll #1 from Fiona Fowler")
    assert header.buttons == []  # Telegram's own poll carries the choices
    sent_poll = last_to(tg, GROUP_ID, "sendPoll")
    assert sent_poll.params["question"] == "Where should the bench go?"
    assert [o["text"] for o in sent_poll.params["options"]] == ["By the gate", "By the pond"]
    assert sent_poll.params["is_anonymous"] is False
    poll_id = sent_poll.result["poll"]["id"]

    for who, choice in (("alice", [1]), ("bob", [0]), ("carol", [1])):
        assert await tg.post(tg.u.poll_answer(who, poll_id, choice)) == 200
    assert await tg.post(tg.u.poll_answer("carol", poll_id, [0])) == 200  # changes her mind

    await tg.say("fiona", "/closepoll 1", group)
    stopped = tg.api.sent("stopPoll", chat_id=GROUP_ID)
    assert [int(c.params["message_id"]) for c in stopped] == [sent_poll.result["message_id"]]
    note = tg.api.sent("editMessageText", chat_id=GROUP_ID)[-1]
    assert int(note.params["message_id"]) == header.result["message_id"]
    assert note.text.startswith("Poll #1 has closed")
    results = next(c for c in tg.api.sent(chat_id=GROUP_ID) if "Results of poll #1" in c.text)
    assert "By the gate\n" in results.text and "2 (67%)" in results.text
    assert "By the pond\n" in results.text and "1 (33%)" in results.text
    assert any("what happens next" in c.text.lower() for c in tg.api.sent(chat_id=FIONA))


async def test_a_withdrawn_native_poll_is_stopped_with_its_reason(either: Harness) -> None:
    tg = either
    group = await linked_garden(tg)
    await tg.say("fiona", "/poll Wich day? | Saturday | Sunday", group)
    header = last_to(tg, GROUP_ID)
    sent_poll = last_to(tg, GROUP_ID, "sendPoll")
    assert await tg.post(tg.u.poll_answer("alice", sent_poll.result["poll"]["id"], [0])) == 200
    counted = tg.api.sent("editMessageText", chat_id=GROUP_ID)[-1]  # the project's counts above
    assert "1. Saturday — 1" in counted.text and tg.api.sent("stopPoll") == []
    await tg.say("fiona", "/cancelpoll 1 Typo in the question.", group)
    [stopped] = tg.api.sent("stopPoll", chat_id=GROUP_ID)
    assert int(stopped.params["message_id"]) == sent_poll.result["message_id"]
    note = tg.api.sent("editMessageText", chat_id=GROUP_ID)[-1]
    assert int(note.params["message_id"]) == header.result["message_id"]
    assert note.text.startswith("Poll #1 was withdrawn by Fiona Fowler: Wich day?")
    assert "Reason: Typo in the question." in note.text
    assert last_to(tg, GROUP_ID).text == "Poll #1 is withdrawn (Wich day?). Reason: Typo in the question."
    assert not any("Results of poll #1" in c.text for c in tg.api.sent(chat_id=GROUP_ID))


async def test_an_anonymous_native_poll_is_counted_from_telegram_totals(either: Harness) -> None:
    tg = either
    group = await linked_garden(tg)
    await tg.say("fiona", "/poll Keep the gate locked at night? | Yes | No --anonymous", group)
    sent_poll = last_to(tg, GROUP_ID, "sendPoll")
    assert sent_poll.params["is_anonymous"] is True
    poll_id = sent_poll.result["poll"]["id"]
    update = tg.u.poll_state(poll_id, "Keep the gate locked at night?", [4, 1],
                             texts=["Yes", "No"])
    assert await tg.post(update) == 200
    await tg.say("fiona", "/closepoll 1", group)
    results = next(c for c in tg.api.sent(chat_id=GROUP_ID) if "Results of poll #1" in c.text)
    assert "4 (80%)" in results.text and "1 (20%)" in results.text


async def test_digests_reach_the_councillor_and_the_group(either: Harness) -> None:
    tg = either
    group = await linked_garden(tg)
    await tg.say("alice", "/challenge The bus route cuts the garden off", group)
    await tg.core.advance_clock(timedelta(days=7, hours=1))  # past Monday 08:00 and 09:00
    digest = [c for c in tg.api.sent(chat_id=JANE) if c.text.startswith("Your digest")]
    assert len(digest) == 1
    assert "Fremont Garden" in digest[0].text and "The bus route cuts the garden off" in digest[0].text
    assert digest[0].params["parse_mode"] == "HTML" and "<b>Your digest</b>" in digest[0].html
    group_digest = [c for c in tg.api.sent(chat_id=GROUP_ID)
                    if c.text.startswith("Digest for Fremont Garden")]
    assert len(group_digest) == 1


async def test_my_data_arrives_as_a_json_document(either: Harness) -> None:
    tg = either
    import json

    await tg.say("alice", "/start")
    await tg.say("alice", "/mydata")
    document = last_to(tg, ALICE, "sendDocument")
    assert document.params["document"].endswith(".json")
    data = json.loads(document.files["document"])
    assert "Alice Able" in json.dumps(data)
    assert document.params["parse_mode"] == "HTML" and document.text
