"""The council's index in pages of a hundred projects, by name; its open data lists them all."""

from __future__ import annotations

import re

import pytest

from adapters.testing import TestingAdapter
from bot.record import projects
from tests.record.conftest import Built
from tests.record.scene import publish_projects, web_client


def _listed(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/p/[^"]+">([^<]+)</a></h2>', html)


async def test_the_index_is_paged_by_name_and_its_open_data_has_every_project(
        built: Built, scene: TestingAdapter, monkeypatch: pytest.MonkeyPatch) -> None:
    publish_projects(scene, ["Abbey Allotments", "Birch Lane Play Street", "Canal Towpath Lights"])
    monkeypatch.setattr(projects, "INDEX_PAGE", 2)
    async with web_client(scene) as client:
        every = (await (await client.get("/index.json")).json())["projects"]
        names = sorted(p["name"] for p in every)
        assert len(names) == 4 and "Aardvark Hidden" not in names  # three and the busy project
        first = await (await client.get("/")).text()
        assert _listed(first) == names[:2]
        assert "Page 1 of 2: projects 1 to 2 of 4, by name." in first
        assert '<a href="/?page=2" rel="next">Next page</a>' in first and 'rel="prev"' not in first
        second = await client.get("/?page=2")
        html = await second.text()
        assert second.status == 200 and _listed(html) == names[2:]
        assert "<title>Public projects, page 2 of 2" in html
        assert '<a href="/?page=1" rel="prev">Previous page</a>' in html and 'rel="next"' not in html
        assert html.count("<h1") == 1
        for wrong in ("/?page=3", "/?page=0", "/?page=two", "/?page=-1", "/?page=99999999"):
            assert (await client.get(wrong)).status == 404, wrong
        assert len((await (await client.get("/index.csv")).text()).strip().splitlines()) == 5


async def test_one_page_of_projects_has_no_page_links(built: Built, scene: TestingAdapter) -> None:
    async with web_client(scene) as client:
        html = await (await client.get("/")).text()
    assert "Pages of projects" not in html and len(_listed(html)) == 1
