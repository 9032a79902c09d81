"""The first messages a newcomer reads are whole sentences that say what they can do."""

from __future__ import annotations

from adapters.testing import TestingAdapter
from tests.helpers import _invite, make_councillor, make_facilitator, make_project


async def test_a_link_request_says_who_asks(bot: TestingAdapter) -> None:
    await make_councillor(bot, "Jane Doe", wards=["Riverside"])
    await make_facilitator(bot, "Fran Smith")
    await make_project(bot, "fran", "garden", "Fremont Garden", scope="Allotments for all")
    await bot.say("fran", "/link Jane Doe", chat="garden")
    proposal = bot.last(user="jane")
    assert proposal.text.startswith(
        "Fran Smith, a facilitator of the project group Fremont Garden, asks you to link to it.\n"
        "Its scope: Allotments for all\n"), proposal.text
    assert "active project" not in proposal.text and "in your asked" not in proposal.text
    assert proposal.button_labels == ["Accept", "Decline"]


async def test_a_councillor_without_a_ward_is_told_so_plainly(bot: TestingAdapter) -> None:
    await make_councillor(bot, "Carl Cole", portfolios=["housing"])
    welcome = bot.last(user="carl").text
    assert welcome.startswith("Welcome, Carl Cole. You are registered as a councillor; no ward is "
                              "set for you yet.")
    assert "for no ward" not in welcome


async def test_an_admin_is_told_what_an_admin_can_do(bot: TestingAdapter) -> None:
    _, code = _invite(bot, "Root Admin", "admin")
    [welcome] = await bot.say("root", f"/start {code}")
    assert welcome.text.startswith("Welcome, Root Admin. You are registered as an admin.\n")
    for what in ("every command", "/project", "/answer", "ncbot admin", "/help"):
        assert what in welcome.text
