"""What a vote left in a group for everyone to read."""

from __future__ import annotations

from adapters.testing import SentMessage


def public_replies(sent: list[SentMessage], chat: str) -> list[SentMessage]:
    """New messages (not edits) in ``chat`` that everyone there sees."""
    return [m for m in sent if m.to.chat_id == chat and not m.message.edit_of
            and m.message.ephemeral_to is None]
