"""Buttons, modals and the App Home through signed interaction payloads into the Bolt app."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest

from bot.kernel.context import Ctx
from bot.kernel.errors import Refusal
from bot.kernel.events import ButtonPressed, Form, FormField, FormSubmitted
from tests.slack.conftest import Rig

OUTCOMES = (("in_scope", "In scope"), ("forward", "Taken forward"))


async def open_form(ctx: Ctx, parts: list[str]) -> None:
    assert isinstance(ctx.event, ButtonPressed)
    if not ctx.event.supports_forms:
        raise Refusal("forms are not supported here")
    ctx.result.form = Form(
        title="Answer #" + parts[0], action=f"answer:{parts[0]}",
        fields=(FormField("outcome", "Outcome", OUTCOMES),
                FormField("explanation", "Explanation", multiline=True)),
        intro="Scope: <!channel> the *allotments*",
    )


async def take_answer(ctx: Ctx, parts: list[str], values: dict[str, str]) -> None:
    if len(values.get("explanation", "").strip()) < 10:
        ctx.result.field_errors = {"explanation": "Please explain the answer in a sentence."}
        return
    if values.get("outcome") == "declined":
        raise Refusal("That challenge was withdrawn.")
    ctx.reply(f"Answered #{parts[0]}: {values['outcome']}")


async def toast(ctx: Ctx, parts: list[str]) -> None:
    ctx.result.notice = "Thanks, your support is counted."


@pytest.fixture(autouse=True)
def demo_routes(rig: Rig) -> None:
    routes = rig.core.routes
    rig.core.routes = dataclasses.replace(
        routes,
        buttons={**routes.buttons, "answerform": open_form, "support": toast},
        forms={**routes.forms, "answer": take_answer},
    )


async def test_button_press_becomes_button_pressed_that_supports_forms(rig: Rig) -> None:
    status, _ = await rig.slack.press("support:12", user="U2", channel="C1")
    assert status == 200
    event, _result = await rig.next_processed()
    assert isinstance(event, ButtonPressed)
    assert (event.action, event.supports_forms, event.chat.chat_id) == ("support:12", True, "C1")
    [note] = await rig.api.wait_for("chat.postEphemeral")
    assert note.params["user"] == "U2" and note.params["channel"] == "C1"
    assert "support is counted" in note.params["text"]


async def test_a_form_opens_as_a_modal_with_the_trigger(rig: Rig) -> None:
    await rig.slack.interaction({
        "type": "block_actions", "trigger_id": "trig-A", "user": {"id": "U2", "name": "jane"},
        "channel": {"id": "D2"}, "container": {"type": "message", "message_ts": "9.1"},
        "actions": [{"type": "button", "action_id": "b0_1", "block_id": "r0",
                     "value": "answerform:12", "action_ts": "1"}],
    })
    [opened] = await rig.api.wait_for("views.open")
    assert opened.params["trigger_id"] == "trig-A"
    view = opened.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "modal" and view["private_metadata"] == "answer:12"
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["outcome"]["element"]["type"] == "radio_buttons"
    assert blocks["explanation"]["element"]["multiline"] is True
    intro = view["blocks"][0]["text"]["text"]
    assert "<!channel>" not in intro and "&lt;!channel&gt;" in intro


def answer_view() -> dict:
    return {"type": "modal", "callback_id": "ncbot_form", "private_metadata": "answer:12",
            "blocks": [{"type": "input", "block_id": "outcome"},
                       {"type": "input", "block_id": "explanation"}]}


async def test_a_modal_with_a_bad_field_shows_the_error_in_the_modal(rig: Rig) -> None:
    status, body = await rig.slack.submit(answer_view(), {
        "outcome": {"type": "radio_buttons", "selected_option": {"value": "in_scope"}},
        "explanation": {"type": "plain_text_input", "value": "ok"},
    }, user="U2")
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {"explanation": "Please explain the answer in a sentence."}
    event, _ = await rig.next_processed()
    assert isinstance(event, FormSubmitted)
    assert event.values == {"outcome": "in_scope", "explanation": "ok"}


async def test_a_refused_submission_shows_on_the_first_field(rig: Rig) -> None:
    _, body = await rig.slack.submit(answer_view(), {
        "outcome": {"type": "radio_buttons", "selected_option": {"value": "declined"}},
        "explanation": {"type": "plain_text_input", "value": "a long enough explanation"},
    })
    assert json.loads(body)["errors"] == {"outcome": "That challenge was withdrawn."}


async def test_a_good_submission_closes_the_modal_and_the_work_is_sent(rig: Rig) -> None:
    status, body = await rig.slack.submit(answer_view(), {
        "outcome": {"type": "radio_buttons", "selected_option": {"value": "forward"}},
        "explanation": {"type": "plain_text_input", "value": "Raised at the transport committee"},
    }, user="U2")
    assert status == 200 and body == ""
    [post] = await rig.api.wait_for("chat.postMessage")
    assert post.params["channel"] == "D2" and "Answered #12: forward" in post.params["text"]


async def test_app_home_is_published_for_a_stranger(rig: Rig) -> None:
    await rig.slack.event({"type": "app_home_opened", "user": "U4", "channel": "D4",
                           "tab": "home"})
    [published] = await rig.api.wait_for("views.publish")
    view = published.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert published.params["user_id"] == "U4" and view["type"] == "home"
    assert "/ncbot start" in json.dumps(view)


async def test_views_open_waits_out_a_429_then_succeeds(rig: Rig) -> None:
    rig.api.fail("views.open", status=429, retry_after=3)
    await rig.slack.press("answerform:7", user="U2", channel="D2")
    await rig.time.slept.wait()
    assert rig.time.sleeping[0][0] == rig.time.now + 3  # Retry-After honoured, not guessed
    rig.time.advance(3)
    calls = await rig.api.wait_for("views.open", 2)
    assert len(calls) == 2


async def test_a_submission_is_answered_before_its_messages_are_sent(rig: Rig) -> None:
    rig.api.gates["chat.postMessage"] = held = asyncio.Event()
    status, body = await rig.slack.submit(answer_view(), {
        "outcome": {"type": "radio_buttons", "selected_option": {"value": "forward"}},
        "explanation": {"type": "plain_text_input", "value": "Raised at the transport committee"},
    }, user="U2")
    assert (status, body) == (200, "")
    await rig.api.wait_for("chat.postMessage")
    assert not held.is_set()
    held.set()
    await rig.next_processed()
