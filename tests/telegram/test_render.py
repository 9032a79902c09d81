"""Rich text to Telegram HTML, and long texts split where a reader expects."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.telegram.render import (
    CALLBACK_DATA_LIMIT,
    MESSAGE_LIMIT,
    keyboard,
    shorten,
    split,
    to_html,
    utf16_len,
)
from bot.kernel.events import Button
from bot.kernel.ports import Rejected
from bot.kernel.rich import Rich, Span, Style, join, render
from tests.fuzzing import examples
from tests.telegram.conftest import Harness
from tests.telegram.payloads import PEOPLE


def test_values_are_escaped_and_only_catalogue_styles_become_tags() -> None:
    rich = render("**{name}** said __{what}__ `{code}`", name="<b>Bo</b>", what="a & b",
                  code="<i>")
    assert to_html(rich) == "<b>&lt;b&gt;Bo&lt;/b&gt;</b> said <i>a &amp; b</i> <code>&lt;i&gt;</code>"


def test_a_short_text_is_one_message() -> None:
    rich = render("hello {x}", x="there")
    assert split(rich) == [rich]


def test_a_long_list_splits_between_items_and_keeps_styles() -> None:
    items = [render("• **#{n}** {text}", n=n, text="x" * 90) for n in range(120)]
    parts = split(join([render("**Digest**"), *items]))
    assert len(parts) > 1
    assert all(utf16_len(p.text) <= MESSAGE_LIMIT for p in parts)
    assert parts[0].text.startswith("Digest\n• #0 ")
    for part in parts[1:]:
        assert part.text.startswith("• #")  # every part begins with a whole item
        assert part.spans[1].style == Style.BOLD
    assert "\n".join(p.text for p in parts) == join([render("**Digest**"), *items]).text


def test_one_enormous_line_is_cut_at_spaces() -> None:
    words = " ".join(["neighbourhood"] * 1000)
    parts = split(Rich((Span(words),)))
    assert len(parts) == 4
    assert all(utf16_len(p.text) <= MESSAGE_LIMIT for p in parts)
    assert all(p.text.endswith("neighbourhood ") for p in parts[:-1])
    assert "".join(p.text for p in parts) == words


def test_length_is_counted_as_telegram_counts_it() -> None:
    emoji = "🌳" * 3000  # two UTF-16 units each: 6000 units, over the limit
    parts = split(Rich((Span(emoji),)))
    assert len(parts) == 2 and utf16_len(parts[0].text) <= MESSAGE_LIMIT
    assert "".join(p.text for p in parts) == emoji


@settings(max_examples=examples(100))
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=900),
                max_size=12))
def test_splitting_never_loses_text_or_exceeds_the_limit(lines: list[str]) -> None:
    rich = join([Rich((Span(line),)) if line else Rich() for line in lines])
    parts = split(rich, 1000)
    assert all(utf16_len(p.text) <= 1000 for p in parts)
    joined = "".join(ch for p in parts for ch in p.text if not ch.isspace())
    assert joined == "".join(ch for ch in rich.text if not ch.isspace())


def test_an_edit_is_shortened_not_split() -> None:
    rich = join([plain_line(i) for i in range(200)])
    short = shorten(rich, MESSAGE_LIMIT)
    assert utf16_len(short.text) <= MESSAGE_LIMIT and short.text.endswith("…")


def plain_line(i: int) -> Rich:
    return Rich((Span(f"line {i} " + "y" * 40),))


def test_buttons_become_an_inline_keyboard_and_overlong_actions_are_refused() -> None:
    markup = keyboard(((Button("Accept", "link:accept:1"), Button("Decline", "link:decline:1")),))
    assert markup is not None
    assert [[b.callback_data for b in row] for row in markup.inline_keyboard] == [
        ["link:accept:1", "link:decline:1"]]
    assert keyboard(()) is None
    with pytest.raises(Rejected):
        keyboard(((Button("Too long", "x" * (CALLBACK_DATA_LIMIT + 1)),),))


async def test_a_long_message_arrives_in_parts_with_buttons_on_the_last(tg: Harness) -> None:
    from bot.kernel.events import Address, Outbound

    items = join([render("• {n}. {t}", n=n, t="a <tag> & more " * 6) for n in range(100)])
    message = Outbound(Address("telegram", chat_id=str(PEOPLE["alice"]["id"])), items,
                       buttons=((Button("Got it", "noop:1"),),))
    delivered = await tg.adapter.send(message)
    parts = tg.api.sent(chat_id=PEOPLE["alice"]["id"])
    assert len(parts) == 3
    assert [bool(p.buttons) for p in parts] == [False, False, True]
    assert delivered.message_id == str(parts[-1].result["message_id"])
    assert "\n".join(p.text for p in parts) == items.text
    assert "&lt;tag&gt; &amp; more" in parts[0].html
