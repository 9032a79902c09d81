"""Telegram sends webhook requests in parallel: they must not trip over each other."""

from __future__ import annotations

import asyncio

from tests.telegram.conftest import Harness
from tests.telegram.payloads import PEOPLE


async def test_parallel_updates_are_each_handled_once(tg: Harness) -> None:
    people = ["alice", "bob", "carol", "dan", "jane", "fiona"]
    updates = [tg.u.message(who, "/help") for who in people]
    statuses = await asyncio.gather(*(tg.post(u) for u in updates))
    assert statuses == [200] * len(people)
    for who in people:
        replies = tg.api.sent(chat_id=PEOPLE[who]["id"])
        assert len(replies) == 1 and "Commands you can use here" in replies[0].text


async def test_a_retry_racing_the_original_has_one_effect(tg: Harness) -> None:
    code = tg.invite("Jane Doe", "councillor", wards=["Fremont"])
    update = tg.u.message("jane", f"/start {code}")
    statuses = await asyncio.gather(*(tg.post(update) for _ in range(4)))
    assert statuses == [200] * 4
    replies = tg.api.sent(chat_id=PEOPLE["jane"]["id"])
    assert [r.text.split(",")[0] for r in replies] == ["Welcome"]
