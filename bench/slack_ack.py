"""How fast Slack gets its answer from the real Bolt app, while sending to Slack is slow.

Signed requests into /slack/events on an ephemeral port; a fake Slack Web API whose
chat.postMessage takes 300 ms. Slack wants every answer within 3 s, and a modal must be opened
within 3 s of the click, so the figures that matter are the answer times and the time from a
click to views.open. Run: ``python -m bench.slack_ack``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from adapters.http import HttpServer
from adapters.slack.adapter import SlackAdapter
from bot.app import build_core
from bot.kernel.config import SlackSection, load_settings
from bot.kernel.context import Ctx
from bot.kernel.events import Form, FormField
from bot.kernel.ports import SystemClock
from storage.db import create_db_engine
from storage.migrate import upgrade
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import SlackSender

SECRET = "bench-signing-secret-0123456789abcdef"
POST_DELAY = 0.3
ROUNDS = 50


async def open_form(ctx: Ctx, parts: list[str]) -> None:
    ctx.result.form = Form("Answer", "benchform:1", (FormField("explanation", "Explanation"),))


async def check_form(ctx: Ctx, parts: list[str], values: dict[str, str]) -> None:
    if len(values.get("explanation", "")) < 10:
        ctx.result.field_errors = {"explanation": "Please explain in a sentence."}
        return
    ctx.reply("Thanks, answered.")


def figures(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[int(len(ms) * 0.95) - 1]
    return (f"{name:<44} n={len(ms):<4} p50={statistics.median(ms):7.1f} ms  "
            f"p95={p95:7.1f} ms  max={ms[-1]:7.1f} ms")


async def timed(calls: Callable[[int], Awaitable[object]], rounds: int) -> list[float]:
    out = []
    for i in range(rounds):
        start = time.perf_counter()
        await calls(i)
        out.append(time.perf_counter() - start)
    return out


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(environ={"NCBOT_STORAGE__URL": f"sqlite:///{Path(tmp) / 'b.db'}"})
        engine = create_db_engine(settings.storage.url)
        upgrade(engine)
        core = build_core(settings=settings, engine=engine, clock=SystemClock(), worker_id="bench")
        core.routes = dataclasses.replace(
            core.routes, buttons={**core.routes.buttons, "benchform": open_form},
            forms={**core.routes.forms, "benchform": check_form})
        api = FakeSlack()
        await api.start()
        api.delays["chat.postMessage"] = POST_DELAY
        http = HttpServer(core, host="127.0.0.1", port=0)
        adapter = SlackAdapter(core, SlackSection(bot_token="xoxb-bench-1", signing_secret=SECRET,
                                                  api_base_url=api.base_url), http)
        core.attach(adapter)
        await http.start()
        await adapter.start()
        slack = SlackSender(f"http://127.0.0.1:{http.bound_port}/slack/events", SECRET,
                            api.response_url)
        try:
            print(f"chat.postMessage takes {POST_DELAY * 1000:.0f} ms at the fake Slack")
            # Each answer in a channel of its own: the sends (300 ms each) go out side by side.
            commands = await timed(lambda i: slack.command("help", channel=f"C{i}"), ROUNDS)
            print(figures("/ncbot help in a channel: answer", commands))
            dms = await timed(lambda i: slack.event({
                "type": "message", "channel": f"D{i}", "channel_type": "im", "user": f"U{i}",
                "text": "help", "ts": f"{i}.1"}), ROUNDS)
            print(figures("direct message 'help': answer", dms))

            clicks: list[float] = []
            for _ in range(ROUNDS):
                seen = len(api.called("views.open"))
                start = time.perf_counter()
                await slack.press("benchform:1", user="U1", channel="D1")
                await api.wait_for("views.open", seen + 1)
                clicks.append(time.perf_counter() - start)
            print(figures("button -> views.open (trigger lives 3 s)", clicks))

            view = {"type": "modal", "callback_id": "ncbot_form", "private_metadata": "benchform:1",
                    "blocks": [{"type": "input", "block_id": "explanation"}]}
            refused = await timed(lambda i: slack.submit(view, {"explanation": {
                "type": "plain_text_input", "value": "short"}}), ROUNDS)
            print(figures("modal with a field error: answer", refused))
            accepted = await timed(lambda i: slack.submit(view, {"explanation": {
                "type": "plain_text_input", "value": "a good long explanation"}},
                user=f"U{i}"), ROUNDS)
            print(figures("modal accepted (a message to send): answer", accepted))
            await core.outbox.flush()
            sent = len(api.called("chat.postMessage"))
            print(f"messages sent after the answers: {sent} (each took {POST_DELAY * 1000:.0f} ms)")
        finally:
            await adapter.stop()
            await http.stop()
            await api.stop()
            engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
