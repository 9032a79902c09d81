"""Linking councillors: proposals, Accept/Decline, /link, /unlink, /mygroups, auto_accept."""

from __future__ import annotations

from sqlmodel import select

from adapters.testing import TestingAdapter
from bot.kernel.config import LinkingSection
from storage.db import session_scope
from storage.models import CouncillorLink
from tests.helpers import make_active, make_councillor, make_facilitator, make_project


def link_rows(bot: TestingAdapter) -> list[CouncillorLink]:
    with session_scope(bot.core.engine) as s:
        return list(s.exec(select(CouncillorLink)))


async def garden(bot: TestingAdapter, *, active: bool = True) -> None:
    """Fran facilitates the Fremont Garden project in the chat 'garden'."""
    await make_facilitator(bot, "Fran Fowler")
    await make_project(bot, "fran", "garden", "Fremont Garden", wards=["Fremont"],
                       topics=["parks"], scope="Redesign the allotments with residents")
    if active:
        await make_active(bot, "garden")


async def test_an_active_project_is_proposed_and_accepting_announces_it(
    bot: TestingAdapter,
) -> None:
    await make_councillor(bot, "Jane Doe", wards=["Fremont"])
    await garden(bot)
    proposal = bot.last(user="jane")
    assert "Fremont Garden" in proposal.text and "Fremont ward" in proposal.text
    assert "Redesign the allotments" in proposal.text
    assert proposal.button_labels == ["Accept", "Decline"]

    await bot.press("jane", proposal.button("Accept"))
    assert "now linked to Fremont Garden" in bot.last(user="jane").text
    assert bot.last(chat="garden").text == (
        "Cllr Jane Doe (Fremont ward) is now linked to this project."
    )
    replies = await bot.say("fran", "/councillors", chat="garden")
    assert "Cllr Jane Doe (Fremont ward)" in replies[-1].text

    again = await bot.press("jane", proposal.button("Accept"))
    assert again.notice == "You have already accepted Fremont Garden."


async def test_a_project_is_proposed_once_however_often_it_changes(bot: TestingAdapter) -> None:
    await make_councillor(bot, "Jane Doe", wards=["Fremont"], portfolios=["parks"])
    await garden(bot)
    await bot.say("fran", "/ward Fremont", chat="garden")
    await bot.say("fran", "/topics parks, allotments", chat="garden")
    await make_active(bot, "garden", ["kim", "lee", "max"])
    proposals = [m for m in bot.to_user("jane") if "Accept" in m.button_labels]
    assert len(proposals) == 1
    assert len(link_rows(bot)) == 1


async def test_an_inactive_project_is_not_proposed_until_active(bot: TestingAdapter) -> None:
    await make_councillor(bot, "Jane Doe", wards=["Fremont"])
    await garden(bot, active=False)
    assert not [m for m in bot.to_user("jane") if "Accept" in m.button_labels]
    await make_active(bot, "garden")
    assert bot.last(user="jane").button_labels == ["Accept", "Decline"]


async def test_a_councillor_joining_later_is_proposed_matching_projects(
    bot: TestingAdapter,
) -> None:
    await garden(bot)
    await make_councillor(bot, "Raj Patel", portfolios=["Parks"])
    proposal = bot.last(user="raj")
    assert "parks portfolio" in proposal.text
    await bot.press("raj", proposal.button("Decline"))
    assert "will not be linked" in bot.last(user="raj").text
    assert link_rows(bot)[0].status == "declined"
    # Declined is remembered: a later change does not ask again.
    await bot.say("fran", "/topics parks", chat="garden")
    assert "will not be linked" in bot.last(user="raj").text


async def test_wards_changing_proposes_the_new_wards_councillors(bot: TestingAdapter) -> None:
    await make_councillor(bot, "Omar Hale", wards=["Riverside"])
    await garden(bot)
    assert not bot.to_user("omar")[1:]
    await bot.say("fran", "/ward Fremont, Riverside", chat="garden")
    assert bot.last(user="omar").button_labels == ["Accept", "Decline"]


async def test_someone_else_cannot_press_a_councillors_proposal(bot: TestingAdapter) -> None:
    await make_councillor(bot, "Jane Doe", wards=["Fremont"])
    await garden(bot)
    action = bot.last(user="jane").button("Accept")
    result = await bot.press("mallory", action)
    assert result.notice == "This was sent to another councillor."
    assert link_rows(bot)[0].status == "proposed"


async def test_facilitator_links_and_unlinks(bot: TestingAdapter) -> None:
    await make_councillor(bot, "Raj Patel", wards=["Hillside"])
    await garden(bot)
    replies = await bot.say("fran", "/link raj", chat="garden")
    assert replies[-1].text.startswith("I have asked Cllr Raj Patel")
    again = await bot.say("fran", "/link Raj Patel", chat="garden")
    assert "asked already" in again[-1].text
    await bot.press("raj", bot.last(user="raj").button("Accept"))
    assert bot.last(chat="garden").text == (
        "Cllr Raj Patel (Hillside ward) is now linked to this project."
    )
    linked = await bot.say("fran", "/link Raj Patel", chat="garden")
    assert linked[-1].text == "Cllr Raj Patel is already linked to this project."

    await bot.say("fran", "/unlink Raj Patel", chat="garden")
    assert bot.last(chat="garden").text == "Cllr Raj Patel is no longer linked to this project."
    assert "unlinked you from Fremont Garden" in bot.last(user="raj").text
    gone = await bot.say("fran", "/unlink Raj Patel", chat="garden")
    assert gone[-1].text == "Cllr Raj Patel is not linked to this project."
    # Left before: the facilitator may ask again.
    await bot.say("fran", "/link Raj Patel", chat="garden")
    assert bot.last(user="raj").button_labels == ["Accept", "Decline"]
    assert len(link_rows(bot)) == 1


async def test_link_refusals(bot: TestingAdapter) -> None:
    await make_councillor(bot, "Jane Doe", wards=["Fremont"])
    await make_councillor(bot, "Jane Smith", wards=["Fremont"], user="jsmith")
    await garden(bot)
    unknown = await bot.say("fran", "/link Nobody", chat="garden")
    assert unknown[-1].text.startswith("I know no councillor called Nobody. Councillors: Jane Doe")
    ambiguous = await bot.say("fran", "/link jane", chat="garden")
    assert ambiguous[-1].text.startswith("Several councillors match jane")
    bare = await bot.say("fran", "/link", chat="garden")
    assert bare[-1].text.startswith("Usage: /link <councillor>")
    resident = await bot.say("kim", "/link Jane Doe", chat="garden")
    assert resident[-1].text == "Only facilitators can use /link."
    await make_facilitator(bot, "Gil Other")
    other = await bot.say("gil", "/link Jane Doe", chat="garden")
    assert other[-1].text == "Only this project's facilitators can use /link here."


async def test_mygroups_lists_links_and_leaves_one(bot: TestingAdapter) -> None:
    await make_councillor(bot, "Jane Doe", wards=["Fremont"])
    empty = await bot.say("jane", "/mygroups")
    assert empty[-1].text == "You are not linked to any project group yet."
    await garden(bot)
    pending = await bot.say("jane", "/mygroups")
    assert "waiting for your answer" in pending[-1].text
    await bot.press("jane", pending[-1].button("Accept Fremont Garden"))
    listing = await bot.say("jane", "/mygroups")
    assert "Fremont Garden" in listing[-1].text and "linked since" in listing[-1].text
    assert listing[-1].button_labels == ["Leave Fremont Garden"]
    await bot.press("jane", listing[-1].button("Leave"))
    assert bot.last(chat="garden").text == "Cllr Jane Doe is no longer linked to this project."
    stale = await bot.press("jane", listing[-1].button("Leave"))
    assert stale.notice == "You are not linked to Fremont Garden."
    in_group = await bot.say("jane", "/mygroups", chat="garden")
    assert in_group[-1].text == "Please use /mygroups in a private chat with me."


async def test_auto_accept_links_without_asking(bot: TestingAdapter) -> None:
    bot.core.settings = bot.core.settings.model_copy(
        update={"linking": LinkingSection(auto_accept=True)}
    )
    await make_councillor(bot, "Jane Doe", wards=["Fremont"])
    await garden(bot)
    assert "You are now linked to Fremont Garden (Fremont ward)" in bot.last(user="jane").text
    assert bot.last(chat="garden").text == (
        "Cllr Jane Doe (Fremont ward) is now linked to this project."
    )
    assert [row.status for row in link_rows(bot)] == ["accepted"]


async def test_an_unreachable_councillor_is_asked_when_they_join(bot: TestingAdapter) -> None:
    from tests.helpers import _invite

    person_id, code = _invite(bot, "Jane Doe", "councillor", ["Fremont"])
    await garden(bot)
    assert link_rows(bot) == []  # nobody to ask yet
    await bot.say("jane", f"/start {code}")
    assert bot.last(user="jane").button_labels == ["Accept", "Decline"]
    assert [row.councillor_id for row in link_rows(bot)] == [person_id]


async def test_link_refused_for_a_councillor_who_cannot_be_reached(bot: TestingAdapter) -> None:
    from storage.models import Identity

    omar = await make_councillor(bot, "Omar Hale", wards=["Riverside"])
    await garden(bot)
    with session_scope(bot.core.engine) as s:
        for identity in s.exec(select(Identity).where(Identity.person_id == omar)):
            identity.unreachable_at = bot.core.clock.now()  # they blocked the bot
    replies = await bot.say("fran", "/link Omar Hale", chat="garden")
    assert replies[-1].text.startswith("I cannot reach Cllr Omar Hale in a private chat")
    assert link_rows(bot) == []
