"""A fake Telegram Bot API on an ephemeral port: records calls, serves updates, injects faults.

It speaks ``/bot<TOKEN>/<method>`` with form, multipart or JSON bodies and answers
``{"ok": ..., "result": ...}`` as Telegram does, so the real python-telegram-bot drives it.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Networked Councillor",
    "username": "ncbot_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": True,
    "supports_inline_queries": False,
}
_TAG = re.compile(r"<[^>]+>")
_TEXTS = ("text", "caption", "question")
WAIT_LIMIT = 20.0  # seconds before a wait gives up and fails the test (a guard, not a timing)


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    status: int = 200
    result: Any = None
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = 0.0  # when it arrived, by the flood limits' clock (``FakeBotApi.limit``)

    @property
    def chat_id(self) -> str | None:
        value = self.params.get("chat_id")
        return None if value is None else str(value)

    @property
    def text(self) -> str:
        """The text as a Telegram user sees it (HTML parsed)."""
        return html.unescape(_TAG.sub("", str(self.params.get("text") or self.params.get("caption") or "")))

    @property
    def html(self) -> str:
        return str(self.params.get("text") or "")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        markup = self.params.get("reply_markup") or {}
        return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
                for b in row]

    def button(self, label: str) -> str:
        for text, data in self.buttons:
            if label.lower() in text.lower():
                return data
        raise KeyError(f"no button {label!r} in {self.buttons}")

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Fault:
    method: str
    status: int
    description: str
    retry_after: int | None = None
    times: int = 1
    chat_id: str | None = None
    migrate_to_chat_id: int | None = None


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


class FakeBotApi:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[ApiCall] = []
        self.updates: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.delays: dict[str, float] = {}  # method -> seconds before answering (a slow API)
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[str, list[dict[str, str]]] = {}
        self._changed = asyncio.Condition()
        self._message_ids = itertools.count(100)
        self._poll_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._clock: Callable[[], float] | None = None
        self._per_second = 0
        self._group_per_minute = 0
        self.port = 0

    # ---- running ---------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        async with self._changed:
            self._closing = True  # a waiting long poll answers now, not at its timeout
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # ---- driving -----------------------------------------------------------------------------------

    def next_update_id(self) -> int:
        return next(self._update_ids)

    async def push(self, update: dict[str, Any]) -> None:
        """An update for the next getUpdates (polling mode)."""
        async with self._changed:
            self.updates.append(update)
            self._changed.notify_all()

    def fail(self, method: str, status: int, description: str, *, retry_after: int | None = None,
             times: int = 1, chat_id: str | int | None = None,
             migrate_to_chat_id: int | None = None) -> None:
        """The next ``times`` calls of ``method`` (to ``chat_id``, if given) fail like this."""
        self.faults.append(Fault(method, status, description, retry_after, times,
                                 None if chat_id is None else str(chat_id), migrate_to_chat_id))

    def limit(self, clock: Callable[[], float], *, per_second: int = 30,
              group_per_minute: int = 20) -> None:
        """Enforce Telegram's flood limits by ``clock``: at most ``per_second`` messages in any
        second, ``group_per_minute`` to one group in any minute; beyond, 429 with retry_after."""
        self._clock = clock
        self._per_second = per_second
        self._group_per_minute = group_per_minute

    def _flood_wait(self, call: ApiCall) -> int | None:
        """Seconds until ``call`` would be allowed, by the rolling windows; None: allowed now."""
        if self._clock is None or call.chat_id is None or call.method == "getUpdates":
            return None
        now = call.at = self._clock()
        accepted = [c for c in self.calls if c.ok and c.chat_id is not None
                    and c.method != "getUpdates"]
        waits = []
        last_second = [c.at for c in accepted if c.at > now - 1]
        if len(last_second) >= self._per_second:
            waits.append(last_second[-self._per_second] + 1 - now)
        if int(call.chat_id) < 0:
            last_minute = [c.at for c in accepted if c.chat_id == call.chat_id and c.at > now - 60]
            if len(last_minute) >= self._group_per_minute:
                waits.append(last_minute[-self._group_per_minute] + 60 - now)
        return math.ceil(max(waits)) if waits else None

    def sent(self, method: str = "sendMessage", *, chat_id: str | int | None = None,
             ok: bool | None = True) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method
                and (chat_id is None or c.chat_id == str(chat_id))
                and (ok is None or c.ok == ok)]

    async def wait_for(self, check: Callable[[], bool]) -> None:
        """Until ``check()`` holds (re-checked after every call); fails the test after a while."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(check), WAIT_LIMIT)

    async def wait_sent(self, method: str = "sendMessage", *, chat_id: str | int | None = None,
                        count: int = 1, ok: bool | None = True) -> list[ApiCall]:
        await self.wait_for(lambda: len(self.sent(method, chat_id=chat_id, ok=ok)) >= count)
        return self.sent(method, chat_id=chat_id, ok=ok)

    # ---- the API -----------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params, files = await self._params(request)
        call = ApiCall(method, params, files=files)
        flood = self._flood_wait(call)
        fault = self._fault(method, call.chat_id) if flood is None else Fault(
            method, 429, f"Too Many Requests: retry after {flood}", retry_after=flood)
        if fault is not None:
            call.status = fault.status
            body: dict[str, Any] = {"ok": False, "error_code": fault.status,
                                    "description": fault.description}
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            if fault.migrate_to_chat_id is not None:
                body["parameters"] = {"migrate_to_chat_id": fault.migrate_to_chat_id}
            await self._record(call)
            return web.json_response(body, status=fault.status)
        if method == "getUpdates":
            await self._record(call)  # seen on arrival: a long poll may wait a while to answer
            call.result = await self._get_updates(params)
            return web.json_response({"ok": True, "result": call.result})
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            call.status = 404
            await self._record(call)
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        result: Any = handler(params)  # carried out on arrival, as Telegram does
        call.result = result
        await self._record(call)
        if self.delays.get(method):
            await self._answer_late(self.delays[method])
        return web.json_response({"ok": True, "result": result})

    async def _answer_late(self, seconds: float) -> None:
        """Hold the answer for ``seconds``; cut short when the server stops."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: self._closing), seconds)
            except TimeoutError:
                pass

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, bytes] = {}
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = value.file.read()
                    params[key] = value.filename
                else:
                    params[key] = value
        # Text stays text ("123" is a message, not a number); the rest arrives JSON-encoded.
        decoded = {k: v if k in _TEXTS or not isinstance(v, str) else _decode(v)
                   for k, v in params.items()}
        return decoded, files

    def _fault(self, method: str, chat_id: str | None) -> Fault | None:
        for fault in self.faults:
            if fault.method == method and fault.chat_id in (None, chat_id):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    async def _record(self, call: ApiCall) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)

        def pending() -> list[dict[str, Any]]:
            return [u for u in self.updates if u["update_id"] >= offset]

        async with self._changed:
            self.updates = pending()  # an offset confirms everything before it
            if not self.updates and timeout:
                try:
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(pending()) or self._closing), timeout)
                except TimeoutError:
                    pass
            return pending()[: int(params.get("limit") or 100)]

    # ---- methods -----------------------------------------------------------------------------------

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        cid = int(chat_id)
        if cid > 0:
            return {"id": cid, "type": "private", "first_name": "Someone"}
        kind = "supergroup" if str(cid).startswith("-100") else "group"
        return {"id": cid, "type": kind, "title": "A group"}

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"message_id": next(self._message_ids), "date": 1767603600,
                "chat": self._chat(params["chat_id"]), "from": BOT_USER, **extra}

    def _api_getMe(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    def _api_setMyCommands(self, params: dict[str, Any]) -> Any:
        scope = (params.get("scope") or {}).get("type", "default")
        self.commands[scope] = params.get("commands") or []
        return True

    def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = params
        return True

    def _api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                "pending_update_count": 0}

    def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        return self._message(params, text=html.unescape(_TAG.sub("", str(params["text"]))))

    def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        return {**self._message(params, text=html.unescape(_TAG.sub("", str(params["text"])))),
                "message_id": int(params["message_id"]), "edit_date": 1767603700}

    def _api_sendDocument(self, params: dict[str, Any]) -> Any:
        doc = {"file_id": "doc-1", "file_unique_id": "u-doc-1", "file_name": params["document"]}
        return self._message(params, document=doc)

    def _api_sendPoll(self, params: dict[str, Any]) -> Any:
        return self._message(params, poll=self._poll(params, closed=False))

    def _api_stopPoll(self, params: dict[str, Any]) -> Any:
        sent = next(c for c in self.calls if c.method == "sendPoll"
                    and c.result["message_id"] == int(params["message_id"]))
        return {**sent.result["poll"], "is_closed": True}

    def _poll(self, params: dict[str, Any], *, closed: bool) -> dict[str, Any]:
        options = [o if isinstance(o, str) else o["text"] for o in params["options"]]
        return {
            "id": f"50000{next(self._poll_ids)}",
            "question": params["question"],
            "options": [{"text": o, "voter_count": 0, "persistent_id": f"opt{i}"}
                        for i, o in enumerate(options)],
            "total_voter_count": 0,
            "is_closed": closed,
            "is_anonymous": bool(params.get("is_anonymous", True)),
            "type": "regular",
            "allows_multiple_answers": bool(params.get("allows_multiple_answers", False)),
            "allows_revoting": bool(params.get("allows_revoting", False)),
            "members_only": False,
        }

    def _api_deleteMessage(self, params: dict[str, Any]) -> Any:
        return True

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    def _api_close(self, params: dict[str, Any]) -> Any:
        return True
