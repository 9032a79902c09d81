"""Configuration: the example parses and documents every key; each kind of bad value fails clearly."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.kernel.config import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config.example.toml"


def test_example_parses_to_the_defaults() -> None:
    assert load_settings(EXAMPLE, environ={}) == Settings()


def test_example_documents_every_key() -> None:
    text = EXAMPLE.read_text()
    data = tomllib.loads(text)
    for section, model in Settings.model_fields.items():
        assert section in data, f"[{section}] missing from config.example.toml"
        sub = model.annotation
        assert sub is not None
        for key in sub.model_fields:  # type: ignore[union-attr]
            # secrets are documented as comments (they may not be set in the file)
            assert key in data[section] or f"{key}" in text, f"{section}.{key} undocumented"


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[activity]\nmin_participants = 4\n")
    s = load_settings(path, environ={"NCBOT_ACTIVITY__MIN_PARTICIPANTS": "7"})
    assert s.activity.min_participants == 7


def test_secret_read_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("123456:AAHf-realistic-token\n")
    path = tmp_path / "c.toml"
    path.write_text(f'[telegram]\ntoken_file = "{secret}"\n')
    s = load_settings(path, environ={})
    assert s.telegram.token == "123456:AAHf-realistic-token"
    assert s.telegram_enabled


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ('[activity]\nmin_participants = "many"\n', {}, "activity.min_participants:"),
        ("[activity]\nmin_participants = 0\n", {}, "activity.min_participants:"),
        ('[bot]\ntimezone = "Mars/Olympus"\n', {}, "bot.timezone: unknown time zone"),
        ('[bot]\ncolour = "red"\n', {}, "bot.colour: unknown key"),
        ('[telegram]\ntoken = "123:abc"\n', {}, "telegram.token: secrets may not be written"),
        ("", {"NCBOT_SLACK__BOT_TOKEN": "xoxb-xxxx"}, "slack.bot_token: looks like a placeholder"),
        ('[polls]\ndefault_duration = "soon"\n', {}, "polls.default_duration:"),
        ('[digests]\ncouncillor_default = "hourly"\n', {}, "digests.councillor_default:"),
        ('[storage]\nurl = "mysql://x"\n', {}, "storage.url:"),
        ('[challenges]\nchase_time = "25:00"\n', {}, "challenges.chase_time:"),
        ('[challenges]\nchase_days = ["someday"]\n', {}, "challenges.chase_days:"),
        ("[challenges]\nchase_days = []\n", {}, "challenges.chase_days:"),
        ('[telegram]\nmode = "carrier-pigeon"\n', {}, "telegram.mode:"),
        ('[web]\npublic_url = "record.example.org"\n', {}, "web.public_url:"),
        ("not toml at all [", {}, "not valid TOML"),
    ],
)
def test_bad_values_fail_with_the_key(tmp_path: Path, toml: str, env: dict[str, str], message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ=env)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(tmp_path / "absent.toml", environ={})


def test_unreadable_secret_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[slack]\nbot_token_file = "/nonexistent/token"\n')
    with pytest.raises(ConfigError, match=r"slack\.bot_token_file: cannot read"):
        load_settings(path, environ={})
