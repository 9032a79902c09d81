"""Every numeric config key has a range; a value outside it fails with one line naming the key."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.kernel.config import ConfigError, Settings, load_settings, numeric_range
from tests.system.test_cli import ncbot


def numeric_keys() -> Iterator[tuple[str, str]]:
    for section, field in Settings.model_fields.items():
        model = field.annotation
        assert model is not None
        for key, sub in model.model_fields.items():  # type: ignore[union-attr]
            if sub.annotation in (int, float):
                yield section, key


NUMERIC = list(numeric_keys())


def test_the_numeric_keys_are_found() -> None:
    assert ("invites", "expire_days") in NUMERIC and ("http", "port") in NUMERIC
    assert len(NUMERIC) >= 10


@pytest.mark.parametrize(("section", "key"), NUMERIC, ids=[f"{s}.{k}" for s, k in NUMERIC])
def test_every_numeric_key_has_a_range(tmp_path: Path, section: str, key: str) -> None:
    low, high = numeric_range(section, key)  # raises StopIteration for a key without bounds
    default = getattr(getattr(Settings(), section), key)
    assert low <= default <= high
    path = tmp_path / "c.toml"
    for good in (low, high):
        path.write_text(f"[{section}]\n{key} = {good}\n")
        assert getattr(getattr(load_settings(path, environ={}), section), key) == good
    for bad in (low - 1, high + 1, 100000000):
        path.write_text(f"[{section}]\n{key} = {bad}\n")
        with pytest.raises(ConfigError) as err:
            load_settings(path, environ={})
        assert str(err.value) == f"{section}.{key}: {bad} is out of range (from {low} to {high})"
    # The same from the environment, where every value arrives as text.
    env = {f"NCBOT_{section.upper()}__{key.upper()}": str(high + 1)}
    with pytest.raises(ConfigError, match=rf"^{section}\.{key}: {high + 1} is out of range"):
        load_settings(None, environ=env)


@pytest.mark.parametrize("key", ["default_duration", "remind_before"])
def test_durations_have_a_range_too(tmp_path: Path, key: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(f'[polls]\n{key} = "9999w"\n')
    with pytest.raises(ConfigError, match=rf"^polls\.{key}: '9999w' is longer than 365 days$"):
        load_settings(path, environ={})


def test_config_check_names_the_key_of_a_huge_number(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[invites]\nexpire_days = 100000000\n")
    out = ncbot("config", "check", str(bad), db=tmp_path / "x.db")
    assert out.returncode == 2
    assert out.stderr == ("ncbot: config error: invites.expire_days: 100000000 is out of range "
                          "(from 1 to 365)\n")


def test_the_longest_invite_works(tmp_path: Path) -> None:
    """The top of the range is usable: an invite that lasts the longest allowed time."""
    env = {"NCBOT_INVITES__EXPIRE_DAYS": "365"}
    db = tmp_path / "cli.db"
    out: subprocess.CompletedProcess[str] = ncbot(
        "admin", "invite", "facilitator", "--name", "Fran Smith", "--json", db=db, env=env)
    assert out.returncode == 0, out.stderr
    invite = json.loads(out.stdout)
    assert invite["expires_at"] > "2026"
