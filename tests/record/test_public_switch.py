"""/public on|off: facilitators only, announced in every chat, on the cards, and off at once."""

from __future__ import annotations

from adapters.testing import TestingAdapter
from bot.record import texts as T
from tests.challenge_setup import garden, raise_challenge
from tests.helpers import project_in
from tests.record.conftest import Built
from tests.record.scene import web_client


async def test_only_facilitators_switch_it_and_every_chat_hears(bot: TestingAdapter) -> None:
    await garden(bot)
    code = project_in(bot, "garden").code
    await bot.say("fran", f"/project join {code}", chat="garden-annex")
    for user in ("kim", "jane"):
        refused = await bot.say(user, "/public on", chat="garden")
        assert "Only this project's facilitators" in refused[-1].text
    shown = await bot.say("kim", "/public", chat="garden")
    assert "is not on the public record" in shown[-1].text
    await bot.say("fran", "/public on", chat="garden")
    for chat in ("garden", "garden-annex"):
        assert "Fremont Garden is now on the public record" in bot.last(chat=chat).text
    again = await bot.say("fran", "/public on", chat="garden-annex")
    assert "already on the public record" in again[-1].text
    await bot.say("fran", "/public off", chat="garden-annex")
    for chat in ("garden", "garden-annex"):
        assert "no longer on the public record" in bot.last(chat=chat).text
    usage = await bot.say("fran", "/public maybe", chat="garden")
    assert "Usage: /public [on|off]" in usage[-1].text


async def test_cards_carry_the_link_from_then_on(bot: TestingAdapter) -> None:
    await garden(bot)
    before = await raise_challenge(bot, "Before publishing: the gate is locked at night")
    assert "public record" not in before.text
    await bot.say("fran", "/public on", chat="garden")
    after = await raise_challenge(bot, "After publishing: the bins block the path")
    assert after.text.endswith(T.CARD_PUBLIC)  # no web.public_url configured: no link to give


async def test_cards_link_to_the_challenge_page(built: Built, scene: TestingAdapter) -> None:
    card = await raise_challenge(scene, "A new one: the hedge hides the crossing", user="quillon")
    url = f"https://record.example.org/p/{built.code}/c/{max(built.numbers.values()) + 1}"
    assert card.text.endswith(f"On the public record: {url}")
    announced = await scene.say("fran", "/public", chat="garden")
    assert f"on the public record at https://record.example.org/p/{built.code}" in announced[-1].text


async def test_public_off_takes_every_page_down_at_once(built: Built, scene: TestingAdapter) -> None:
    base = f"/p/{built.code}"
    paths = [base, f"{base}.json", f"{base}.csv", f"{base}/feed.atom", f"{base}/c/1", f"{base}/c/1.json"]
    async with web_client(scene) as client:
        tags = {}
        for path in paths:
            response = await client.get(path)
            assert response.status == 200
            tags[path] = response.headers["ETag"]
        councillor = await (await client.get("/councillors/1")).text()
        assert base in councillor
        await scene.say("fran", "/public off", chat="garden")
        for path in paths:  # a reader's cached copy is not confirmed: it is gone
            response = await client.get(path, headers={"If-None-Match": tags[path]})
            assert response.status == 404, path
        assert base not in await (await client.get("/")).text()
        assert built.code not in await (await client.get("/index.json")).text()
        councillor = await (await client.get("/councillors/1")).text()
        assert base not in councillor and "No answers on the public record yet." in councillor
        await scene.say("fran", "/public on", chat="garden")
        assert (await client.get(base)).status == 200
