"""`ncbot export polls`: per-option totals, names only in named polls, nothing early or withdrawn."""

from __future__ import annotations

import json

from adapters.testing import TestingAdapter
from bot.polls import export_polls, flat_rows
from storage.db import session_scope
from tests.polls.test_polls import LINE, garden


async def test_export_gives_totals_and_keeps_secrets(bot: TestingAdapter) -> None:
    project_id = await garden(bot)
    await bot.say("fran", LINE + " --closes 2d", chat="garden")  # 1: named, closed below
    await bot.say("fran", "/poll Secret? | Yes | No --anonymous", chat="garden")  # 2: stays open
    await bot.say("fran", "/poll Secret too? | Yes | No --anonymous", chat="garden")  # 3: closed
    await bot.say("fran", "/poll Typo? | A | B", chat="garden")  # 4: withdrawn
    for user, line in (("rita", "/vote 1 2"), ("sam", "/vote 1 2"), ("tom", "/vote 1 1"),
                       ("rita", "/vote 2 1"), ("rita", "/vote 3 2"), ("sam", "/vote 3 2"),
                       ("sam", "/vote 4 1")):
        await bot.say(user, line, chat="garden")
    await bot.say("fran", "/closepoll 1", chat="garden")
    await bot.say("fran", "/outcome 1 The bench goes under the oak.", chat="garden")
    await bot.say("fran", "/closepoll 3", chat="garden")
    await bot.say("fran", "/cancelpoll 4 Posted by mistake.", chat="garden")
    with session_scope(bot.core.engine) as s:
        exported = export_polls(s, project_id=project_id)
    named, open_secret, secret, withdrawn = exported
    assert [o["votes"] for o in named["options"]] == [1, 2, 0]
    assert named["options"][1]["voters"] == ["Rita", "Sam"]
    assert named["status"] == "closed" and named["outcome"] == "The bench goes under the oak."
    assert named["voters"] == 3
    # An open anonymous poll: no totals yet, as on its card; and never any names.
    assert open_secret["status"] == "open" and open_secret["voters"] is None
    assert [o["votes"] for o in open_secret["options"]] == [None, None]
    assert [o["votes"] for o in secret["options"]] == [0, 2] and secret["voters"] == 2
    for poll in (open_secret, secret):
        assert all("voters" not in o for o in poll["options"])
    text = json.dumps([open_secret, secret])
    assert "Rita" not in text and "Sam" not in text
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["withdrawn_reason"] == "Posted by mistake."
    assert [o["votes"] for o in withdrawn["options"]] == [None, None]
    assert withdrawn["options"][0]["voters"] is None
    rows = flat_rows(exported)
    assert len(rows) == 3 + 2 + 2 + 2
    assert rows[1]["option"] == "Under the oak" and rows[1]["votes"] == 2
    assert rows[1]["voter_names"] == "Rita; Sam" and rows[1]["poll"] == 1
    assert rows[5]["voter_names"] is None and rows[5]["status"] == "closed"
