"""The council officer's commands behind ``ncbot admin`` (wards, invites, people, the outbox)."""

from __future__ import annotations

from bot.admin import operations, outbox
from bot.admin.operations import AdminError

__all__ = ["AdminError", "operations", "outbox"]
