"""Every state a challenge can be in, as its page, the project page and the open data show it."""

from __future__ import annotations

import json
import re

import pytest

from adapters.testing import TestingAdapter
from bot.challenges import OUTCOME_WORDS
from bot.record import texts as T
from tests.record.conftest import Built
from tests.record.scene import OUTCOMES, web_client

# state in the scene -> (the status words, the timeline's steps in order)
EXPECTED = {
    "open": ("awaiting acknowledgement", ["raised", "sent"]),
    "reminded": ("awaiting acknowledgement, reminded", ["raised", "sent", "reminded"]),
    "acknowledged": ("acknowledged, awaiting an answer", ["raised", "sent", "acknowledged"]),
    "escalated": ("escalated, awaiting an answer", ["raised", "sent", "reminded", "escalated"]),
    "reopened": ("reopened, awaiting an answer",
                 ["raised", "sent", "answered", "followup", "followup", "reopened", "escalated"]),
    "withdrawn": ("withdrawn", ["raised", "sent", "withdrawn"]),
    "erased_raiser": ("escalated, awaiting an answer", ["raised", "sent", "reminded", "escalated"]),
    **{f"answered_{o}": ("answered", ["raised", "sent", "answered", "followup"]) for o in OUTCOMES},
    # its raiser answered the follow-up "Yes"
    "answered_declined": ("answered", ["raised", "sent", "answered", "followup", "followup"]),
}


def steps(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split('class="event event-')[1:]]


async def test_each_state_has_its_status_and_timeline(built: Built, scene: TestingAdapter) -> None:
    async with web_client(scene) as client:
        for state, (words, timeline) in EXPECTED.items():
            number = built.numbers[state]
            r = await client.get(f"/p/{built.code}/c/{number}")
            html = await r.text()
            assert r.status == 200, state
            assert f"Scope challenge #{number}</h1>" in html
            assert f">{words}</span>" in html, state
            assert steps(html) == timeline, state
            assert "Raised by a resident" in html


async def test_answers_show_their_outcome_explanation_and_councillor(
        built: Built, scene: TestingAdapter) -> None:
    async with web_client(scene) as client:
        for outcome in OUTCOMES:
            number = built.numbers[f"answered_{outcome}"]
            html = await (await client.get(f"/p/{built.code}/c/{number}")).text()
            assert OUTCOME_WORDS[outcome] in html
            assert f"Explanation for {outcome}." in html
            assert '<a href="/councillors/' in html and "Cllr Jane Doe</a>" in html
        reopened = await (await client.get(f"/p/{built.code}/c/{built.numbers['reopened']}")).text()
        assert "I will take it to the transport committee." in reopened
        assert T.FOLLOWUP_WORDS["not_really"] in reopened
        assert "Escalated to " in reopened


async def test_project_page_groups_challenges_by_state(built: Built, scene: TestingAdapter) -> None:
    async with web_client(scene) as client:
        html = await (await client.get(f"/p/{built.code}")).text()
    section = {key: html.split(f'id="c-{key}"')[1].split("<h3")[0]
               for key in ("awaiting", "escalated", "answered", "withdrawn")}
    for state, number in built.numbers.items():
        link = f'/p/{built.code}/c/{number}"'
        group = ("answered" if state.startswith("answered") else
                 "withdrawn" if state == "withdrawn" else
                 "awaiting" if state in ("open", "reminded", "acknowledged") else "escalated")
        assert link in section[group], (state, group)
    assert html.count("<h1") == 1
    # "you said, we did": the four answered challenges and the poll's outcome
    said = html.split('id="yousaid"')[1]
    assert said.count("<li>") == 5
    assert "The bench goes by the pond in March." in said


async def test_open_data_has_every_challenge(built: Built, scene: TestingAdapter) -> None:
    async with web_client(scene) as client:
        data = json.loads(await (await client.get(f"/p/{built.code}.json")).text())
        csv_text = await (await client.get(f"/p/{built.code}.csv")).text()
        timeline = await (await client.get(f"/p/{built.code}/c/{built.numbers['escalated']}.csv")).text()
    states = {c["number"]: c["state"] for c in data["challenges"]}
    assert states[built.numbers["withdrawn"]] == "withdrawn"
    assert states[built.numbers["reminded"]] == "reminded"
    assert data["councillors"][0]["name"] == "Cllr Jane Doe"
    assert len(csv_text.strip().splitlines()) == 1 + len(built.numbers)
    assert csv_text.splitlines()[0].startswith("number,raised_at,state,supporters,text")
    assert [line.split(",")[1] for line in timeline.strip().splitlines()[1:]] == [
        "raised", "sent", "reminded", "escalated"]


@pytest.mark.parametrize("path", ["/p/NOSUCH", "/p/NOSUCH/c/1", "/p/{code}/c/999", "/councillors/999",
                                  "/p/NOSUCH.json", "/p/NOSUCH/feed.atom"])
async def test_unknown_addresses_are_404_pages(built: Built, scene: TestingAdapter, path: str) -> None:
    async with web_client(scene) as client:
        r = await client.get(path.format(code=built.code))
        assert r.status == 404
        assert "Not found</h1>" in await r.text()


async def test_a_long_list_shows_the_first_few_and_links_to_all(
        built: Built, scene: TestingAdapter, monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.web import pages

    monkeypatch.setattr(pages, "PAGE_SHOWN", 2)
    async with web_client(scene) as client:
        html = await (await client.get(f"/p/{built.code}")).text()
        everything = await client.get(f"/p/{built.code}/challenges")
        full = await everything.text()
    answered = html.split('id="c-answered"')[1].split("<h3")[0]
    assert answered.count("<li>") == 2
    assert f'<a href="/p/{built.code}/challenges#c-answered">See all 4 answered challenges</a>' in answered
    assert everything.status == 200 and full.count("<h1") == 1
    for number in built.numbers.values():
        assert f'href="/p/{built.code}/c/{number}"' in full
    assert "See all" not in full


async def test_the_list_of_every_challenge_is_paged(
        built: Built, scene: TestingAdapter, monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.web import pages
    from bot.record import projects

    monkeypatch.setattr(pages, "PAGE_SHOWN", 1)
    monkeypatch.setattr(projects, "CHALLENGES_PAGE", 3)
    pages_count = -(-len(built.numbers) // 3)
    seen: list[str] = []
    async with web_client(scene) as client:
        project = await (await client.get(f"/p/{built.code}")).text()
        for page in range(1, pages_count + 1):
            r = await client.get(f"/p/{built.code}/challenges?page={page}")
            html = await r.text()
            assert r.status == 200 and f"Page {page} of {pages_count}" in html
            seen += re.findall(rf'href="/p/{built.code}/c/(\d+)"', html)
        past = await client.get(f"/p/{built.code}/challenges?page={pages_count + 1}")
        bad = await client.get(f"/p/{built.code}/challenges?page=x")
    assert sorted(map(int, seen)) == sorted(built.numbers.values())
    assert past.status == 404 and bad.status == 404
    # The project's link to its answered challenges leads to the page where they start.
    link = re.search(rf'href="/p/{built.code}/challenges\?page=(\d+)#c-answered"', project)
    assert link is not None
    async with web_client(scene) as client:
        start = await (await client.get(f"/p/{built.code}/challenges?page={link.group(1)}")).text()
    assert 'id="c-answered"' in start
