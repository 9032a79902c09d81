"""Length rules count what a reader sees; bidirectional controls never reach a chat."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from adapters.testing import TestingAdapter
from bot.kernel.events import CommandIssued
from bot.kernel.visible import BIDI_CONTROLS, visible, visible_length, without_bidi_controls
from tests.challenge_setup import challenge_row, garden, notice_to, raise_challenge

FORMAT_CHARACTERS = [chr(c) for c in range(sys.maxunicode + 1)
                     if unicodedata.category(chr(c)) == "Cf"]
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
BLANK = "\u115f\u1160\u3164\uffa0\u2800\u034f\ufe0f"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_every_format_character_is_invisible() -> None:
    assert len(FORMAT_CHARACTERS) > 150  # the whole category, not a hand-made list
    for char in FORMAT_CHARACTERS:
        assert visible_length(char * 30) == 0, f"U+{ord(char):04X}"
        assert visible_length(f"a{char}b") == 2


@pytest.mark.parametrize("char", list(ZERO_WIDTH + BLANK + BIDI + "\x00\x07\x1b"))
def test_zero_width_blank_and_control_characters_count_nothing(char: str) -> None:
    assert visible_length(char * 25) == 0
    assert visible("  Tarmac" + char * 3 + "  ") == "Tarmac"


def test_what_a_reader_sees_counts_as_it_is() -> None:
    assert visible_length("Café ☕ — déjà vu") == len("Café ☕ — déjà vu")
    assert visible_length("line one\nline two") == 17
    assert visible_length("مرحبا") == 5


def test_bidirectional_controls_are_the_whole_set() -> None:
    assert set(BIDI_CONTROLS) == set(BIDI)
    assert all(unicodedata.bidirectional(c) in ("LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI",
                                                "FSI", "PDI", "L", "R", "AL") for c in BIDI)
    assert without_bidi_controls("\u202eevil\u202c and \u2067live\u2069") == "evil and live"
    plain = "no controls — ünïcödé"
    assert without_bidi_controls(plain) is plain


async def test_invisible_text_passes_no_length_rule(bot: TestingAdapter) -> None:
    await garden(bot)
    said = await bot.say("kim", "/challenge " + "\u200b" * 12, chat="garden")
    assert "Scope challenge #" not in " ".join(m.text for m in said)
    padded = await bot.say("kim", "/challenge Bus" + "\u200b\u2060" * 20, chat="garden")
    assert "at least 10 characters" in padded[-1].text
    await raise_challenge(bot)
    await bot.press("jane", notice_to(bot, "jane").button("Answer"))
    await bot.press("jane", bot.last(user="jane").button("Forward"))
    await bot.say("jane", "\u200b" * 21)
    assert "Confirm" not in bot.last(user="jane").button_labels
    poll = await bot.say("fran", "/poll \u200b | Yes | No", chat="garden")
    assert "needs a question" in poll[-1].text
    option = await bot.say("fran", "/poll Which day? | Monday | \u2060\u200b", chat="garden")
    assert "Poll #" not in option[-1].text
    project = await bot.say("fran", "/project \u200b\u200b", chat="elsewhere")
    assert "registered" not in project[-1].text


async def test_a_right_to_left_override_never_reaches_a_chat(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.push(CommandIssued(
        chat=bot.group("garden"), sender=bot.sender("eve", "\u202eevil"), event_id="rlo-1",
        name="challenge", args="The \u2067bus\u2069 stop moved \u202eaway\u202c from the gate"))
    row = challenge_row(bot)
    assert row.text == "The bus stop moved away from the gate"
    for message in bot.sent:
        assert not set(message.text) & set(BIDI), message.text
    assert any("raised by evil" in m.text for m in bot.sent)
