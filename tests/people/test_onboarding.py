"""Invites: issued by the admin, redeemed once, wrong codes answered, guessing limited."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from adapters.testing import TestingAdapter
from bot.admin import operations as admin
from bot.kernel.ports import FakeClock
from storage.db import session_scope
from storage.models import Identity
from storage.repo import people
from tests.helpers import make_facilitator


def _invite(bot: TestingAdapter, **kw: object) -> admin.InviteResult:
    with session_scope(bot.core.engine) as s:
        if not people.find_ward(s, name="Fremont"):
            admin.add_ward(s, name="Fremont")
        return admin.invite(s, settings=bot.core.settings, now=bot.core.clock.now(), **kw)  # type: ignore[arg-type]


async def test_councillor_redeems_an_invite(bot: TestingAdapter) -> None:
    inv = _invite(bot, role="councillor", name="Jane Doe", wards=["Fremont"])
    replies = await bot.say("jane", f"/start {inv.code}")
    assert "registered as a councillor for Fremont" in replies[-1].text
    with session_scope(bot.core.engine) as s:
        identity = people.get_identity(s, platform="test", user_id="jane")
        assert identity is not None and identity.person_id == inv.person_id
        assert people.roles_of(s, person_id=inv.person_id) == {"councillor"}


async def test_codes_are_case_and_dash_insensitive(bot: TestingAdapter) -> None:
    inv = _invite(bot, role="facilitator", name="Fran")
    code = inv.code.lower()
    replies = await bot.say("fran", f"/start {code[:5]}-{code[5:]}")
    assert "registered as a facilitator" in replies[-1].text


async def test_used_code_is_refused(bot: TestingAdapter) -> None:
    inv = _invite(bot, role="facilitator", name="Fran")
    await bot.say("fran", f"/start {inv.code}")
    replies = await bot.say("mallory", f"/start {inv.code}")
    assert replies[-1].text == "That invite code has already been used. Ask for a new one."
    with session_scope(bot.core.engine) as s:
        m = people.get_identity(s, platform="test", user_id="mallory")
        assert m is not None and people.roles_of(s, person_id=m.person_id) == set()


async def test_expired_code_is_refused(bot: TestingAdapter, clock: FakeClock) -> None:
    inv = _invite(bot, role="facilitator", name="Fran")
    clock.advance(timedelta(days=15))
    replies = await bot.say("fran", f"/start {inv.code}")
    assert "expired" in replies[-1].text


async def test_guessing_is_limited(bot: TestingAdapter) -> None:
    inv = _invite(bot, role="admin", name="Officer")
    for i in range(5):
        replies = await bot.say("mallory", f"/start WRONGCODE{i}")
        assert replies[-1].text.startswith("That invite code is not valid")
    replies = await bot.say("mallory", f"/start {inv.code}")
    assert replies[-1].text.startswith("Too many wrong codes")
    with session_scope(bot.core.engine) as s:
        m = people.get_identity(s, platform="test", user_id="mallory")
        assert m is not None and "admin" not in people.roles_of(s, person_id=m.person_id)


async def test_start_in_a_group_is_refused(bot: TestingAdapter) -> None:
    inv = _invite(bot, role="facilitator", name="Fran")
    replies = await bot.say("fran", f"/start {inv.code}", chat="garden")
    assert replies[-1].text == "Please use /start in a private chat with me."


async def test_bare_start_greets(bot: TestingAdapter) -> None:
    replies = await bot.say("rita", "/start")
    assert replies[-1].text.startswith("Hello Rita")


async def test_second_platform_links_to_the_same_person(bot: TestingAdapter) -> None:
    other = TestingAdapter(bot.core, platform="other")
    fran_id = await make_facilitator(bot, "Fran Smith")
    await other.say("fran-elsewhere", "hello")  # a resident record exists before the invite
    inv = _invite(bot, role="facilitator", person=str(fran_id))
    replies = await other.say("fran-elsewhere", f"/start {inv.code}")
    assert "now linked to Fran Smith" in replies[-1].text
    with session_scope(bot.core.engine) as s:
        owners = {i.person_id for i in s.exec(select(Identity))}
        assert owners == {fran_id}


async def test_revoked_facilitator_loses_the_role_at_once(bot: TestingAdapter) -> None:
    fran = await make_facilitator(bot, "Fran")
    await bot.say("fran", "/project Garden", chat="garden")
    with session_scope(bot.core.engine) as s:
        admin.revoke(s, person=str(fran), now=bot.core.clock.now())
    replies = await bot.say("fran", "/scope Something new", chat="garden")
    assert replies[-1].text == "Only this project's facilitators can use /scope here."


async def test_revoking_a_councillor_ends_their_links(bot: TestingAdapter) -> None:
    from tests.challenge_setup import garden

    await garden(bot)  # Jane Doe linked to Fremont Garden
    listed = await bot.say("fran", "/councillors", chat="garden")
    assert "Cllr Jane Doe" in listed[-1].text
    with session_scope(bot.core.engine) as s:
        result = admin.revoke(s, person="Jane Doe", now=bot.core.clock.now())
    assert result["revoked"] == ["councillor"] and result["links_ended"] == 1
    listed = await bot.say("fran", "/councillors", chat="garden")
    assert "Jane Doe" not in listed[-1].text


async def test_catalogue_markers_are_styled_without_values(bot: TestingAdapter) -> None:
    from bot.kernel.context import Work
    from bot.kernel.events import Address
    from bot.kernel.rich import Style

    with session_scope(bot.core.engine) as s:
        Work(bot.core, s, bot.core.clock.now()).send(Address("test", chat_id="dm-rita"), "**Hello**")
    await bot.core.outbox.flush()
    spans = bot.last(user="rita").message.text.spans
    assert [(sp.text, sp.style) for sp in spans] == [("Hello", Style.BOLD)]
