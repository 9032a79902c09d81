"""No resident's name or platform id on any public page, feed or open-data file."""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp.test_utils import TestClient
from sqlmodel import select

from adapters.testing import TestingAdapter
from storage.db import session_scope
from storage.models import Chat, Identity, Person
from storage.repo import people
from tests.record.conftest import Built
from tests.record.scene import ERASED, web_client


async def everything_public(client: TestClient, built: Built) -> dict[str, str]:
    """Every page, feed and data file of the record, by address."""
    base = f"/p/{built.code}"
    paths = ["/", "/index.json", "/index.csv", "/councillors", "/councillors.json", "/councillors.csv",
             base, f"{base}.json", f"{base}.csv", f"{base}/feed.atom"]
    for number in built.numbers.values():
        paths += [f"{base}/c/{number}", f"{base}/c/{number}.json", f"{base}/c/{number}.csv"]
    found = {}
    for path in paths:
        response = await client.get(path)
        assert response.status == 200, path
        found[path] = await response.text()
    for councillor in re.findall(r'href="/councillors/(\d+)"', found["/councillors"]):
        for suffix in ("", ".json", ".csv"):
            path = f"/councillors/{councillor}{suffix}"
            response = await client.get(path)
            assert response.status == 200, path
            found[path] = await response.text()
    return found


def private_words(bot: TestingAdapter) -> set[str]:
    """Names and platform ids of everyone but the councillors, and every platform id at all."""
    words = {ERASED, ERASED.capitalize()}
    with session_scope(bot.core.engine) as s:
        councillors = {p.id for p in people.people_with_role(s, role="councillor")}
        for person in s.exec(select(Person)):
            if person.id not in councillors and person.name:
                words.add(person.name)
        for identity in s.exec(select(Identity)):
            words.add(identity.user_id)  # a councillor's platform id is not public either
            if identity.person_id not in councillors:
                words.update(w for w in (identity.display_name, identity.username) if w)
        words.update(chat.platform_chat_id for chat in s.exec(select(Chat)))
    return words


async def test_no_resident_is_named_anywhere(built: Built, scene: TestingAdapter) -> None:
    words = private_words(scene)
    assert {"Fran Fowler", "Quillon", "quillon", "Zebulon", "Yevgenia"} <= words
    async with web_client(scene) as client:
        pages = await everything_public(client, built)
    assert len(pages) > 40
    for path, text in pages.items():
        for word in words:
            assert not re.search(rf"\b{re.escape(word)}\b", text), f"{word!r} is on {path}"
    assert "Cllr Jane Doe" in pages[f"/p/{built.code}"]  # councillors are named: a public office


async def test_an_erased_raisers_challenge_stays_anonymous(built: Built, scene: TestingAdapter) -> None:
    async with web_client(scene) as client:
        html = await (await client.get(f"/p/{built.code}/c/{built.numbers['erased_raiser']}")).text()
    assert "Raised by a resident" in html and "former member" not in html


async def test_every_page_loads_on_each_database(bot: TestingAdapter) -> None:
    """The scene on the conftest's databases (PostgreSQL too, when it is configured)."""
    from tests.record.scene import busy_public_project, project_code

    numbers = await busy_public_project(bot)
    built = Built(Path("."), numbers, project_code(bot), bot.core.clock.now())
    async with web_client(bot) as client:
        pages = await everything_public(client, built)
    words = private_words(bot)
    for path, text in pages.items():
        for word in words:
            assert not re.search(rf"\b{re.escape(word)}\b", text), f"{word!r} is on {path}"
