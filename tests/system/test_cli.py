"""The command line as a process: help, config check, admin commands, console scripts, the demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def ncbot(*args: str, db: Path, stdin: str | None = None, env: dict[str, str] | None = None,
          cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("NCBOT_")}
    full_env["NCBOT_STORAGE__URL"] = f"sqlite:///{db}"
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        input=stdin, capture_output=True, text=True, env=full_env, cwd=cwd or ROOT, timeout=120,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


def test_help_lists_the_commands(db: Path) -> None:
    out = ncbot("--help", db=db)
    assert out.returncode == 0
    for word in ("run", "console", "demo", "config", "db", "admin"):
        assert word in out.stdout


def test_config_check(db: Path, tmp_path: Path) -> None:
    ok = ncbot("config", "check", str(ROOT / "config.example.toml"), db=db)
    assert ok.returncode == 0 and "OK" in ok.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text("[challenges]\nremind_after_hours = -1\n")
    out = ncbot("config", "check", str(bad), db=db)
    assert out.returncode == 2
    assert out.stderr.startswith("ncbot: config error: challenges.remind_after_hours:")
    assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1


def test_bad_environment_fails_run_at_start(db: Path) -> None:
    out = ncbot("run", db=db, env={"NCBOT_HTTP__PORT": "99999"})
    assert out.returncode == 2 and "http.port" in out.stderr


def test_admin_round_trip_with_json(db: Path) -> None:
    assert ncbot("db", "upgrade", db=db).returncode == 0
    added = ncbot("admin", "ward", "add", "Fremont", "--json", db=db)
    assert json.loads(added.stdout)["name"] == "Fremont"
    again = ncbot("admin", "ward", "add", "fremont", db=db)
    assert again.returncode == 1 and "exists already" in again.stderr
    inv = json.loads(ncbot("admin", "invite", "councillor", "--name", "Jane Doe", "--ward", "Fremont",
                           "--portfolio", "Housing", "--json", db=db).stdout)
    assert len(inv["code"]) == 10 and inv["role"] == "councillor"
    people = json.loads(ncbot("admin", "people", "--json", db=db).stdout)
    assert people[0]["name"] == "Jane Doe" and people[0]["wards"] == ["Fremont"]
    assert people[0]["portfolios"] == ["housing"] and people[0]["roles"] == []
    unknown = ncbot("admin", "invite", "councillor", "--name", "X", "--ward", "Atlantis", db=db)
    assert unknown.returncode == 1 and "unknown ward 'Atlantis'" in unknown.stderr
    assert json.loads(ncbot("admin", "projects", "--json", db=db).stdout) == []


def test_console_script_registers_a_project(db: Path) -> None:
    script = "\n".join([
        ":admin invite facilitator --name \"Fran Smith\"",
        ":as fran",
        "/start {code}",
        ":in garden",
        "/project Fremont Garden",
        "/scope Redesign the allotments with residents",
        ":as rita",
        "/scope Something else",
    ])
    out = ncbot("console", "--script", "-", db=db, stdin=script)
    assert out.returncode == 0, out.stderr
    lines = out.stdout
    assert "fran@dm> /start {code}" in lines
    assert "[dm fran] Welcome, Fran Smith. You are registered as a facilitator." in lines
    assert "[garden] Fremont Garden is registered as a project group." in lines
    assert "[garden] Scope of Fremont Garden set:\nRedesign the allotments with residents" in lines
    assert "rita@garden> /scope Something else\n[garden] Only this project's facilitators" in lines


def test_console_press_and_clock_commands_answer(db: Path) -> None:
    out = ncbot("console", "--script", "-", db=db, stdin=":press 1\n:clock +1d\n:clock soon\n:who\n")
    assert "(no message with buttons in dm you)" in out.stdout
    assert "(clock: " in out.stdout and "(usage: :clock" in out.stdout
    assert "(you are you, in dm you;" in out.stdout


def test_demo_plays_to_the_end(db: Path) -> None:
    out = ncbot("demo", db=db)
    assert out.returncode == 0, out.stderr
    assert "is registered as a project group" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_backup_copies_the_database(db: Path, tmp_path: Path) -> None:
    ncbot("admin", "ward", "add", "Fremont", db=db)
    target = tmp_path / "backup.db"
    out = ncbot("db", "backup", str(target), db=db)
    assert out.returncode == 0, out.stderr
    copy = ncbot("admin", "ward", "list", "--json", db=target)
    assert json.loads(copy.stdout) == [{"id": 1, "name": "Fremont"}]
    again = ncbot("db", "backup", str(target), db=db)
    assert again.returncode == 1 and "exists already" in again.stderr


SCENARIO = """
:admin ward add Fremont
:admin invite councillor --name "Jane Doe" --ward Fremont
:as jane
/start {code}
:admin invite facilitator --name "Fran Smith"
:as fran
/start {code}
:in garden
/project Fremont Garden
/ward Fremont
:as rita
hello
:as sam
hi
:as tom
hey
:as jane
:dm
:press Accept
:as rita
:in garden
/challenge Move the bus stop back, "now"
:as jane
:dm
/answer 1 forward I will raise it with the transport cabinet member.
"""


def test_export_figures_and_digest_preview_on_a_played_scenario(db: Path, tmp_path: Path) -> None:
    # the preview reads "now" from the real clock, so the scenario happens an hour ago
    start = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
    played = ncbot("console", "--script", "-", "--start", start.isoformat(), "--db", str(db),
                   db=db, stdin=SCENARIO)
    assert "[garden] Answer to scope challenge #1" in played.stdout, played.stdout
    csv_out = ncbot("export", "challenges", "--project", "Fremont Garden", "--format", "csv", db=db)
    assert csv_out.returncode == 0, csv_out.stderr
    header, row = csv_out.stdout.splitlines()[:2]
    assert header.startswith("number,raised_at,raised_by,text,comment,status")
    assert row.startswith(f'1,{start.isoformat()},rita,"Move the bus stop back, ""now""",,answered')
    js = json.loads(ncbot("export", "challenges", "--project", "1", "--format", "json", db=db).stdout)
    assert js[0]["outcome"] == "taken forward" and js[0]["answered_by"] == "Jane Doe"
    target = tmp_path / "out.csv"
    written = ncbot("export", "challenges", "--project", "1", "--output", str(target), db=db)
    assert "1 challenge written" in written.stdout and target.read_text().startswith("number,")
    figures = json.loads(ncbot("admin", "councillors", "--json", db=db).stdout)
    assert figures[0]["name"] == "Jane Doe" and figures[0]["answered"] == 1
    assert figures[0]["wards"] == ["Fremont"]
    preview = ncbot("digest", "preview", "--person", "Jane Doe", db=db)
    assert preview.returncode == 0, preview.stderr
    assert "Move the bus stop back" in preview.stdout
    missing = ncbot("digest", "preview", "--person", "Nobody", db=db)
    assert missing.returncode == 1 and missing.stderr.startswith("ncbot: no person 'Nobody'")


def test_run_says_when_the_http_port_is_taken(db: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = ncbot("run", db=db, env={"NCBOT_HTTP__PORT": str(port),
                                       "NCBOT_TELEGRAM__TOKEN": "123456:AAHreal-looking-token",
                                       "NCBOT_TELEGRAM__API_BASE_URL": "http://127.0.0.1:9/bot"})
    assert out.returncode == 1
    last = out.stderr.strip().splitlines()[-1]  # after the start-up log lines
    assert last.startswith(f"ncbot: cannot serve HTTP on 127.0.0.1:{port}: ")
    assert "Traceback" not in out.stderr


POLLS_SCENARIO = """
:admin invite facilitator --name "Fran Smith"
:as fran
/start {code}
:in garden
/project Fremont Garden
/poll Where should the bench go? | By the pond | "Under the oak, by the gate"
:as rita
/vote 1 2
:as fran
/closepoll 1
"""


def test_export_polls(db: Path) -> None:
    played = ncbot("console", "--script", "-", "--db", str(db), db=db, stdin=POLLS_SCENARIO)
    assert "Results of poll #1" in played.stdout, played.stdout
    csv_out = ncbot("export", "polls", "--project", "Fremont Garden", "--format", "csv", db=db)
    assert csv_out.returncode == 0, csv_out.stderr
    lines = csv_out.stdout.splitlines()
    assert lines[0].startswith("poll,question,status,anonymous,multiple,hide_results,")
    assert lines[2].startswith('1,Where should the bench go?,closed,False,False,False,')
    assert ',2,"Under the oak, by the gate",1,rita,' in lines[2]
    js = json.loads(ncbot("export", "polls", "--project", "1", "--format", "json", db=db).stdout)
    assert js[0]["options"][1] == {"position": 2, "text": "Under the oak, by the gate",
                                   "votes": 1, "voters": ["rita"]}
