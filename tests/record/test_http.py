"""The record over HTTP: security headers, 304s, no scripts or third parties, fixed SQL per page."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp
from sqlalchemy import event

from adapters.testing import TestingAdapter
from adapters.web.responses import CSP
from tests.challenge_setup import raise_challenge
from tests.db_locker import Locker
from tests.helpers import make_councillor
from tests.record.conftest import Built
from tests.record.scene import publish_projects, web_client

ROOT = Path(__file__).resolve().parents[2]
GENEROUS = 10.0  # seconds: far less than the 30 s a page waited for the write lock


async def test_every_response_has_the_security_headers(built: Built, scene: TestingAdapter) -> None:
    paths = ["/", f"/p/{built.code}", f"/p/{built.code}.json", f"/p/{built.code}.csv",
             f"/p/{built.code}/feed.atom", "/static/record.css", "/p/NOSUCH"]
    async with web_client(scene) as client:
        for path in paths:
            response = await client.get(path)
            assert response.headers["Content-Security-Policy"] == CSP, path
            assert "script-src" not in CSP and "default-src 'none'" in CSP
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Referrer-Policy"] == "no-referrer"
        feed = await client.get(f"/p/{built.code}/feed.atom")
        assert feed.headers["Content-Type"].startswith("application/atom+xml")


async def test_an_unchanged_page_is_a_304_and_a_changed_one_is_not(
        built: Built, scene: TestingAdapter) -> None:
    async with web_client(scene) as client:
        first = await client.get(f"/p/{built.code}")
        tag = first.headers["ETag"]
        assert first.headers["Cache-Control"] == "no-cache"
        again = await client.get(f"/p/{built.code}", headers={"If-None-Match": tag})
        assert again.status == 304 and await again.read() == b""
        await raise_challenge(scene, "Something new: the tap by the shed leaks", user="quillon")
        changed = await client.get(f"/p/{built.code}", headers={"If-None-Match": tag})
        assert changed.status == 200 and changed.headers["ETag"] != tag


async def test_pages_load_nothing_from_elsewhere_and_run_no_script(
        built: Built, scene: TestingAdapter) -> None:
    async with web_client(scene) as client:
        for path in ["/", f"/p/{built.code}", f"/p/{built.code}/c/1", "/councillors", "/councillors/1"]:
            html = await (await client.get(path)).text()
            assert "<script" not in html and " on" + "click=" not in html
            assert not re.search(r'(src|href)="(https?:)?//', html), path
            assert html.count("<h1") == 1 and '<html lang="en">' in html
            assert '<a class="skip" href="#main">' in html and '<main id="main"' in html


async def test_a_project_page_costs_the_same_statements_however_big(
        built: Built, scene: TestingAdapter) -> None:
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    async def cost() -> int:
        nonlocal statements
        async with web_client(scene) as client:
            statements = 0
            event.listen(scene.core.engine, "before_cursor_execute", count)
            assert (await client.get(f"/p/{built.code}")).status == 200
            event.remove(scene.core.engine, "before_cursor_execute", count)
        return statements

    small = await cost()
    await make_councillor(scene, "Raj Patel", wards=["Fremont"])
    await scene.press("raj", scene.last(user="raj").button("Accept"))
    for i in range(6):
        await raise_challenge(scene, f"More challenges, number {i}: the lane floods", user="quillon")
        await scene.say("raj", f"/answer {12 + i} declined Not this year, number {i}.")
    await scene.say("fran", "/poll One more? | Yes | No", chat="garden")
    await scene.say("zebulon", "/vote 5 1", chat="garden")
    assert "Cllr Raj Patel" in await _page(scene, built)
    assert await cost() == small


async def test_no_page_costs_more_statements_in_a_larger_council(
        built: Built, scene: TestingAdapter) -> None:
    paths = ["/", f"/p/{built.code}", f"/p/{built.code}/c/1", f"/p/{built.code}/challenges",
             "/councillors/1"]

    async def costs(paths: list[str] = paths) -> list[int]:
        found = []
        for path in paths:
            statements = 0

            def count(*_: object) -> None:
                nonlocal statements
                statements += 1

            async with web_client(scene) as client:  # a new process: nothing kept
                event.listen(scene.core.engine, "before_cursor_execute", count)
                assert (await client.get(path)).status == 200, path
                event.remove(scene.core.engine, "before_cursor_execute", count)
            found.append(statements)
        return found

    small = await costs()
    publish_projects(scene, [f"Project {n:03d}" for n in range(250)])  # three pages of the index
    assert await costs() == small
    assert await costs(["/?page=2", "/?page=3"]) == [small[0]] * 2


async def _page(scene: TestingAdapter, built: Built) -> str:
    async with web_client(scene) as client:
        return await (await client.get(f"/p/{built.code}")).text()


async def test_ncbot_web_serves_only_the_record(built: Built, tmp_path: Path) -> None:
    env = {**os.environ, "NCBOT_STORAGE__URL": f"sqlite:///{built.folder / 'ncbot.db'}",
           "NCBOT_HTTP__HOST": "127.0.0.1"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", "web", "--port", "0", env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        port = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert port, line
        async with aiohttp.ClientSession() as client:
            async with client.get(f"http://127.0.0.1:{port.group(1)}/p/{built.code}") as page:
                assert page.status == 200 and "Fremont Garden</h1>" in await page.text()
            async with client.post(f"http://127.0.0.1:{port.group(1)}/telegram/webhook") as hook:
                assert hook.status in (404, 405)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0


async def test_ncbot_web_on_a_taken_port_is_one_line(built: Built) -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    env = {**os.environ, "NCBOT_STORAGE__URL": f"sqlite:///{built.folder / 'ncbot.db'}",
           "NCBOT_HTTP__HOST": "127.0.0.1"}
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters.cli", "web", "--port", str(port), env=env, cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        server.close()
    assert proc.returncode == 1
    assert err.decode().strip().count("\n") == 0 and "cannot serve the record" in err.decode()


async def test_pages_are_served_while_another_process_holds_the_write_lock(
        built: Built, scene: TestingAdapter) -> None:
    # A page only reads: it neither waits for SQLite's write lock nor takes it from the bot.
    async with web_client(scene) as client:
        with Locker(str(scene.core.engine.url)):
            for path in ("/", f"/p/{built.code}", "/councillors"):
                response = await asyncio.wait_for(client.get(path), GENEROUS)
                assert response.status == 200, path
