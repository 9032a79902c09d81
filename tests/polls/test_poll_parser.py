"""The /poll line parser and /vote choices: good lines, bad lines, and arbitrary text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.polls.parser import (
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_QUESTION,
    PollLineError,
    PollSpec,
    parse_choices,
    parse_poll_line,
)
from tests.fuzzing import examples

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday; London is on UTC in January
TZ = ZoneInfo("Europe/London")


def parse(line: str) -> PollSpec:
    return parse_poll_line(line, now=NOW, tz=TZ)


def test_question_and_options() -> None:
    spec = parse("Where should the bench go? | By the pond | Under the oak")
    assert spec == PollSpec("Where should the bench go?", ("By the pond", "Under the oak"))


def test_flags_anywhere_on_the_line() -> None:
    spec = parse("--anonymous Bench? --multi | pond | oak --hide-results | gate --closes 2h")
    assert spec.question == "Bench?"
    assert spec.options == ("pond", "oak", "gate")
    assert spec.multiple and spec.anonymous and spec.hide_results
    assert spec.closes_at == NOW + timedelta(hours=2)


@pytest.mark.parametrize(
    ("closes", "expected"),
    [
        ("3d", NOW + timedelta(days=3)),
        ("90m", NOW + timedelta(minutes=90)),
        ("18:00", datetime(2026, 1, 5, 18, 0, tzinfo=UTC)),
        ("08:30", datetime(2026, 1, 6, 8, 30, tzinfo=UTC)),  # passed today: tomorrow
        ("2026-02-01T18:00", datetime(2026, 2, 1, 18, 0, tzinfo=UTC)),
        ("2026-02-01 18:00", datetime(2026, 2, 1, 18, 0, tzinfo=UTC)),
    ],
)
def test_closes_forms(closes: str, expected: datetime) -> None:
    assert parse(f"Q? | a | b --closes {closes}").closes_at == expected


def test_closes_with_equals_and_a_phone_dash() -> None:
    assert parse("Q? | a | b —closes=2h").closes_at == NOW + timedelta(hours=2)


def test_summer_time_deadline_is_local() -> None:
    spec = parse("Q? | a | b --closes 2026-03-30T18:00")
    assert spec.closes_at == datetime(2026, 3, 30, 17, 0, tzinfo=UTC)  # BST


def test_quotes_keep_pipes_and_flags_as_text() -> None:
    spec = parse('"Is a | b better?" | "--multi" | “Yes | no” --multi')
    assert spec.question == "Is a | b better?"
    assert spec.options == ("--multi", "Yes | no")
    assert spec.multiple


def test_apostrophes_are_text() -> None:
    assert parse("Let's meet? | Tom's house | Jo's").options == ("Tom's house", "Jo's")


def test_spaces_are_tidied() -> None:
    assert parse("  Q?  |   a   b  |c").options == ("a b", "c")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("", "needs a question"),
        ("| a | b", "needs a question"),
        ("Q? | a", "at least 2 options"),
        ("Q?", "at least 2 options"),
        ("Q? | a | | b", "Option 2 is empty"),
        ("Q? | a | b |", "Option 3 is empty"),
        ("Q? | yes | Yes", 'The option "Yes" is given twice'),
        ("Q? | " + " | ".join(str(i) for i in range(13)), "at most 12 options"),
        ("x" * 301 + " | a | b", "at most 300 characters"),
        ("Q? | " + "y" * 101 + " | b", "Option 1 is too long"),
        ("Q? | a | b --secret", "I don't know the option --secret"),
        ("Q? | a | b --multi --multi", "--multi is given twice"),
        ("Q? | a | b --multi=yes", "--multi takes no value"),
        ("Q? | a | b --closes", "--closes needs a time"),
        ("Q? | a | b --closes | c", "--closes needs a time"),
        ("Q? | a | b --closes soon", 'can\'t read "soon"'),
        ("Q? | a | b --closes 2025-01-01T10:00", "already passed"),
        ("Q? | a | b --closes 2027-01-01T10:00", "at most 90 days"),
        ('Q? | "a | b', "quotation mark is not closed"),
    ],
)
def test_bad_lines_say_why(line: str, reason: str) -> None:
    with pytest.raises(PollLineError) as caught:
        parse(line)
    assert reason in str(caught.value)


def test_limits_are_inclusive() -> None:
    options = [f"o{i}" for i in range(MAX_OPTIONS)]
    options[0] = "y" * MAX_OPTION
    spec = parse("q" * MAX_QUESTION + " | " + " | ".join(options))
    assert len(spec.options) == MAX_OPTIONS and len(spec.question) == MAX_QUESTION


@settings(max_examples=examples(400), deadline=None)
@given(st.text(alphabet=st.sampled_from('ab |"“”-—=:0123456789dhT\n\t{}*_`'), max_size=80))
def test_any_line_parses_or_says_why(line: str) -> None:
    try:
        spec = parse(line)
    except PollLineError as exc:
        assert str(exc)
        return
    assert spec.question and len(spec.question) <= MAX_QUESTION
    assert 2 <= len(spec.options) <= MAX_OPTIONS
    assert len({o.casefold() for o in spec.options}) == len(spec.options)
    assert all(0 < len(o) <= MAX_OPTION for o in spec.options)


@settings(max_examples=examples(200), deadline=None)
@given(st.text(max_size=200))
def test_any_unicode_parses_or_says_why(line: str) -> None:
    try:
        parse(line)
    except PollLineError:
        pass


_word = st.text(alphabet=st.characters(blacklist_characters='|"“”„«»', blacklist_categories=(
    "Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=12)
_text = st.lists(_word, min_size=1, max_size=4).map(" ".join)


@settings(max_examples=examples(200), deadline=None)
@given(_text, st.lists(_text, min_size=2, max_size=MAX_OPTIONS,
                       unique_by=lambda t: t.casefold()), st.booleans(), st.booleans())
def test_quoted_polls_come_back_whole(question: str, options: list[str], multi: bool,
                                      anonymous: bool) -> None:
    line = " | ".join(f'"{t}"' for t in [question, *options])
    line += " --multi" * multi + " --anonymous" * anonymous
    spec = parse(line)
    assert spec.question == " ".join(question.split())
    assert list(spec.options) == [" ".join(o.split()) for o in options]
    assert (spec.multiple, spec.anonymous) == (multi, anonymous)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", [2]),
        ("1,3", [1, 3]),
        ("3 1", [1, 3]),
        ("under the OAK", [2]),
        ('"Under the oak"', [2]),
        ("none", []),
        ("4", None),
        ("0", None),
        ("maybe", None),
    ],
)
def test_vote_choices(text: str, expected: list[int] | None) -> None:
    assert parse_choices(text, ["By the pond", "Under the oak", "Near the gate"]) == expected


def test_an_option_that_is_a_number_is_found_by_position_first() -> None:
    assert parse_choices("2", ["2", "1"]) == [2]
    assert parse_choices("2024", ["2023", "2024"]) == [2]
