"""mrkdwn escaping, mention neutralising and Block Kit limits, on the renderer alone."""

from __future__ import annotations

from adapters.slack.render import MAX_BLOCKS, ZWSP, escape, message_payload, mrkdwn
from bot.kernel.events import Address, Button, NativePoll, Outbound
from bot.kernel.rich import Rich, Span, Style, plain, render


def test_user_text_cannot_inject_markup_links_or_mentions() -> None:
    text = render("**{name}** said: {text}", name="Jo <@U1>",
                  text="<!channel> & <https://evil|click> @here @everyone *bold* _it_ `x`")
    out = mrkdwn(text)
    assert "<" not in out and ">" not in out
    assert "&lt;!channel&gt;" in out and "&amp;" in out and "&lt;https://evil|click&gt;" in out
    assert "@here" not in out and "@everyone" not in out and f"@{ZWSP}here" in out
    assert "*bold*" not in out and f"{ZWSP}*{ZWSP}bold{ZWSP}*{ZWSP}" in out
    assert out.startswith("*Jo &lt;@U1&gt;*")


def test_styles_render_as_mrkdwn_on_each_line() -> None:
    rich = Rich((Span("Title", Style.BOLD), Span(" and "), Span("code", Style.CODE),
                 Span(" "), Span("two\nlines ", Style.ITALIC)))
    assert mrkdwn(rich) == "*Title* and `code` _two_\n_lines_ "


def test_known_commands_read_the_slack_way() -> None:
    text = plain("Send /help or /scope <text>; see https://x.org/help and a/b")
    out = mrkdwn(text, {"help", "scope"})
    assert "/ncbot help" in out and "/ncbot scope" in out
    assert "https://x.org/help" in out and "a/b" in out


def test_escape_is_idempotent_on_plain_text() -> None:
    assert escape("plain words, 100% fine") == "plain words, 100% fine"


def test_buttons_become_actions_blocks_with_the_core_action_as_value() -> None:
    msg = Outbound(Address("slack", chat_id="C1"), plain("Challenge #3"),
                   buttons=((Button("Acknowledge", "ack:3"), Button("Answer", "answer:3")),))
    payload = message_payload(msg)
    actions = payload["blocks"][-1]
    assert actions["type"] == "actions"
    assert [e["value"] for e in actions["elements"]] == ["ack:3", "answer:3"]
    assert len({e["action_id"] for e in actions["elements"]}) == 2


def test_a_poll_with_the_cores_buttons_shows_those_buttons_only() -> None:
    poll = NativePoll("Which day?", ("Mon", "Tue"))
    msg = Outbound(Address("slack", chat_id="C1"), plain("Poll #1"), poll=poll,
                   buttons=((Button("1. Mon (0)", "poll:1:1"),), (Button("2. Tue (0)", "poll:1:2"),)))
    values = [e["value"] for b in message_payload(msg)["blocks"] if b["type"] == "actions"
              for e in b["elements"]]
    assert values == ["poll:1:1", "poll:1:2"]


def test_a_poll_without_buttons_is_rendered_as_vote_buttons() -> None:
    msg = Outbound(Address("slack", chat_id="C1"), plain("Which day?"),
                   poll=NativePoll("Which day?", ("Mon", "Tue")))
    [_text, votes] = message_payload(msg)["blocks"]
    assert [e["value"] for e in votes["elements"]] == ["0", "1"]
    multi = Outbound(Address("slack", chat_id="C1"), plain("Which days?"),
                     poll=NativePoll("Which days?", ("Mon", "Tue"), multiple=True))
    assert message_payload(multi)["blocks"][-1]["elements"][0]["type"] == "checkboxes"


def test_an_anonymous_poll_without_buttons_gets_no_vote_controls() -> None:
    msg = Outbound(Address("slack", chat_id="C1"), plain("Vote with /vote 1"),
                   poll=NativePoll("Q", ("a", "b"), multiple=True, anonymous=True))
    assert "blocks" not in message_payload(msg)


def test_never_more_than_fifty_blocks_and_buttons_survive() -> None:
    long = plain("\n".join("x" * 2900 for _ in range(80)))
    msg = Outbound(Address("slack", chat_id="C1"), long, buttons=((Button("Go", "go:1"),),))
    blocks = message_payload(msg)["blocks"]
    assert len(blocks) == MAX_BLOCKS
    assert blocks[-1]["elements"][0]["value"] == "go:1"
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
