"""Updates in the shapes the Bot API documents (https://core.telegram.org/bots/api#update).

Builders rather than frozen files, so a test says who writes what where; every field name and
nesting is Telegram's own (``from``, ``chat``, ``entities``, ``poll_answer.option_persistent_ids``).
"""

from __future__ import annotations

import itertools
from typing import Any

from tests.telegram.fake_api import BOT_USER

DATE = 1767603600  # 2026-01-05 09:00 UTC, the fake clock's start

PEOPLE = {
    "alice": {"id": 1001, "is_bot": False, "first_name": "Alice", "last_name": "Able",
              "username": "alice", "language_code": "en"},
    "bob": {"id": 1002, "is_bot": False, "first_name": "Bob", "username": "bob"},
    "carol": {"id": 1003, "is_bot": False, "first_name": "Carol"},
    "dan": {"id": 1004, "is_bot": False, "first_name": "Dan", "last_name": "Dee"},
    "jane": {"id": 2001, "is_bot": False, "first_name": "Jane", "last_name": "Doe",
             "username": "cllr_jane"},
    "fiona": {"id": 3001, "is_bot": False, "first_name": "Fiona", "username": "fiona_f"},
}

GROUP_ID = -4001234567  # a basic group: negative id
SUPERGROUP_ID = -1004001234567  # what it becomes when upgraded


class Updates:
    """Makes updates with increasing update_id and message_id, as one bot would receive them."""

    def __init__(self) -> None:
        self._update_ids = itertools.count(500000)
        self._message_ids = itertools.count(1)

    def _update(self, **body: Any) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), **body}

    @staticmethod
    def user(who: str) -> dict[str, Any]:
        return PEOPLE[who]

    @staticmethod
    def private_chat(who: str) -> dict[str, Any]:
        person = PEOPLE[who]
        chat = {"id": person["id"], "type": "private", "first_name": person["first_name"]}
        if "username" in person:
            chat["username"] = person["username"]
        return chat

    @staticmethod
    def group(chat_id: int = GROUP_ID, title: str = "Fremont Garden") -> dict[str, Any]:
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": title}

    def message_body(self, who: str, text: str, chat: dict[str, Any] | None = None,
                     **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": PEOPLE[who],
            "chat": chat or self.private_chat(who),
            "date": DATE,
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        body.update(extra)
        return body

    def message(self, who: str, text: str, chat: dict[str, Any] | None = None,
                **extra: Any) -> dict[str, Any]:
        """``who`` writes ``text`` privately to the bot, or in ``chat``."""
        return self._update(message=self.message_body(who, text, chat, **extra))

    def reply(self, who: str, text: str, chat: dict[str, Any], to: dict[str, Any]) -> dict[str, Any]:
        """A message replying to an earlier one (``to``: the earlier message body)."""
        return self.message(who, text, chat, reply_to_message=to)

    def edited(self, who: str, text: str, chat: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.message_body(who, text, chat, edit_date=DATE + 60)
        return self._update(edited_message=body)

    def callback(self, who: str, data: str, message: dict[str, Any]) -> dict[str, Any]:
        """A press on an inline keyboard button of ``message`` (a message the bot sent)."""
        return self._update(callback_query={
            "id": f"cbq{next(self._message_ids)}",
            "from": PEOPLE[who],
            "message": message,
            "chat_instance": "-7390000000000000001",
            "data": data,
        })

    def poll_answer(self, who: str, poll_id: str, option_ids: list[int]) -> dict[str, Any]:
        return self._update(poll_answer={
            "poll_id": poll_id,
            "user": PEOPLE[who],
            "option_ids": option_ids,
            "option_persistent_ids": [f"opt{i}" for i in option_ids],
        })

    def poll_state(self, poll_id: str, question: str, counts: list[int], *, anonymous: bool = True,
                   closed: bool = False, texts: list[str] | None = None) -> dict[str, Any]:
        texts = texts or [f"Option {i + 1}" for i in range(len(counts))]
        return self._update(poll={
            "id": poll_id,
            "question": question,
            "options": [{"text": t, "voter_count": n, "persistent_id": f"opt{i}"}
                        for i, (t, n) in enumerate(zip(texts, counts, strict=True))],
            "total_voter_count": sum(counts),
            "is_closed": closed,
            "is_anonymous": anonymous,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": True,
            "members_only": False,
        })

    def bot_membership(self, who: str, chat: dict[str, Any], old: str, new: str) -> dict[str, Any]:
        """``who`` changed the bot's status in ``chat`` from ``old`` to ``new`` (left, member...)."""

        def member(status: str) -> dict[str, Any]:
            found: dict[str, Any] = {"user": BOT_USER, "status": status}
            if status == "kicked":
                found["until_date"] = 0
            if status == "administrator":
                found.update(can_be_edited=False, is_anonymous=False, can_manage_chat=True,
                             can_delete_messages=True, can_manage_video_chats=True,
                             can_restrict_members=True, can_promote_members=False,
                             can_change_info=True, can_invite_users=True,
                             can_post_stories=False, can_edit_stories=False,
                             can_delete_stories=False)
            return found

        return self._update(my_chat_member={
            "chat": chat,
            "from": PEOPLE[who],
            "date": DATE,
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        })

    def migrated_to(self, who: str, old: dict[str, Any], new_id: int) -> dict[str, Any]:
        """The service message in the old group when it becomes a supergroup."""
        body = self.message_body(who, "", old, migrate_to_chat_id=new_id)
        del body["text"]
        return self._update(message=body)

    def migrated_from(self, who: str, new: dict[str, Any], old_id: int) -> dict[str, Any]:
        """The service message in the new supergroup, naming the group it was."""
        body = self.message_body(who, "", new, migrate_from_chat_id=old_id)
        del body["text"]
        return self._update(message=body)
