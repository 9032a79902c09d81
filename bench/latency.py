"""Latency under load: ``ncbot run`` in its own process, 300 updates/s of group chatter, and
samples of what people wait for interleaved with it, on Telegram and on Slack.

Telegram (long polling against a local Bot API in this, the load generator's, process): 40
registered project groups, 300 residents who have all written before. Chatter is pushed at
300 updates/s, spread evenly (one push every 10 ms). Three kinds of samples run side by side,
each one at a time with a random pause of 0.1-0.3 s between two, until each has ``SAMPLES``:

- ``/challenge <text>`` by a resident in a project group: from the moment the update is queued
  at the Bot API to the ``sendMessage`` of the challenge card in that group;
- a press on Support under the latest card (by another resident): to the
  ``answerCallbackQuery`` that shows the presser "you support ..." (the card's edit follows);
- a vote on a native poll (``poll_answer``): a vote has no answer in the chat (the poll's own
  counts move in Telegram's app at once, and the bot's card of it is edited at most once a
  second by design), so the end point is the vote *confirmed*: the ``getUpdates`` whose offset
  moves past it, which the bot sends only once the vote is stored.

Slack (``bench/latency_slack.py``): 300 signed Events API ``message`` events per second in 40
channels, a slash command ``/ncbot challenge <text>`` (to the ``chat.postMessage`` of its card)
and a Support press (``block_actions``, to the ``chat.postEphemeral`` that answers the presser).

Each kind prints p50, p95, p99 (nearest rank), max, the rate of chatter offered and taken, and
the load average. ``python -m bench latency`` runs both (about 3 minutes); ``--telegram`` or
``--slack`` one of them; ``NCBOT_BENCH_SAMPLES`` sets the samples per kind (200);
``NCBOT_BENCH_PROFILE=/tmp/p`` writes a cProfile of the bot to ``/tmp/p.<platform>``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.child import Child
from bench.fake_bot_api import BenchBotApi, _params, start_bot_api
from bench.telegram_inbound import bot_config, world_database
from bench.telegram_load import TOKEN, UpdateFactory
from bench.world import CHATTER

CHATTER_RATE = 300  # updates per second
SAMPLES = int(os.environ.get("NCBOT_BENCH_SAMPLES", "200"))
PAUSE = (0.1, 0.3)  # seconds between two samples of one kind
PATIENCE = 15.0  # seconds a sample may wait for its answer before it counts as lost
TICK = 0.01  # seconds between two pushes of chatter
# The poll's group takes no /challenge: its card's edits (at most one a second while votes come)
# would use up the group's 20 messages a minute and hold the challenge cards behind them.
POLL_GROUP = str(-1003000000000)
GROUPS = [str(-1003000000000 - i) for i in range(1, 41)]
RESIDENTS = [str(70_000_000 + i) for i in range(300)]
FACILITATOR = "9000001"  # bench.world's facilitator, who starts the poll
SUPPORT = re.compile(r"chal:support:(\d+)")
Match = Callable[[str, dict[str, Any], Any], bool]


@dataclass
class Kind:
    """One kind of sample: its latencies in seconds and how many got no answer in time."""

    name: str
    seconds: list[float] = field(default_factory=list)
    lost: int = 0
    fetched: list[float] = field(default_factory=list)  # Telegram: queued -> handed out

    def line(self) -> str:
        ms = sorted(s * 1000 for s in self.seconds)
        if not ms:
            return f"    {self.name:<44} no answers ({self.lost} lost)"
        rank = {q: ms[max(0, math.ceil(q * len(ms)) - 1)] for q in (0.5, 0.95, 0.99)}
        line = (f"    {self.name:<44} p50 {rank[0.5]:6.1f}  p95 {rank[0.95]:6.1f}  "
                f"p99 {rank[0.99]:6.1f}  max {ms[-1]:6.1f} ms  (n={len(ms)}, lost {self.lost})")
        if self.fetched:
            waits = sorted(s * 1000 for s in self.fetched)
            line += (f"\n      of which waiting to be fetched (the bot busy with earlier updates):"
                     f" p50 {waits[len(waits) // 2]:.1f}, max {waits[-1]:.1f} ms")
        return line


def load_average() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


async def sample_until(kind: Kind, one: Callable[[int], Awaitable[float | None]],
                       rng: random.Random) -> None:
    """``one(i)`` for i = 0 .. SAMPLES-1, one at a time, a random pause between two."""
    for i in range(SAMPLES):
        took = await one(i)
        if took is None:
            kind.lost += 1
        else:
            kind.seconds.append(took)
        await asyncio.sleep(rng.uniform(*PAUSE))


async def offer(push: Callable[[int], None], stop: asyncio.Event) -> tuple[int, float]:
    """Chatter at CHATTER_RATE until ``stop``: (offered, seconds)."""
    started, sent = time.monotonic(), 0
    while not stop.is_set():
        due = int((time.monotonic() - started) * CHATTER_RATE) - sent
        if due > 0:
            push(due)
            sent += due
        await asyncio.sleep(TICK)
    return sent, time.monotonic() - started


@dataclass
class Usage:
    """How the bot's process spent the sampling: CPU used, and time ready to run but waiting
    for a core (other processes on the shared machine)."""

    child: Child
    started: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def start(self) -> None:
        self.started = (time.monotonic(), self.child.cpu_seconds(), self.child.waited_for_cpu())

    def line(self) -> str:
        wall = time.monotonic() - self.started[0]
        cpu = self.child.cpu_seconds() - self.started[1]
        waited = self.child.waited_for_cpu() - self.started[2]
        return (f"the bot used {cpu / wall:.0%} of a core and waited {waited / wall * 1000:.0f} ms "
                "per second for one")


def report(title: str, kinds: list[Kind], offered: tuple[int, float], taken: float,
           started_load: str, usage: str) -> None:
    sent, seconds = offered
    print(f"  {title}: chatter offered {sent / seconds:,.0f}/s for {seconds:.0f} s, taken "
          f"{taken:,.0f}/s; {usage}; load average {started_load} at the start, "
          f"{load_average()} at the end", flush=True)
    for kind in kinds:
        print(kind.line(), flush=True)


def profiled(args: list[str], platform: str) -> list[str]:
    profile = os.environ.get("NCBOT_BENCH_PROFILE")
    return ["-m", "cProfile", "-o", f"{profile}.{platform}", *args] if profile else args


# ---- Telegram ----------------------------------------------------------------------------------


class TimedBotApi(BenchBotApi):
    """The local Bot API; it tells waiting samples when their answer (or confirmation) came."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: list[tuple[Match, asyncio.Future[tuple[float, dict[str, Any], Any]]]] = []
        self.confirming: dict[int, asyncio.Future[float]] = {}
        self.offset = 0  # the highest offset a getUpdates has confirmed

    async def handle(self, request: web.Request) -> web.Response:
        response = await super().handle(request)
        if self.waiting and isinstance(response.body, bytes):
            at, method = time.monotonic(), request.match_info["method"]
            params = await _params(request)  # read again from aiohttp's cache
            result = json.loads(response.body)["result"]
            for match, future in list(self.waiting):
                if not future.done() and match(method, params, result):
                    future.set_result((at, params, result))
        return response

    def _confirm(self, offset: int) -> None:
        super()._confirm(offset)
        self.offset = max(self.offset, offset)
        for update_id in [u for u in self.confirming if u < offset]:
            future = self.confirming.pop(update_id)
            if not future.done():
                future.set_result(time.monotonic())

    def fetched(self, update: dict[str, Any], queued: float, kind: Kind) -> None:
        handed_out = self.handed_out.get(update["update_id"])
        if handed_out is not None:
            kind.fetched.append(handed_out - queued)

    async def answer(self, update: dict[str, Any], match: Match, kind: Kind
                     ) -> tuple[float, dict[str, Any], Any] | None:
        """Queue ``update``; (seconds to the first call ``match`` accepts, its params, result)."""
        future = asyncio.get_running_loop().create_future()
        entry = (match, future)
        self.waiting.append(entry)
        started = time.monotonic()
        self.push([update])
        try:
            at, params, result = await asyncio.wait_for(future, PATIENCE)
        except TimeoutError:
            return None
        finally:
            self.waiting.remove(entry)
        self.fetched(update, started, kind)
        return at - started, params, result

    async def confirmed(self, update: dict[str, Any], kind: Kind) -> float | None:
        """Queue ``update``; seconds until a ``getUpdates`` confirms it."""
        future = self.confirming[update["update_id"]] = asyncio.get_running_loop().create_future()
        started = time.monotonic()
        self.push([update])
        try:
            at = await asyncio.wait_for(future, PATIENCE)
        except TimeoutError:
            self.confirming.pop(update["update_id"], None)
            return None
        self.fetched(update, started, kind)
        return at - started


def press(factory: UpdateFactory, presser: str, card: tuple[str, int, int], query: str
          ) -> dict[str, Any]:
    """A press on Support under the card ``(group, message id, challenge id)``."""
    group, message_id, challenge = card
    person = {"id": int(presser), "is_bot": False, "first_name": "Resident",
              "username": f"resident{presser}"}
    return {"update_id": next(factory.ids), "callback_query": {
        "id": query, "from": person, "chat_instance": "-1", "data": f"chal:support:{challenge}",
        "message": {"message_id": message_id, "date": int(time.time()), "text": "card",
                    "chat": {"id": int(group), "type": "supergroup", "title": "Project"},
                    "from": {"id": 7000000001, "is_bot": True, "first_name": "Networked"}}}}


async def start_poll(api: TimedBotApi, factory: UpdateFactory) -> str:
    """A named native poll in its own group, started by the facilitator: its poll id."""
    update = factory.message(POLL_GROUP, FACILITATOR,
                             "/poll Where should the bench go? | By the pond | Under the oak "
                             "--closes 3d")
    found = await api.answer(update, lambda method, _p, _r: method == "sendPoll", Kind("poll"))
    assert found is not None, "the poll was not posted"
    return str(found[2]["poll"]["id"])


async def telegram(rng: random.Random) -> None:
    api = TimedBotApi()
    runner, port = await start_bot_api(api.handle)
    base_url = f"http://127.0.0.1:{port}/bot"
    factory = UpdateFactory(seed=5)
    kinds = [Kind("/challenge (update -> card sent)"),
             Kind("Support press (update -> callback answer)"),
             Kind("native poll vote (update -> vote confirmed)")]
    cards: list[tuple[str, int, int]] = []
    first_card = asyncio.Event()

    async def challenge(i: int) -> float | None:
        group, marker = GROUPS[i % len(GROUPS)], f"bench mark {i:04d}"
        update = factory.message(group, RESIDENTS[i % len(RESIDENTS)],
                                 f"/challenge The bus route cuts the garden off ({marker})")
        found = await api.answer(update, lambda method, p, _r: method == "sendMessage" and str(
            p.get("chat_id")) == group and marker in str(p.get("text")), kinds[0])
        if found is None:
            return None
        took, params, result = found
        number = SUPPORT.search(json.dumps(params.get("reply_markup")))
        if number:
            cards.append((group, int(result["message_id"]), int(number.group(1))))
            first_card.set()
        return took

    async def support(i: int) -> float | None:
        query = f"cbq{i}"
        update = press(factory, RESIDENTS[(i * 7 + 150) % len(RESIDENTS)], cards[-1], query)
        found = await api.answer(update, lambda method, p, _r: method == "answerCallbackQuery"
                                 and p.get("callback_query_id") == query, kinds[1])
        return None if found is None else found[0]

    with tempfile.TemporaryDirectory(prefix="ncbot-bench-") as tmp:
        url = await world_database(Path(tmp), [POLL_GROUP, *GROUPS], RESIDENTS, known=True)
        args = ["-m", "adapters.cli", "--config", str(bot_config(Path(tmp), url, base_url)), "run"]
        child = Child(profiled(args, "telegram"), env={"NCBOT_TELEGRAM__TOKEN": TOKEN},
                      ready="telegram started")
        await child.start()
        try:
            poll = await start_poll(api, factory)

            async def vote(i: int) -> float | None:
                voter = RESIDENTS[i % len(RESIDENTS)]
                return await api.confirmed(factory.poll_answer(poll, voter, (i // 7) % 2),
                                           kinds[2])

            async def support_after_a_card() -> None:
                await first_card.wait()
                await sample_until(kinds[1], support, rng)

            def chatter(n: int) -> None:
                api.push([factory.message(rng.choice(GROUPS), rng.choice(RESIDENTS),
                                          rng.choice(CHATTER)) for _ in range(n)])

            stop = asyncio.Event()
            load = asyncio.create_task(offer(chatter, stop))
            await asyncio.sleep(2.0)  # the chatter under way before the first sample
            started_load, start_offset, started = load_average(), api.offset, time.monotonic()
            usage, fetched = Usage(child), api.calls.get("getUpdates", 0)
            usage.start()
            await asyncio.gather(sample_until(kinds[0], challenge, rng), support_after_a_card(),
                                 sample_until(kinds[2], vote, rng))
            fetches = api.calls.get("getUpdates", 0) - fetched
            taken = (api.offset - start_offset) / (time.monotonic() - started)
            used = (f"{usage.line()}; {fetches / (time.monotonic() - started):.0f} getUpdates/s "
                    f"of {(api.offset - start_offset) / max(fetches, 1):.1f} updates each")
            stop.set()
            offered = await load
        finally:
            await child.stop()
            api.changed.set()
            await runner.cleanup()
    report("telegram", kinds, offered, taken, started_load, used)


async def run() -> None:
    rng = random.Random(20)
    both = not ({"--telegram", "--slack"} & set(sys.argv))
    print(f"latency under load: {CHATTER_RATE} updates/s of group chatter, {SAMPLES} samples of "
          f"each kind, ncbot run in its own process (load average {load_average()})", flush=True)
    if both or "--telegram" in sys.argv:
        await telegram(rng)
    if both or "--slack" in sys.argv:
        from bench.latency_slack import slack

        await slack(rng)


def main() -> None:
    # A long poll cut short by a child that stops is expected; the server need not report it.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    asyncio.run(run())


if __name__ == "__main__":
    main()
