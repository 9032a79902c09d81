"""The console as a newcomer meets it: sessions on one database, the clock, mistakes, :press."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.console import ConsoleAdapter
from bot.kernel.core import Core

ROOT = Path(__file__).resolve().parents[2]


def console(*args: str, stdin: str, env_db: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NCBOT_")}
    env["NCBOT_STORAGE__URL"] = f"sqlite:///{env_db}"
    return subprocess.run([sys.executable, "-m", "adapters.cli", "console", *args], input=stdin,
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


def test_a_second_session_on_the_same_database_is_heard(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    first = console(stdin=":admin invite facilitator --name Fran\n:as fran\n/start {code}\n",
                    env_db=db)
    assert "Welcome, Fran" in first.stdout, first.stdout + first.stderr
    second = console(stdin=":as fran\n/help\n", env_db=db)
    assert "[dm fran] " in second.stdout, second.stdout + second.stderr


def test_the_clock_moves_in_the_interactive_console(tmp_path: Path) -> None:
    out = console(stdin=":who\n:clock +3d\n:who\n", env_db=tmp_path / "bot.db")
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    clocks = [line.split("clock ", 1)[1] for line in out.stdout.split("> ") if "(you are" in line]
    assert len(clocks) == 2 and clocks[0] != clocks[1]
    assert "(clock: " in out.stdout


def test_a_script_plays_on_a_throwaway_database_unless_one_is_named(tmp_path: Path) -> None:
    configured, named = tmp_path / "bot.db", tmp_path / "named.db"
    played = console("--script", "-", stdin=":admin ward add Fremont\n", env_db=configured)
    assert "Ward added: Fremont" in played.stdout, played.stderr
    assert not configured.exists()
    console("--script", "-", "--db", str(named), stdin=":admin ward add Fremont\n",
            env_db=configured)
    again = console("--script", "-", "--db", str(named), stdin=":admin ward list\n",
                    env_db=configured)
    assert "(admin) Fremont" in again.stdout, again.stdout


async def play(core: Core, *lines: str) -> list[str]:
    printed: list[str] = []
    await ConsoleAdapter(core, out=printed.append).play(lines)
    return [line for line in printed if "> " not in line.split("\n", 1)[0]]


@pytest.mark.parametrize(("line", "said"), [
    (":admin", "(admin: the following arguments are required: COMMAND)"),
    (":admin invite councillor", "(admin invite councillor: the following arguments are "
                                 "required: --name)"),
    (":admin ward add \"Fremont", "(admin: No closing quotation)"),
    (":admin invite councillor --name X --ward Atlantis", "(admin: unknown ward 'Atlantis'"),
    (":frobnicate", "(no console command 'frobnicate'; :help lists them)"),
    (":as", "(usage: :as <person>)"),
    (":press", "(usage: :press <n or text>, or :press #3 <n or text>)"),
    (":clock soon", "(usage: :clock +30m | +2h | +3d | +1w)"),
])
async def test_console_mistakes_get_one_line(core: Core, line: str, said: str) -> None:
    printed = await play(core, line)
    assert len(printed) == 1 and "\n" not in printed[0], printed
    assert printed[0].startswith(said)


async def test_help_lists_the_console_commands(core: Core) -> None:
    printed = await play(core, ":help")
    assert printed[0].startswith("Console commands:") and ":press #3" in printed[0]


SCENE = [
    ":admin ward add Fremont",
    ':admin invite councillor --name "Jane Doe" --ward Fremont',
    ":as jane", "/start {code}",
    ':admin invite facilitator --name "Fran Fowler"',
    ":as fran", "/start {code}", ":in garden", "/project Fremont Garden", "/ward Fremont",
    ":as kim", "hello", ":as lee", "hi", ":as max", "hey",
    ":as jane", ":dm", ":press Accept",
    ":as kim", ":in garden", "/challenge The bus stop moved",
    ":as lee", "/challenge The path floods",
]


async def test_press_names_the_message_about_a_challenge(core: Core) -> None:
    printed = await play(core, *SCENE, ":as jane", ":dm", ":press #1 Acknowledge",
                         ":press #2 Acknowledge", ":press #7 Acknowledge", ":press #1")
    told = "\n".join(printed)
    assert "Acknowledged #1 in Fremont Garden" in told
    assert "Acknowledged #2 in Fremont Garden" in told
    assert "(no message with buttons about #7 in dm jane)" in told
    assert printed[-1].startswith("(which button? they are: ")
