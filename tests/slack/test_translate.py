"""Translation of recorded Slack payloads (the shapes Slack documents) into neutral events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adapters.slack import translate
from bot.kernel.events import (
    ButtonPressed,
    ChatKind,
    CommandIssued,
    FormSubmitted,
    MemberChange,
    MembershipChanged,
    PollVoted,
)

PAYLOADS = Path(__file__).parent / "payloads"
KNOWN = translate.Known("U0LAN0Z89", {"help", "answer", "scope", "poll", "start", "challenge"})


def payload(name: str) -> dict[str, Any]:
    data = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_a_direct_message_starting_with_a_command_word_is_that_command() -> None:
    event = translate.events_api(payload("message_im"), KNOWN)
    assert isinstance(event, CommandIssued)
    assert (event.name, event.event_id, event.chat.kind) == ("answer", "Ev0PV52K21", ChatKind.PRIVATE)
    assert event.args == "12 forward I will raise it at the <transport> committee"


def test_an_edited_message_is_not_a_new_message() -> None:
    assert translate.events_api(payload("message_channel_edit"), KNOWN) is None


def test_an_app_mention_is_a_command_in_that_channel() -> None:
    event = translate.events_api(payload("app_mention"), KNOWN)
    assert isinstance(event, CommandIssued)
    assert (event.name, event.args, event.chat.chat_id) == ("scope", "", "C123ABC456")
    assert event.chat.kind == ChatKind.GROUP


def test_the_bot_joining_a_channel_is_bot_added() -> None:
    event = translate.events_api(payload("member_joined_channel"), KNOWN)
    assert isinstance(event, MembershipChanged) and event.change == MemberChange.BOT_ADDED
    someone = payload("member_joined_channel")
    someone["event"]["user"] = "U999"
    assert translate.events_api(someone, KNOWN) is None


def test_a_block_action_is_a_button_press_that_can_open_forms() -> None:
    event = translate.block_action(payload("block_actions"), KNOWN)
    assert isinstance(event, ButtonPressed)
    assert (event.action, event.supports_forms) == ("chalans:answer:12", True)
    assert event.event_id == "ui:12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3"
    assert event.chat.kind == ChatKind.PRIVATE and event.sender.user_id == "U061F7AUR"


def test_a_vote_button_of_the_adapters_own_poll_is_a_poll_vote() -> None:
    body = payload("block_actions")
    body["actions"][0].update(block_id="ncbot_poll", action_id="vote_1", value="1")
    event = translate.block_action(body, KNOWN)
    assert isinstance(event, PollVoted)
    assert event.option_indexes == (1,) and event.platform_poll_id == "D0PNCRP9N:1548261231.000200"


def test_a_view_submission_is_a_form_with_its_values() -> None:
    event = translate.view_submission(payload("view_submission"), KNOWN)
    assert isinstance(event, FormSubmitted)
    assert event.action == "chalanswer:12"
    assert event.values == {"outcome": "forward", "explanation": "I will raise it at committee"}


def test_the_slash_command_is_its_subcommand_with_text_as_typed() -> None:
    event = translate.slash_command(payload("slash_command"), KNOWN)
    assert (event.name, event.args) == ("poll", "Which day? | Sat & Sun | Mon")
    assert event.chat.title == "fremont-garden" and event.sender.display_name == "fran"
    join = payload("slash_command") | {"text": "join K7Q4MZPA2B"}
    assert translate.slash_command(join, KNOWN).name == "start"
    bare = payload("slash_command") | {"text": "  "}
    assert translate.slash_command(bare, KNOWN).name == "help"
