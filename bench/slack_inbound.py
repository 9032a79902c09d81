"""Slack inbound: ``ncbot run`` against a bare bolt app, on the same signed slash commands.

The bare app is a slack-bolt ``AsyncApp`` on aiohttp that acks ``/ncbot`` and posts one
``chat.postMessage``; the bot is ``ncbot run`` (its own process, SQLite). Each gets 1,000 signed
``/ncbot help`` commands from 1,000 different people in one channel, 20 at a time, from this
process, which also runs the fake Slack Web API. A round ends when every command is acknowledged
and its answer has reached the fake Slack; rounds alternate (bare, bot, three times each), each on
a fresh process, and the ratio is of the medians. The ack's p50 and p99 are reported (Slack
wants it within 3 s), the Web API calls each made per command, and the CPU time per command of
the application and of this process: when this process's share comes near a whole CPU, the
load generator and the fake Slack, not the application, set the rate.

``python -m bench.slack_inbound`` (or ``python -m bench slack_inbound``).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bench.child import Child
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import signature

SECRET = "bench-signing-secret-0123456789abcdef"
TOKEN = "xoxb-bench-1"
COMMANDS = int(os.environ.get("NCBOT_BENCH_COMMANDS", "1000"))
AT_ONCE = 20
ROUNDS = int(os.environ.get("NCBOT_BENCH_ROUNDS", "3"))
ANSWERS = ("chat.postMessage", "chat.postEphemeral", "response_url")


async def serve_bare(api_base_url: str) -> None:
    """The bare app (in a child process): ack, then one chat.postMessage; prints its port."""
    from aiohttp import web
    from slack_bolt.app.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(signing_secret=SECRET,
                   client=AsyncWebClient(token=TOKEN, base_url=api_base_url))

    @app.command("/ncbot")
    async def answer(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.chat_postMessage(channel=body["channel_id"], text="Commands: help")

    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"HTTP server on 127.0.0.1:{port}", file=sys.stderr, flush=True)
    print("slack started", file=sys.stderr, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until closed


def bot_config(tmp: Path, api: FakeSlack) -> Path:
    path = tmp / "ncbot.toml"
    path.write_text("\n".join([
        "[storage]", f'url = "sqlite:///{tmp / "bot.db"}"', "",
        "[http]", 'host = "127.0.0.1"', "port = 0", "",
        "[slack]", f'api_base_url = "{api.base_url}"', 'mode = "http"', "",
    ]) + "\n", encoding="utf-8")
    return path


async def load(port: int, api: FakeSlack, round_no: int, child: Child) -> dict[str, Any]:
    """1,000 commands, 20 at a time: rate, ack latencies, Web API calls per command, and the CPU
    time per command of the application and of this process (load and fake Slack)."""
    url = f"http://127.0.0.1:{port}/slack/events"
    calls_before = len(api.calls)
    gate = asyncio.Semaphore(AT_ONCE)
    acks: list[float] = []
    statuses: dict[int, int] = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=AT_ONCE)) as session:

        async def command(i: int) -> None:
            form = urlencode({
                "token": "legacy", "team_id": "T1", "channel_id": "C1", "channel_name": "general",
                "user_id": f"U{round_no}{i:05d}", "user_name": f"resident{round_no}{i:05d}",
                "command": "/ncbot", "text": "help", "response_url": api.response_url,
                "trigger_id": f"trig{round_no}.{i}", "api_app_id": "A1"})
            async with gate:
                ts = str(int(time.time()))
                headers = {"Content-Type": "application/x-www-form-urlencoded",
                           "X-Slack-Request-Timestamp": ts,
                           "X-Slack-Signature": signature(SECRET, ts, form)}
                started = time.perf_counter()
                async with session.post(url, data=form.encode(), headers=headers) as resp:
                    await resp.read()
                    acks.append(time.perf_counter() - started)
                    statuses[resp.status] = statuses.get(resp.status, 0) + 1

        started = time.perf_counter()
        cpu = (child.cpu_seconds(), time.process_time())
        await asyncio.gather(*(command(i) for i in range(COMMANDS)))

        seen = [calls_before, 0]  # calls looked at, answers among them: checked after each call

        def answered() -> int:
            seen[1] += sum(c.method in ANSWERS for c in api.calls[seen[0]:])
            seen[0] = len(api.calls)
            return seen[1]

        await api.wait_until(lambda: answered() >= COMMANDS, within=120)
        wall = time.perf_counter() - started
        app_cpu, own_cpu = child.cpu_seconds() - cpu[0], time.process_time() - cpu[1]
    per_method: dict[str, int] = {}
    for call in api.calls[calls_before:]:
        per_method[call.method] = per_method.get(call.method, 0) + 1
    return {"rate": COMMANDS / wall, "acks": acks, "statuses": statuses,
            "answered": answered(), "calls": per_method,
            "cpu": (app_cpu / COMMANDS * 1000, own_cpu / COMMANDS * 1000)}


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def run() -> None:
    api = FakeSlack()
    await api.start()
    rates: dict[str, list[float]] = {"bare": [], "bot": []}
    try:
        print(f"slack inbound: {COMMANDS} signed /ncbot help from {COMMANDS} people in one channel, "
              f"{AT_ONCE} at a time (load average {os.getloadavg()[0]:.2f})", flush=True)
        for round_no in range(1, ROUNDS + 1):
            for name in ("bare", "bot"):
                with tempfile.TemporaryDirectory(prefix="ncbot-bench-") as tmp:
                    args = ["-m", "bench.slack_inbound", "--bare-app", api.base_url] \
                        if name == "bare" else \
                        ["-m", "adapters.cli", "--config", str(bot_config(Path(tmp), api)), "run"]
                    profile = os.environ.get("NCBOT_BENCH_PROFILE")  # a cProfile of the bot
                    if profile and name == "bot":
                        args = ["-m", "cProfile", "-o", f"{profile}.{round_no}", *args]
                    child = Child(args, env={"NCBOT_SLACK__BOT_TOKEN": TOKEN,
                                             "NCBOT_SLACK__SIGNING_SECRET": SECRET},
                                  ready="slack started")
                    await child.start()
                    try:
                        found = await load(child.port, api, round_no * 10 + (name == "bot"), child)
                    finally:
                        await child.stop()
                rates[name].append(found["rate"])
                calls = ", ".join(f"{m} {n / COMMANDS:.2f}" for m, n in
                                  sorted(found["calls"].items()))
                print(f"  round {round_no} {name:<4}: {found['rate']:7.1f} commands/s, ack p50 "
                      f"{pct(found['acks'], 0.5):6.1f} ms p99 {pct(found['acks'], 0.99):6.1f} ms "
                      f"max {max(found['acks']) * 1000:6.1f} ms; CPU per command: app "
                      f"{found['cpu'][0]:.2f} ms, load and fake Slack {found['cpu'][1]:.2f} ms; "
                      f"answered {found['answered']}; "
                      f"HTTP {found['statuses']}; Web API calls per command: {calls}; "
                      f"load average {os.getloadavg()[0]:.2f}", flush=True)
        bare, bot = statistics.median(rates["bare"]), statistics.median(rates["bot"])
        print(f"  median: bare {bare:.1f}/s, bot {bot:.1f}/s, ratio {bot / bare:.2f}", flush=True)
    finally:
        await api.stop()


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    if "--bare-app" in sys.argv:
        asyncio.run(serve_bare(sys.argv[sys.argv.index("--bare-app") + 1]))
    else:
        main()
