"""The console script in docs/challenges.md plays end to end and says what the docs say."""

from __future__ import annotations

import re
from pathlib import Path

from adapters.console import ConsoleAdapter
from bot.kernel.core import Core

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "challenges.ncbot"


async def test_the_documented_script_plays_the_whole_lifecycle(core: Core) -> None:
    printed: list[str] = []
    console = ConsoleAdapter(core, out=printed.append)
    await console.play(SCRIPT.read_text(encoding="utf-8").splitlines())
    transcript = "\n".join(printed)

    assert "[garden] Cllr Jane Doe (Fremont ward) is now linked to this project." in transcript
    assert "[dm jane] Scope challenge #1 — Fremont Garden" in transcript
    assert "[notice lee] Thank you: your support for #1 is counted." in transcript
    assert ("[dm jane] Scope challenges waiting for you (1 new since my last message):\n"
            "• #1 in Fremont Garden: not acknowledged after 2 days.") in transcript
    assert "• #1 in Fremont Garden, escalated to you: no answer after 7 days" in transcript
    assert re.search(r"\nReminded Cllr Jane Doe on \w{3} \d+ \w{3}; escalated to the ward's "
                     r"councillors and the facilitators on \w{3} \d+ \w{3}\.\n", transcript)
    assert "[dm kim] Your scope challenge #1 in Fremont Garden has had no answer for 7 days" in (
        transcript)
    assert (
        "[garden] Answer to scope challenge #1 from Cllr Jane Doe — taken forward:\n"
        "I will put the stop on the agenda of the transport committee on 4 May" in transcript
    )
    assert "[garden] Scope challenge #2 raised by lee:\nThe path from the car park floods" in (
        transcript
    )
    assert "[dm kim] Thank you. I have noted that #1 was answered." in transcript
    assert "[dm lee] I have reopened #2 and told Cllr Jane Doe." in transcript
    assert "#2 reopened, awaiting an answer" in transcript
    assert "• Cllr Jane Doe (Fremont ward) — answers in" in transcript
    assert "(no button" not in transcript and "(admin:" not in transcript
    assert "Sorry, something went wrong" not in transcript


def test_the_docs_show_the_script_as_it_is() -> None:
    doc = (SCRIPT.parent / "challenges.md").read_text(encoding="utf-8")
    assert SCRIPT.read_text(encoding="utf-8") in doc


async def test_the_demo_raises_answers_and_follows_up_a_challenge(core: Core) -> None:
    from adapters.cli import DEMO_SCRIPT

    printed: list[str] = []
    await ConsoleAdapter(core, out=printed.append).play(
        DEMO_SCRIPT.read_text(encoding="utf-8").splitlines()
    )
    transcript = "\n".join(printed)
    assert "[dm jane] Scope challenge #1 — Fremont Community Garden" in transcript
    assert "[garden] Answer to scope challenge #1 from Cllr Jane Doe — taken forward:" in (
        transcript
    )
    assert "[dm sam] Thank you. I have noted that #1 was answered." in transcript
    assert "(no button" not in transcript
