"""The outbox under faults: a share of sends fail (rate limits, raw errors) during a busy scenario.

Once the clock has moved on far enough, every message is delivered exactly once and every chat
reads its messages in the order they were written.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest

from adapters.testing import TestingAdapter
from bot.kernel.core import Core
from bot.kernel.events import Address, Outbound
from bot.kernel.ports import Delivered, FakeClock, RetryLater
from tests.challenge_setup import garden
from tests.helpers import drain, outbox_rows, project_in

RESIDENTS = ["kim", "lee", "max", "nia", "oli", "pat"]


@dataclass
class FlakyAdapter(TestingAdapter):
    """Fails a share of sends before they reach the platform: RetryLater or a raw exception."""

    __test__ = False

    share: float = 0.0
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    faults: Counter[str] = field(default_factory=Counter)
    lose_response_once: bool = False  # the platform takes one message but the answer is lost

    async def send(self, message: Outbound, *, edit_message_id: str | None = None) -> Delivered:
        if self.rng.random() < self.share:
            kind = self.rng.choice(["429", "timeout", "reset", "500"])
            self.faults[kind] += 1
            if kind == "429":
                raise RetryLater("Too Many Requests", after=self.rng.choice([1, 5, 30]))
            raise {"timeout": TimeoutError, "reset": ConnectionResetError,
                   "500": RuntimeError}[kind](f"injected {kind}")
        delivered = await super().send(message, edit_message_id=edit_message_id)
        if self.lose_response_once:
            self.lose_response_once = False
            self.faults["lost response"] += 1
            raise TimeoutError("the platform took it, the answer never came")
        return delivered


async def busy_scenario(bot: FlakyAdapter) -> None:
    """Two chats of one project; challenges, supports, answers, a poll with votes, a new scope."""
    code = project_in(bot, "garden").code
    await bot.say("fran", f"/project join {code}", chat="annexe")
    for n, user in enumerate(RESIDENTS[:5], 1):
        chat = "garden" if n % 2 else "annexe"
        await bot.say(user, f"/challenge Challenge {n}: the bus route cuts the garden off", chat=chat)
        for other in RESIDENTS:
            if other != user:
                await bot.press(other, f"chal:support:{n}", chat=chat)
    for n in range(1, 6):
        await bot.say("jane", f"/answer {n} forward I will take #{n} to the transport committee.")
    await bot.say("fran", "/poll Where should the bench go? | By the pond | Under the oak",
                  chat="garden")
    for i, user in enumerate(RESIDENTS):
        if i % 2:
            await bot.press(user, f"poll:1:{1 + i % 2}", chat="annexe")
        else:
            await bot.say(user, f"/vote 1 {1 + i % 2}", chat="garden")
    await bot.say("fran", "/closepoll 1", chat="garden")
    await bot.say("fran", "/scope Redesign the allotments and the paths to them", chat="annexe")


def fingerprint(to: Address, message: dict[str, object]) -> tuple[str, str]:
    return to.key(), json.dumps(message, sort_keys=True)


@pytest.mark.parametrize(("seed", "share"), [(1, 0.3), (2, 0.3), (3, 0.4), (4, 0.4)])
async def test_every_message_is_delivered_once_in_order(core: Core, clock: FakeClock, seed: int,
                                                        share: float) -> None:
    bot = FlakyAdapter(core)
    await garden(bot)
    bot.share, bot.rng = share, random.Random(seed)
    await busy_scenario(bot)
    await drain(core, clock)

    rows = outbox_rows(core)
    assert {r.status for r in rows} == {"sent"}, Counter(r.status for r in rows)
    expected: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        to = Address(r.platform, chat_id=r.chat_id, user_id=r.user_id)
        expected[to.key()].append(fingerprint(to, Outbound.from_json(to, json.loads(r.payload))
                                              .to_json())[1])
    seen: dict[str, list[str]] = defaultdict(list)
    for m in bot.sent:
        seen[m.to.key()].append(fingerprint(m.to, m.message.to_json())[1])
    delivered = sum(len(v) for v in seen.values())
    duplicates = sum(
        (Counter(seen[k]) - Counter(expected[k])).total() for k in seen
    )
    assert seen == expected  # every chat: each message once, in the order it was written
    assert delivered == len(rows) and duplicates == 0
    assert sum(bot.faults.values()) > 20
    print(f"seed {seed} share {share}: faults injected {sum(bot.faults.values())} "
          f"{dict(bot.faults)}, messages delivered {delivered}, duplicates {duplicates}")


async def test_a_lost_platform_answer_is_the_one_duplicate_window(core: Core,
                                                                  clock: FakeClock) -> None:
    """The platform took a message but its answer was lost: that message, and only it, twice."""
    bot = FlakyAdapter(core)
    await garden(bot)
    bot.lose_response_once = True
    await bot.say("kim", "/challenge The bus route cuts the garden off", chat="garden")
    await drain(core, clock)
    rows = outbox_rows(core)
    assert {r.status for r in rows} == {"sent"}
    texts = Counter((m.to.key(), m.text) for m in bot.sent)
    twice = [k for k, n in texts.items() if n > 1]
    assert len(twice) == 1 and texts[twice[0]] == 2
    assert len(bot.sent) == len({(m.to.key(), m.text) for m in bot.sent}) + 1
