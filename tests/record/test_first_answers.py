"""Each challenge's first answer, and each recipient's own, are kept right by the database on every
write to the answers or the recipients (migration 0013's triggers), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, text, update
from sqlmodel import col, select

from adapters.testing import TestingAdapter
from storage.db import create_db_engine, session_scope
from storage.migrate import upgrade
from storage.models import Challenge, ChallengeAnswer, ChallengeFollowup, ChallengeRecipient, Person
from storage.repo import challenges, people
from tests.challenge_setup import challenge_row, garden, raise_challenge
from tests.helpers import make_councillor
from tests.record.scene import _followup

Firsts = tuple[dict[int, datetime | None], dict[tuple[int, int], datetime | None]]


def kept(bot: TestingAdapter) -> Firsts:
    """The columns as stored, checked against the earliest answers worked out here."""
    with session_scope(bot.core.engine) as s:
        answers = list(s.exec(select(ChallengeAnswer)))
        found = ({c.id or 0: c.first_answered_at for c in s.exec(select(Challenge))},
                 {(r.challenge_id, r.person_id): r.first_answered_at
                  for r in s.exec(select(ChallengeRecipient))})
    assert found[0] == {cid: min((a.answered_at for a in answers if a.challenge_id == cid),
                                 default=None) for cid in found[0]}
    assert found[1] == {(cid, pid): min((a.answered_at for a in answers
                                         if a.challenge_id == cid and a.councillor_id == pid),
                                        default=None) for cid, pid in found[1]}
    return found


def _jane(bot: TestingAdapter) -> int:
    with session_scope(bot.core.engine) as s:
        return s.exec(select(Person.id).where(Person.name == "Jane Doe")).one() or 0


def _ids(bot: TestingAdapter, *numbers: int) -> list[int]:
    return [challenge_row(bot, n).id or 0 for n in numbers]


async def test_the_chat_keeps_first_answers(bot: TestingAdapter) -> None:
    await garden(bot)
    jane = _jane(bot)
    for words in ("The bus route cuts the garden off", "The gate is locked at weekends",
                  "Nobody empties the compost bins"):
        await raise_challenge(bot, words)
    one, two, three = _ids(bot, 1, 2, 3)
    assert kept(bot)[0] == {one: None, two: None, three: None}

    await bot.say("jane", "/answer 1 forward I will take it to the transport committee.")
    first = bot.core.clock.now()
    by_challenge, by_recipient = kept(bot)
    assert by_challenge[one] == first and by_recipient[(one, jane)] == first
    assert by_challenge[two] is None and by_recipient[(two, jane)] is None

    # Reopened by its raiser's "Not really", then answered again: the first answer stays first.
    await bot.core.advance_clock(timedelta(days=14, minutes=5))
    await bot.press("kim", _followup(bot, "kim", "Not really"), chat=None)
    assert challenge_row(bot, 1).reopened_at is not None
    await bot.core.advance_clock(timedelta(hours=2))
    await bot.say("jane", "/answer 1 declined We looked again and cannot change the route.")
    by_challenge, by_recipient = kept(bot)
    assert by_challenge[one] == first and by_recipient[(one, jane)] == first

    await bot.say("kim", "/withdraw 2", chat="garden")
    assert kept(bot)[0][two] is None

    # A councillor linked since answers a challenge not sent to them; sent to them later, their
    # recipient row starts with that answer.
    raj = await make_councillor(bot, "Raj Patel", wards=["Hillside"])
    await bot.say("fran", "/link Raj Patel", chat="garden")
    await bot.press("raj", bot.last(user="raj").button("Accept"))
    await bot.say("raj", "/answer 3 in-scope The compost is yours to organise, with my thanks.")
    raj_answered = bot.core.clock.now()
    assert kept(bot)[0][three] == raj_answered
    with session_scope(bot.core.engine) as s:
        challenges.add_recipient(s, challenge_id=three, person_id=raj, reason="escalation",
                                 now=raj_answered + timedelta(hours=1))
        challenges.add_recipient(s, challenge_id=two, person_id=raj, reason="escalation",
                                 now=raj_answered + timedelta(hours=1))
    by_challenge, by_recipient = kept(bot)
    assert by_recipient[(three, raj)] == raj_answered and by_recipient[(two, raj)] is None

    # One person's accounts merged (an invite redeemed on a second platform): Jane's answers and
    # challenges move to the person she is merged into.
    carl = await make_councillor(bot, "Carl Jones", wards=["Fremont"])
    with session_scope(bot.core.engine) as s:
        people.merge_person(s, from_id=jane, into_id=carl)
    by_challenge, by_recipient = kept(bot)
    assert by_recipient[(one, carl)] == first and (one, jane) not in by_recipient


async def test_direct_writes_to_answers_and_recipients_keep_first_answers(
        bot: TestingAdapter) -> None:
    await garden(bot)
    jane = _jane(bot)
    await raise_challenge(bot)
    (one,) = _ids(bot, 1)
    await bot.say("jane", "/answer 1 forward I will take it to the transport committee.")
    first = bot.core.clock.now()
    await bot.core.advance_clock(timedelta(days=1))
    with session_scope(bot.core.engine) as s:  # a second answer, a day later
        challenges.add_answer(s, challenge_id=one, councillor_id=jane, outcome="declined",
                              explanation="On reflection, no.", now=bot.core.clock.now())
    second = bot.core.clock.now()
    assert kept(bot)[0][one] == first

    def write(*statements: Any) -> tuple[datetime | None, datetime | None]:
        with session_scope(bot.core.engine) as s:
            for statement in statements:
                s.execute(statement)
        by_challenge, by_recipient = kept(bot)
        return by_challenge[one], by_recipient.get((one, jane))

    answer, at = ChallengeAnswer, col(ChallengeAnswer.answered_at)
    earlier = first - timedelta(hours=3)
    # An answer's time corrected, earlier and back.
    assert write(update(answer).where(at == first).values(answered_at=earlier)) == (earlier,) * 2
    assert write(update(answer).where(at == earlier).values(answered_at=first)) == (first,) * 2
    # The first answer given by nobody now (its councillor's id cleared): the challenge keeps it,
    # Jane's own first answer is the second.
    assert write(update(answer).where(at == first).values(councillor_id=None)) == (first, second)
    # Deleted: the next answer is the first; none left, none.
    none = col(ChallengeAnswer.councillor_id).is_(None)
    assert write(delete(ChallengeFollowup), delete(answer).where(none)) == (second, second)
    assert write(delete(answer)) == (None, None)

    # An answer moved to another challenge.
    await raise_challenge(bot, "The gate is locked at weekends")
    (two,) = _ids(bot, 2)
    with session_scope(bot.core.engine) as s:
        challenges.add_answer(s, challenge_id=one, councillor_id=jane, outcome="declined",
                              explanation="On reflection, no.", now=second)
    assert write(update(answer).values(challenge_id=two)) == (None, None)
    by_challenge, by_recipient = kept(bot)
    assert by_challenge[two] == second and by_recipient[(two, jane)] == second

    # A recipient row moved to another person and back.
    raj = await make_councillor(bot, "Raj Patel", wards=["Hillside"])
    recipient, of_two = ChallengeRecipient, col(ChallengeRecipient.challenge_id) == two
    write(update(recipient).where(of_two).values(person_id=raj))
    assert kept(bot)[1][(two, raj)] is None
    write(update(recipient).where(of_two).values(person_id=jane))
    assert kept(bot)[1][(two, jane)] == second


def test_the_migration_fills_in_first_answers_given_before_it(db_url: str) -> None:
    engine = create_db_engine(db_url)
    try:
        upgrade(engine, "0012")
        with engine.begin() as conn:
            for sql in (
                "INSERT INTO person (id, name, created_at) VALUES (1, 'Jane', '2026-01-01 00:00:00'),"
                " (2, 'Raj', '2026-01-01 00:00:00')",
                "INSERT INTO project (id, code, name, scope, created_at) "
                "VALUES (1, 'GARDEN', 'Garden', '', '2026-01-01 00:00:00')",
                "INSERT INTO challenge (id, project_id, number, text, raised_at, status, routed_to) "
                "VALUES (1, 1, 1, 'One', '2026-01-02 00:00:00', 'answered', 'linked'), "
                "(2, 1, 2, 'Two', '2026-01-02 00:00:00', 'open', 'linked')",
                "INSERT INTO challengerecipient (challenge_id, person_id, notified_at, reason) VALUES "
                "(1, 1, '2026-01-02 00:00:00', 'linked'), (1, 2, '2026-01-02 00:00:00', 'linked'), "
                "(2, 1, '2026-01-02 00:00:00', 'linked')",
                "INSERT INTO challengeanswer (challenge_id, councillor_id, outcome, explanation, "
                "answered_at) VALUES (1, 1, 'forward', 'Later', '2026-01-05 00:00:00'), "
                "(1, 1, 'forward', 'First', '2026-01-03 00:00:00'), "
                "(1, NULL, 'forward', 'Gone', '2026-01-04 00:00:00')",
            ):
                conn.execute(text(sql))
        upgrade(engine)
        with session_scope(engine) as s:
            firsts = {c.id: c.first_answered_at for c in s.exec(select(Challenge))}
            own = {(r.challenge_id, r.person_id): r.first_answered_at
                   for r in s.exec(select(ChallengeRecipient))}
        at = datetime(2026, 1, 3, tzinfo=UTC)
        assert firsts == {1: at, 2: None}
        assert own == {(1, 1): at, (1, 2): None, (2, 1): None}
    finally:
        engine.dispose()
