"""The console script in docs/polls.md plays end to end and says what the docs say."""

from __future__ import annotations

from pathlib import Path

from adapters.console import ConsoleAdapter
from bot.kernel.core import Core

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "polls.ncbot"


async def test_the_documented_poll_script_plays(core: Core) -> None:
    printed: list[str] = []
    console = ConsoleAdapter(core, out=printed.append)
    await console.play(SCRIPT.read_text(encoding="utf-8").splitlines())
    transcript = "\n".join(printed)

    assert "[garden] Poll #1 from Fran Smith:\nWhere should the new bench go?" in transcript
    assert "  (1) 1. By the pond (0)  (2) 2. Under the oak (0)  (3) 3. Near the gate (0)" in (
        transcript
    )
    assert "[garden] Only councillors and facilitators can use /poll." in transcript
    assert "[notice sam] Your vote in poll #1: By the pond." in transcript
    assert "[dm tom] Your vote in poll #1: Near the gate." in transcript
    assert "[garden] (deleted after 10 s) Your vote in poll #1: Under the oak." in transcript
    assert "[garden] Your vote" not in transcript
    # Everyone voted in poll #1 but Fran, who is reminded privately; the group is not.
    assert (
        "[dm fran] Poll #1 in Fremont Community Garden closes Thu 8 Jan at 09:00, and you have "
        "not voted: Where should the new bench go?"
    ) in transcript
    assert "[dm rita] Poll #1 in" not in transcript and "[garden] Poll #1 closes" not in transcript
    assert "[garden] (edited) Poll #1 has closed: Where should the new bench go?" in transcript
    assert (
        "By the pond\n███████░░░ 2 (67%)\n   sam, rita\n"
        "Under the oak\n░░░░░░░░░░ 0 (0%)\n"
        "Near the gate\n███░░░░░░░ 1 (33%)\n   tom\n"
        "3 votes in all.\nMost votes: By the pond."
    ) in transcript
    assert ("[dm fran] Poll #1 in Fremont Community Garden has closed: Where should the new "
            "bench go?") in transcript
    assert ("Also waiting for an outcome: #2 Which day for the planting? (Fremont Community "
            "Garden).") in transcript
    # Two polls wait: Fran chooses which one her message is for, sees it, confirms.
    assert (
        "[dm fran] Which poll is this the outcome of?\n"
        "We will order the bench for the pond and put it in before the spring planting day.\n"
        "  (1) #2 Which day for the planting? (Fremont Community Garden)"
        "  (2) #1 Where should the new bench go? (Fremont Community Garden)"
    ) in transcript
    preview = ("[dm fran] The outcome of poll #1 in Fremont Community Garden (Where should the "
               "new bench go?), as it will be posted:")
    posted = (
        "[garden] What happens next, after poll #1 (Where should the new bench go?):\n"
        "We will order the bench for the pond and put it in before the spring planting day.\n"
        "— Fran Smith"
    )
    assert transcript.index(preview) < transcript.index("fran@dm> :press Confirm") < (
        transcript.index(posted))
    assert "Still waiting for an outcome: #2 Which day for the planting?" in transcript
    assert (
        "[garden] (edited) What happens next, after poll #2 (Which day for the planting?), "
        "corrected:\nPlanting is on Saturday 12 December from 11:00.\n— Fran Smith"
    ) in transcript
    assert transcript.count("What happens next, after poll #2") == 2  # posted, then edited
    assert "(no button" not in transcript and "(admin:" not in transcript
    assert "Sorry, something went wrong" not in transcript


def test_the_docs_show_the_script_as_it_is() -> None:
    doc = (SCRIPT.parent / "polls.md").read_text(encoding="utf-8")
    assert SCRIPT.read_text(encoding="utf-8") in doc
