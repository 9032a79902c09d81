"""Plural forms come from one mechanism (gettext's ngettext through ``Plural``)."""

from __future__ import annotations

from bot.kernel.plurals import Plural
from bot.kernel.rich import render

MESSAGES = Plural("{count} message", "{count} messages")
PEOPLE = Plural("from {n} person", "from {n} people", count="n")


def test_the_form_follows_the_count() -> None:
    assert [render(MESSAGES, count=n).text for n in (0, 1, 2, 21)] == [
        "0 messages", "1 message", "2 messages", "21 messages"]
    assert render(PEOPLE, n=1).text == "from 1 person"


def test_plurals_nest_in_a_sentence() -> None:
    said = render("Activity: {messages} {people}", messages=render(MESSAGES, count=1),
                  people=render(PEOPLE, n=2))
    assert said.text == "Activity: 1 message from 2 people"


def test_a_count_that_is_not_a_number_takes_the_other_form() -> None:
    assert render(MESSAGES, count="many").text == "many messages"
    assert render(MESSAGES, count=True).text == "True messages"
