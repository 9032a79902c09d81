"""The record in a real browser: the distribution's headless Chromium, driven by Playwright.

Each page type loads, its links lead to the others, nothing scrolls sideways at 375 px (nor at
320 px), and axe-core finds no serious or critical accessibility violation.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from adapters.testing import TestingAdapter
from adapters.web import record_app
from bot.record import projects
from tests.record.conftest import Built
from tests.record.scene import publish_projects

CHROMIUM = shutil.which("chromium")
pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no chromium on PATH (apt-get install -y chromium chromium-driver; .ci/run does)",
    ),
    pytest.mark.timeout(600),  # a browser on a busy two-core machine takes its time
]


@asynccontextmanager
async def browser_on(scene: TestingAdapter) -> AsyncIterator[tuple[Any, str]]:
    """A headless Chromium and the address of the record served from the scene's database."""
    from playwright.async_api import async_playwright

    core = scene.core
    server = TestServer(record_app(engine=core.engine, settings=core.settings, clock=core.clock),
                        host="127.0.0.1")
    await server.start_server()
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                yield browser, str(server.make_url("")).rstrip("/")
            finally:
                await browser.close()
    finally:
        await server.close()


def page_types(built: Built) -> dict[str, str]:
    code = built.code
    return {
        "index": "/",
        "index, page 2": "/?page=2",
        "project": f"/p/{code}",
        "challenge": f"/p/{code}/c/{built.numbers['reopened']}",
        "challenges": f"/p/{code}/challenges",
        "councillors": "/councillors",
        "councillor": "/councillors/1",
        "not found": "/p/NOSUCH",
    }


async def sideways_scroll(page: Any) -> int:
    return int(await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"))


async def test_each_page_type_loads_reads_at_375px_and_passes_axe(
        built: Built, scene: TestingAdapter, monkeypatch: pytest.MonkeyPatch) -> None:
    from axe_playwright_python.async_playwright import Axe

    publish_projects(scene, ["Zinnia Walk"])  # after Fremont Garden: two pages of one project
    monkeypatch.setattr(projects, "INDEX_PAGE", 1)
    axe = Axe()
    async with browser_on(scene) as (browser, base):
        for width in (375, 320):
            for kind, path in page_types(built).items():
                page = await browser.new_page(viewport={"width": width, "height": 700})
                errors: list[str] = []
                page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
                page.on("request", lambda r, e=errors: e.append(r.url)
                        if not r.url.startswith(base) else None)
                response = await page.goto(base + path)
                assert response is not None
                assert response.status == (404 if kind == "not found" else 200), kind
                assert await page.locator("h1").count() == 1, kind
                assert await sideways_scroll(page) <= 0, f"{kind} scrolls sideways at {width} px"
                if width == 375:
                    results = await axe.run(page)
                    bad = [(v["id"], v["impact"], v["help"]) for v in results.response["violations"]
                           if v["impact"] in ("serious", "critical")]
                    assert not bad, f"{kind}: {bad}"
                if kind != "not found":  # whose own 404 status the console reports
                    assert not errors, (kind, errors)  # nothing blocked, nothing from elsewhere
                await page.close()


async def test_links_lead_from_page_to_page(built: Built, scene: TestingAdapter) -> None:
    async with browser_on(scene) as (browser, base):
        page = await browser.new_page(viewport={"width": 375, "height": 700})
        await page.goto(base + "/")
        await page.get_by_role("link", name="Fremont Garden").click()
        await page.wait_for_url(f"{base}/p/{built.code}")
        assert await page.locator("h1").inner_text() == "Fremont Garden"
        number = built.numbers["answered_forward"]
        await page.get_by_role("link", name=f"Challenge #{number}", exact=True).first.click()
        await page.wait_for_url(f"{base}/p/{built.code}/c/{number}")
        assert await page.locator("h1").inner_text() == f"Scope challenge #{number}"
        await page.get_by_role("main").get_by_role("link", name="Cllr Jane Doe").first.click()
        await page.wait_for_url(f"{base}/councillors/1")
        assert await page.locator("h1").inner_text() == "Cllr Jane Doe"
        await page.get_by_role("main").get_by_role("link", name="Fremont Garden").first.click()
        await page.wait_for_url(f"{base}/p/{built.code}")
        await page.get_by_role("navigation", name="Main").get_by_role("link", name="Councillors").click()
        await page.wait_for_url(f"{base}/councillors")
        assert await page.locator("h1").inner_text() == "Councillors"
        await page.get_by_role("link", name="JSON").click()
        await page.wait_for_url(f"{base}/councillors.json")
        await page.goto(base + f"/p/{built.code}")
        await page.keyboard.press("Tab")  # the skip link comes first and is shown when focused
        assert await page.evaluate("document.activeElement.textContent") == "Skip to main content"
        assert await page.locator("a.skip").is_visible()
        await page.close()
