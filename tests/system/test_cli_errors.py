"""Operational errors on the command line are one line and exit 1; the version; what `make run` installs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENE = """:admin ward add Fremont
:admin invite facilitator --name "Fran Fowler"
:as fran
/start {code}
:in garden
/project Fremont Garden
"""


def ncbot(*args: str, url: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NCBOT_")}
    env["NCBOT_STORAGE__URL"] = url
    return subprocess.run([sys.executable, "-m", "adapters.cli", *args], input=stdin,
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


def one_line(out: subprocess.CompletedProcess[str]) -> str:
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    lines = out.stderr.splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("ncbot: ")
    return lines[0]


@pytest.fixture
def played(tmp_path: Path) -> Path:
    db = tmp_path / "bot.db"
    out = ncbot("console", "--script", "-", "--db", str(db), url="sqlite:///unused.db", stdin=SCENE)
    assert "is registered as a project group" in out.stdout, out.stdout + out.stderr
    return db


@pytest.mark.parametrize("command", [
    ["web"], ["console"], ["console", "--script", "-"], ["export", "challenges", "--project", "1"],
    ["digest", "preview", "--project", "1"], ["admin", "ward", "list"], ["db", "upgrade"],
])
def test_a_database_in_a_folder_that_cannot_exist(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    url = f"sqlite:///{tmp_path / 'a-file' / 'bot.db'}"
    args = [*command, "--db", url] if command[0] == "console" else command
    assert one_line(ncbot(*args, url=url)) == (
        f"ncbot: cannot open the database {url}: unable to open database file")


def test_a_database_that_may_only_be_read(played: Path) -> None:
    url = f"sqlite:///file:{played}?mode=ro&uri=true"
    assert ncbot("admin", "ward", "list", url=url).stdout.strip() == "Fremont"
    line = one_line(ncbot("admin", "ward", "add", "Riverside", url=url))
    assert line == "ncbot: the database failed: attempt to write a readonly database"


def test_an_export_into_a_missing_folder(played: Path, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "folder" / "out.csv"
    line = one_line(ncbot("export", "challenges", "--project", "Fremont Garden",
                          "--output", str(target), url=f"sqlite:///{played}"))
    assert line == f"ncbot: {target}: No such file or directory"


def test_the_version() -> None:
    out = ncbot("--version", url="sqlite:///unused.db")
    assert out.returncode == 0 and re.fullmatch(r"ncbot \d+\.\d+\.\d+\n", out.stdout), out.stdout


def test_make_run_installs_only_what_running_needs() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run_stamp = re.search(r"^run: (\S+)$", makefile, re.M)
    assert run_stamp is not None
    recipe = re.search(rf"^{re.escape(run_stamp[1])}:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe is not None and "pip install" in recipe[1] and "[dev]" not in recipe[1]
    test_stamp = re.search(r"^test: (\S+)$", makefile, re.M)
    assert test_stamp is not None and test_stamp[1] != run_stamp[1]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
