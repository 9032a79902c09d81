"""People: invites and roles, a person's overview, data rights (/mydata, /forgetme)."""

from __future__ import annotations

from bot.kernel.dispatch import PRIVATE_TEXT
from bot.kernel.routing import PRIVATE, Command, Routes
from bot.people import inbox, invites, privacy, private_text
from bot.people.invites import COUNCILLOR_JOINED, LINK, issue_invite, normalise_code
from bot.people.overview import OverviewPart, person_overview
from bot.people.privacy import PERSON_ERASED

__all__ = ["COUNCILLOR_JOINED", "LINK", "PERSON_ERASED", "OverviewPart", "issue_invite", "normalise_code",
           "person_overview", "register"]


def register(routes: Routes) -> None:
    routes.add_commands(
        Command("start", invites.start_command, "redeem an invite code",
                "/start <code>", "/start K7Q4MZPA2B", chats=PRIVATE),
        Command("inbox", inbox.inbox_command,
                "what waits for you across your projects: challenges, proposals, polls",
                "/inbox [page]", "/inbox", chats=PRIVATE),
        Command("mydata", privacy.mydata_command,
                "get everything I store about you, as a file", "/mydata", "/mydata",
                chats=PRIVATE),
        Command("forgetme", privacy.forgetme_command,
                "erase your name and accounts (your challenges and votes stay, anonymous)",
                "/forgetme", "/forgetme", chats=PRIVATE),
    )
    routes.add_button(privacy.ACTION, privacy.privacy_button)
    routes.add_button(inbox.ACTION, inbox.inbox_button)
    routes.add_hook(PRIVATE_TEXT, private_text.unclaimed_text)
