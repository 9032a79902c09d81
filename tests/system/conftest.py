"""Fixtures the system tests share with the Telegram tests."""

from tests.telegram.conftest import api  # noqa: F401 (the fake Bot API on an ephemeral port)
