"""Data rights: /mydata sends a person everything stored about them, /forgetme erases them.

Erasure keeps the democratic record (challenges, answers, vote counts) and removes who the
person was: their name, their platform accounts, their roles, and the link from their named
votes; see storage/repo/privacy.py for what happens to each table.
"""

from __future__ import annotations

import json
import logging

from bot.kernel import texts as K
from bot.kernel.context import Ctx, chat_address
from bot.kernel.errors import Refusal
from bot.kernel.events import Attachment, Button
from bot.kernel.rich import render
from bot.people import texts as T
from bot.polls import mix_after_commit, scrub_after_commit
from storage.repo import ballots, personal_data, privacy

log = logging.getLogger(__name__)

ACTION = "privacy"
# Hooked by features that show the person's name in messages already sent (a challenge's card),
# called with (ctx, person_id) once the name is gone.
PERSON_ERASED = "person.erased"


def export(ctx: Ctx) -> Attachment:
    """The person's data as a JSON file."""
    record = personal_data.person_record(ctx.session, person_id=ctx.person_id)
    record["exported_at"] = ctx.now.isoformat(timespec="seconds")
    record["about"] = {
        table: {"section": section, "on_erasure": what}
        for table, (section, what) in privacy.PERSONAL_TABLES.items()
    }
    content = json.dumps(record, indent=2, ensure_ascii=False).encode("utf-8")
    return Attachment(T.MYDATA_FILENAME.format(day=ctx.today.isoformat()), content)


async def mydata_command(ctx: Ctx, args: str) -> None:
    ctx.send(chat_address(ctx.chat), render(T.MYDATA_SENT), attachment=export(ctx))


async def forgetme_command(ctx: Ctx, args: str) -> None:
    buttons = [[
        Button(T.FORGET_BUTTON_CONFIRM, f"{ACTION}:forget:{ctx.person_id}"),
        Button(T.FORGET_BUTTON_CANCEL, f"{ACTION}:cancel:{ctx.person_id}"),
    ]]
    ctx.reply(render(T.FORGET_ASK), buttons)


async def privacy_button(ctx: Ctx, parts: list[str]) -> None:
    """Confirm or cancel an erasure; only the person who asked, in their private chat."""
    if len(parts) != 2 or parts[0] not in ("forget", "cancel") or not parts[1].isdigit():
        raise Refusal(K.STALE_BUTTON)
    if int(parts[1]) != ctx.person_id:
        # Also what an erased person sees pressing Confirm again: they are someone new now.
        raise Refusal(K.STALE_BUTTON if ctx.is_private else T.FORGET_NOT_YOURS)
    if not ctx.is_private:
        raise Refusal(T.FORGET_NOT_YOURS)
    if parts[0] == "cancel":
        ctx.reply(render(T.FORGET_CANCELLED))
        return
    where = chat_address(ctx.chat)
    counts = privacy.erase_person(ctx.session, person_id=ctx.person_id, now=ctx.now)
    # Their named votes now wait as ballots without a name: mixed with the next batch, or at
    # once where the poll has closed; either way the log of this erasure is scrubbed after it.
    mix_after_commit(ctx, ballots.closed_polls_waiting(ctx.session))
    scrub_after_commit(ctx)
    log.info("person %s erased at their request (%s rows)", ctx.person_id, sum(counts.values()))
    for callback in ctx.core.routes.hooked(PERSON_ERASED):
        await callback(ctx, ctx.person_id)
    ctx.send(where, render(T.FORGET_DONE))
