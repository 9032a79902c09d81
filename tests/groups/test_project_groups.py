"""Project groups: registering, joining, scope, wards, topics, help and activity."""

from __future__ import annotations

from datetime import timedelta

from adapters.testing import TestingAdapter
from bot.kernel.events import ChatKind, ChatRef, MemberChange, MembershipChanged
from bot.kernel.ports import FakeClock
from storage.db import session_scope
from storage.models import ActivityDay, Chat, Project
from storage.repo import projects
from tests.helpers import add_ward, make_facilitator
from tests.pg_schemas import stored_bytes


async def _garden(bot: TestingAdapter) -> None:
    await make_facilitator(bot, "Fran")
    await bot.say("fran", "/project Fremont Garden", chat="garden")


async def test_facilitator_registers_a_project(bot: TestingAdapter) -> None:
    await make_facilitator(bot, "Fran")
    replies = await bot.say("fran", "/project Fremont Garden", chat="garden")
    assert "Fremont Garden is registered as a project group" in replies[-1].text
    with session_scope(bot.core.engine) as s:
        chat = projects.find_chat(s, platform="test", platform_chat_id="garden")
        assert chat is not None and chat.project_id is not None


async def test_resident_cannot_register(bot: TestingAdapter) -> None:
    replies = await bot.say("rita", "/project Mine", chat="garden")
    assert replies[-1].text == "Only facilitators can use /project."


async def test_project_in_private_chat_is_refused(bot: TestingAdapter) -> None:
    await make_facilitator(bot, "Fran")
    replies = await bot.say("fran", "/project Garden")
    assert replies[-1].text == "/project works in a project group chat."


async def test_registering_twice_names_the_project(bot: TestingAdapter) -> None:
    await _garden(bot)
    replies = await bot.say("fran", "/project Another", chat="garden")
    assert "already belongs to the project Fremont Garden" in replies[-1].text


async def test_join_adds_a_chat_on_another_platform(bot: TestingAdapter) -> None:
    await _garden(bot)
    with session_scope(bot.core.engine) as s:
        code = projects.list_projects(s)[0].code
    other = TestingAdapter(bot.core, platform="other")
    # the same facilitator on the other platform: link the identity by an invite
    from tests.people.test_onboarding import _invite

    inv = _invite(bot, role="facilitator", person="Fran")
    await other.say("fran2", f"/start {inv.code}")
    replies = await other.say("fran2", f"/project join {code.lower()}", chat="officers")
    assert "now part of the project Fremont Garden" in replies[-1].text
    await bot.say("fran", "/scope Gardens for all", chat="garden")
    assert other.last(chat="officers").text.startswith("Scope of Fremont Garden set")


async def test_join_with_unknown_code_and_usage(bot: TestingAdapter) -> None:
    await make_facilitator(bot, "Fran")
    replies = await bot.say("fran", "/project join NOPE99", chat="x")
    assert replies[-1].text == "No project has the code NOPE99."
    replies = await bot.say("fran", "/project join", chat="x")
    assert replies[-1].text.startswith("Usage: /project <name>")


async def test_scope_is_shown_to_anyone_and_set_by_facilitators(bot: TestingAdapter) -> None:
    await _garden(bot)
    assert "no scope statement yet" in (await bot.say("rita", "/scope", chat="garden"))[-1].text
    refused = await bot.say("rita", "/scope My own scope", chat="garden")
    assert refused[-1].text == "Only this project's facilitators can use /scope here."
    await bot.say("fran", "/scope Redesign the allotments", chat="garden")
    shown = await bot.say("rita", "/scope", chat="garden")
    assert shown[-1].text == "Scope of Fremont Garden:\nRedesign the allotments"


async def test_commands_outside_a_project_point_to_registration(bot: TestingAdapter) -> None:
    replies = await bot.say("rita", "/scope", chat="random")
    assert replies[-1].text.startswith("This chat is not a project group yet")


async def test_ward_must_be_known(bot: TestingAdapter) -> None:
    await _garden(bot)
    add_ward(bot, "Fremont")
    replies = await bot.say("fran", "/ward Atlantis", chat="garden")
    assert replies[-1].text == "I don't know the ward Atlantis. Known wards: Fremont"
    replies = await bot.say("fran", "/ward fremont", chat="garden")
    assert replies[-1].text == "Fremont Garden now covers: Fremont"
    assert (await bot.say("rita", "/ward", chat="garden"))[-1].text == "Fremont Garden covers: Fremont"


async def test_topics_are_normalised(bot: TestingAdapter) -> None:
    await _garden(bot)
    await bot.say("fran", "/topics Housing,  Green   Spaces, housing", chat="garden")
    shown = await bot.say("sam", "/topics", chat="garden")
    assert shown[-1].text == "Fremont Garden topics: green spaces, housing"


async def test_help_lists_what_this_person_may_use_here(bot: TestingAdapter) -> None:
    await _garden(bot)
    resident = (await bot.say("rita", "/help", chat="garden"))[-1].text
    assert "/scope" in resident and "/start" not in resident
    one = (await bot.say("rita", "/help scope", chat="garden"))[-1].text
    assert "Usage: /scope [text]" in one and "Example:" in one


async def test_every_command_has_help_text(bot: TestingAdapter) -> None:
    for cmd in bot.core.routes.commands:
        assert cmd.summary and cmd.usage.startswith(f"/{cmd.name}") and cmd.example, cmd.name


async def test_activity_counts_messages_not_text(bot: TestingAdapter, clock: FakeClock) -> None:
    await _garden(bot)
    for user in ("rita", "sam", "rita"):
        await bot.say(user, "the bus stop moved", chat="garden")
    with session_scope(bot.core.engine) as s:
        days = list(s.exec(__import__("sqlmodel").select(ActivityDay)))
        assert [d.messages for d in days] == [3]
        project = projects.list_projects(s)[0]
        assert project.became_active_at is None  # 2 people < min_participants (3)
    await bot.say("tom", "agreed", chat="garden")
    with session_scope(bot.core.engine) as s:
        assert projects.list_projects(s)[0].became_active_at == clock.now()
    # nothing anyone said is stored anywhere
    assert b"bus stop" not in stored_bytes(bot.core.engine)


async def test_activity_window_expires(bot: TestingAdapter, clock: FakeClock) -> None:
    await _garden(bot)
    for user in ("rita", "sam"):
        await bot.say(user, "hi", chat="garden")
    clock.advance(timedelta(days=20))
    await bot.say("tom", "hi", chat="garden")
    with session_scope(bot.core.engine) as s:
        assert projects.list_projects(s)[0].became_active_at is None


async def test_supergroup_migration_keeps_the_project(bot: TestingAdapter) -> None:
    await _garden(bot)
    await bot.push(MembershipChanged(chat=ChatRef("test", "garden", ChatKind.GROUP),
                                     sender=bot.sender("fran"), change=MemberChange.CHAT_MIGRATED,
                                     new_chat_id="-100garden"))
    replies = await bot.say("rita", "/scope", chat="-100garden")
    assert "Fremont Garden" in replies[-1].text


async def test_bot_removed_marks_the_chat_gone(bot: TestingAdapter) -> None:
    await _garden(bot)
    await bot.push(MembershipChanged(chat=ChatRef("test", "garden", ChatKind.GROUP),
                                     sender=bot.sender("fran"), change=MemberChange.BOT_REMOVED))
    with session_scope(bot.core.engine) as s:
        chat = projects.find_chat(s, platform="test", platform_chat_id="garden")
        assert chat is not None and chat.gone_at is not None
        assert projects.project_chats(s, project_id=chat.project_id or 0) == []
        assert s.get(Project, chat.project_id) is not None and s.get(Chat, chat.id) is not None


async def test_bot_added_back_revives_the_chat(bot: TestingAdapter) -> None:
    await _garden(bot)
    garden = ChatRef("test", "garden", ChatKind.GROUP)
    for change in (MemberChange.BOT_REMOVED, MemberChange.BOT_ADDED):
        await bot.push(MembershipChanged(chat=garden, sender=bot.sender("fran"), change=change))
    assert bot.last(chat="garden").text.startswith("Hello, I am")
    await bot.say("fran", "/scope Back again", chat="garden")
    assert bot.last(chat="garden").text.startswith("Scope of Fremont Garden set")
