"""Exceptions a handler raises to refuse an action with a message (nothing is changed)."""

from __future__ import annotations

from typing import Any

from bot.kernel.rich import Rich, render


class Refusal(Exception):
    """The action is refused; ``message`` is shown to the person and the transaction rolled back."""

    def __init__(self, template: str | Rich, **values: Any) -> None:
        self.message = template if isinstance(template, Rich) else render(template, **values)
        super().__init__(self.message.text)


class UsageError(Refusal):
    """The command was given wrong arguments: the command's usage is shown."""

    def __init__(self, detail: str | Rich | None = None) -> None:
        self.detail = detail
        Exception.__init__(self, (detail.text if isinstance(detail, Rich) else detail) or "usage")
        self.message = Rich()


class DatabaseUnavailable(Exception):
    """The database could not be used (locked by another process, full, unreachable): nothing
    was stored, so the platform must not be told the event arrived; it should come again."""

    def __init__(self, cause: str) -> None:
        self.cause = cause
        super().__init__(cause)
