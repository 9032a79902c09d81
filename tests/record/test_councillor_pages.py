"""Councillors' public records: figures, answers, projects; nobody else has one."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from adapters.testing import TestingAdapter
from storage.db import session_scope
from storage.models import Person
from tests.record.conftest import Built
from tests.record.scene import web_client


async def test_a_councillors_record(built: Built, scene: TestingAdapter) -> None:
    async with web_client(scene) as client:
        html = await (await client.get("/councillors/1")).text()
        data = json.loads(await (await client.get("/councillors/1.json")).text())
        listing = await (await client.get("/councillors")).text()
    assert "<h1>Cllr Jane Doe</h1>" in html
    assert f'<a href="/p/{built.code}">Fremont Garden</a>' in html
    assert "Answers given (5)" in html and "Explanation for referred." in html
    assert "Time to answer: challenges per band" in html and "<svg" in html
    assert '<th scope="row">under a day</th><td>5</td>' in html  # the chart's text equivalent
    assert data["figures"]["answered"] == 5 and data["figures"]["received"] == 11
    assert data["figures"]["followup_replies"] == 2 and data["figures"]["followup_satisfied"] == 1
    assert '<a href="/councillors/1">Cllr Jane Doe</a>' in listing


async def test_only_councillors_have_a_record(scene: TestingAdapter) -> None:
    with session_scope(scene.core.engine) as s:
        others = [p.id for p in s.exec(select(Person).where(Person.id != 1))]
    assert len(others) > 5
    async with web_client(scene) as client:
        for person_id in others:
            assert (await client.get(f"/councillors/{person_id}")).status == 404
            assert (await client.get(f"/councillors/{person_id}.json")).status == 404


async def test_a_long_record_shows_the_latest_answers(
        scene: TestingAdapter, monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.web import pages

    monkeypatch.setattr(pages, "PAGE_ANSWERS", 2)
    async with web_client(scene) as client:
        html = await (await client.get("/councillors/1")).text()
        data = json.loads(await (await client.get("/councillors/1.json")).text())
    section = html.split('id="answers"')[1]
    assert section.count("<li>") == 2 and "The latest 2; all of them are in the open data" in section
    assert len(data["answers"]) == 5
