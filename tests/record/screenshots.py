"""Screenshots of each page type for docs/web.md: ``python -m tests.record.screenshots docs/web``.

A small council is played through the real commands on a throwaway database, served, and
photographed by the distribution's headless Chromium.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from aiohttp.test_utils import TestServer

from adapters.testing import TestingAdapter
from adapters.web import record_app
from bot.app import build_core
from bot.kernel.config import load_settings
from bot.kernel.ports import FakeClock
from storage.db import create_db_engine
from storage.migrate import upgrade
from tests.challenge_setup import garden, notice_to
from tests.helpers import make_active, make_councillor, make_project, project_in

CHALLENGES = [
    ("sam", "The bus stop by the gate moved and the garden is cut off: can the council move it "
            "back?", "forward", "I will raise the bus stop at the transport committee on 4 May "
                                "and report back here."),
    ("rita", "The plots by the road flood every winter; drainage should be part of the redesign.",
     "in_scope", "Drainage is within the redesign: the project can include it in its plan."),
    ("tom", "Could the council also open the old tennis courts to the garden group?", "referred",
     "The tennis courts belong to the leisure trust; I have passed your request to them."),
    ("una", "The redesign should keep the compost area where it is, by the shed.", None, None),
    ("vic", "Can the garden stay open until 9 pm in summer?", None, None),
]


async def play(bot: TestingAdapter) -> None:
    await garden(bot)
    await make_councillor(bot, "Raj Patel", wards=["Harbour"], portfolios=["transport"])
    await make_project(bot, "fran", "harbour", "Harbour Street Play Area", wards=["Harbour"],
                       topics=["play", "transport"], scope="A safer play area on Harbour Street")
    await make_active(bot, "harbour", ["ann", "ben", "cal"])
    await bot.press("raj", bot.last(user="raj").button("Accept"))
    for chat in ("garden", "harbour"):
        await bot.say("fran", "/public on", chat=chat)
    await bot.say("fran", "/topics green spaces, food growing", chat="garden")
    for i, (user, text, outcome, explanation) in enumerate(CHALLENGES, 1):
        await bot.say(user, f"/challenge {text}", chat="garden")
        await bot.core.advance_clock(timedelta(days=9))
        if outcome:
            await bot.say("jane", f"/answer {i} {outcome.replace('_', '-')} {explanation}")
    await bot.press("jane", notice_to(bot, "jane", 5).button("Acknowledge"))
    await bot.say("ann", "/challenge The crossing to the play area needs a lollipop person.",
                  chat="harbour")
    await bot.core.advance_clock(timedelta(days=2))
    await bot.say("raj", "/answer 1 forward Road safety will survey the crossing in June.")
    await bot.say("fran", "/poll Where should the new bench go? | By the pond | Under the oak | "
                  "Near the gate --closes 2d", chat="garden")
    for user, choice in (("rita", 1), ("sam", 1), ("tom", 2), ("una", 1), ("vic", 3)):
        await bot.say(user, f"/vote 1 {choice}", chat="garden")
    await bot.core.advance_clock(timedelta(days=2, minutes=1))
    await bot.say("fran", "/outcome 1 The bench goes by the pond before the spring planting day.",
                  chat="garden")
    await bot.core.activity.flush()  # the messages counted so far, as at a stop


async def shoot(folder: Path) -> None:
    from playwright.async_api import async_playwright

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(environ={"NCBOT_STORAGE__URL": f"sqlite:///{tmp}/shots.db",
                                          "NCBOT_BOT__NAME": "Fremont Borough Council"})
        engine = create_db_engine(settings.storage.url)
        upgrade(engine)
        core = build_core(settings=settings, engine=engine, clock=FakeClock(), worker_id="shots")
        bot = TestingAdapter(core)
        await play(bot)
        code = project_in(bot, "garden").code
        server = TestServer(record_app(engine=engine, settings=settings, clock=core.clock))
        await server.start_server()
        shots = {"index": ("/", 900), "project": (f"/p/{code}", 900),
                 "project-challenges": (f"/p/{code}#challenges", 900),
                 "challenge": (f"/p/{code}/c/1", 900), "councillors": ("/councillors", 900),
                 "councillor": ("/councillors/1", 900), "project-375px": (f"/p/{code}", 375)}
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=shutil.which("chromium"),
                                              args=["--no-sandbox"])
            for name, (path, width) in shots.items():
                page = await browser.new_page(viewport={"width": width, "height": 860})
                await page.goto(str(server.make_url(path)))
                await page.screenshot(path=str(folder / f"{name}.png"))
                await page.close()
            await browser.close()
        await server.close()
        engine.dispose()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/web")
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(shoot(target))
