"""Every kind of poll on the project page and in its open data: totals only, never who voted."""

from __future__ import annotations

import json

from adapters.testing import TestingAdapter
from tests.record.conftest import Built
from tests.record.scene import web_client


def poll_section(html: str, number: int) -> str:
    return html.split(f'<h3 id="poll-{number}">')[1].split("</article>")[0]


async def test_each_kind_of_poll(built: Built, scene: TestingAdapter) -> None:
    async with web_client(scene) as client:
        html = await (await client.get(f"/p/{built.code}")).text()
        data = json.loads(await (await client.get(f"/p/{built.code}.json")).text())
    polls = {p["number"]: p for p in data["polls"]}

    named_closed = poll_section(html, 1)
    assert "Closed on" in named_closed and "named vote (only totals are published)" in named_closed
    assert "<svg" in named_closed and "<table" in named_closed  # the chart and its text equivalent
    assert '<th scope="row">By the pond</th><td>2</td><td>67 %</td>' in named_closed
    assert "3 votes" in named_closed
    assert "What happens next" in named_closed and "The bench goes by the pond in March." in named_closed
    assert polls[1]["options"] == [["By the pond", 2], ["Under the oak", 1]]

    anonymous_closed = poll_section(html, 2)
    assert "anonymous vote" in anonymous_closed and "Closed on" in anonymous_closed
    assert '<th scope="row">Saturday</th><td>2</td>' in anonymous_closed
    assert "What happens next" not in anonymous_closed
    assert polls[2]["outcome"] is None

    named_open = poll_section(html, 3)
    assert "Open until" in named_open
    assert '<th scope="row">Yes</th><td>2</td>' in named_open  # live totals, as in the chats

    anonymous_open = poll_section(html, 4)
    assert "Open until" in anonymous_open and "<svg" not in anonymous_open
    assert "3 people have voted. The totals are published when the poll closes." in anonymous_open
    assert polls[4]["totals_shown"] is False
    assert polls[4]["options"] == [["The facilitator", None], ["Someone new", None]]


async def test_a_poll_without_votes_says_so(built: Built, scene: TestingAdapter) -> None:
    await scene.say("fran", "/poll Paint the shed? | Green | Blue --closes 1d", chat="garden")
    async with web_client(scene) as client:
        html = await (await client.get(f"/p/{built.code}")).text()
    assert "No votes yet." in poll_section(html, 5)


async def test_a_corrected_outcome_says_so(built: Built, scene: TestingAdapter) -> None:
    await scene.say("fran", "/outcome 1 The bench goes under the oak in April.", chat="garden")
    async with web_client(scene) as client:
        html = await (await client.get(f"/p/{built.code}")).text()
        data = json.loads(await (await client.get(f"/p/{built.code}.json")).text())
    named_closed = poll_section(html, 1)
    assert "The bench goes under the oak in April." in named_closed
    assert "by the pond in March" not in named_closed
    assert ", corrected " in named_closed
    assert {p["number"]: p for p in data["polls"]}[1]["outcome_corrected_at"] is not None
