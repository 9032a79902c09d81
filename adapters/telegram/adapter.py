"""The Telegram adapter: python-telegram-bot's Bot inside our event loop, polling or webhooks.

Either way an update is acknowledged to Telegram only once the core has stored its effect: the
webhook answers after handling (503 when the database cannot be used, so Telegram sends it
again); long polling confirms it with the next ``getUpdates`` (see ``polling``).
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, Update
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder

from adapters.http import HttpServer
from adapters.telegram.delivery import Delivery
from adapters.telegram.pacing import FloodPacer
from adapters.telegram.polling import LongPolling, RawUpdate
from adapters.telegram.translate import (
    ALLOWED_UPDATES,
    PLATFORM,
    BotSelf,
    plain_group_message,
    translate,
)
from bot.kernel.config import TelegramSection
from bot.kernel.core import Core
from bot.kernel.errors import DatabaseUnavailable
from bot.kernel.events import ButtonPressed, ChatKind, Outbound
from bot.kernel.ports import AdapterStartError, Delivered

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TOAST_LIMIT = 200  # characters Telegram shows in a callback query answer
POLLED_ELSEWHERE = (
    "another process is already long-polling this bot (Telegram answered 409 Conflict to "
    "getUpdates). Only one process may poll; to run several, set telegram.mode = \"webhook\" "
    "with telegram.webhook_url (see docs/deployment.md)"
)


class TelegramAdapterError(AdapterStartError):
    """The adapter cannot start as configured."""


class TelegramAdapter:
    """Holds the core; turns updates into events and outbound messages into Bot API calls."""

    platform = PLATFORM

    def __init__(self, core: Core, settings: TelegramSection, http: HttpServer, *,
                 pacer: FloodPacer | None = None, poll_timeout: float = 30.0) -> None:
        if not settings.token:
            raise TelegramAdapterError("telegram.token: not set")
        if settings.mode == "webhook" and not settings.webhook_secret:
            raise TelegramAdapterError(
                "telegram.webhook_secret: required in webhook mode (the header Telegram sends)")
        self.core = core
        self.settings = settings
        self.pacer = pacer or FloodPacer()
        self.poll_timeout = poll_timeout
        builder = (
            ApplicationBuilder()
            .token(settings.token)
            .base_url(settings.api_base_url)
            .base_file_url(settings.file_base_url)
            .job_queue(None)  # timers are rows in our database, run by our scheduler
            .rate_limiter(self.pacer)
            .get_updates_read_timeout(10)  # on top of the long poll's own timeout
            # A send that times out may have arrived, so it is sent once more at most: wait for
            # slow answers longer than PTB's 5 s before giving up on one.
            .read_timeout(settings.timeout)
            .write_timeout(settings.timeout)
            # Updates are fetched by our own ``LongPolling`` and handed to the core directly.
            .updater(None)
        )
        self.app: Application = builder.build()
        self.delivery = Delivery(self.app.bot)
        self.polling = LongPolling(
            self.app.bot, self._on_polled, timeout=int(poll_timeout),
            allowed_updates=ALLOWED_UPDATES, before_confirming=self._counted,
            on_error=self._polling_failed, on_fetched=self._alive)
        # Called after each update is handled (tests wait on it).
        self.on_handled: list[Callable[[Update], Awaitable[None]]] = []
        self.me: BotSelf | None = None
        self.last_ok: float | None = None
        self.last_error: tuple[float, str] | None = None
        self.polled_elsewhere = False
        if settings.mode == "webhook":
            http.add_route("POST", WEBHOOK_PATH, self._webhook)
        http.health["telegram"] = self.health
        core.attach(self)

    # ---- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        try:
            await self._start()
        except BaseException as exc:
            await self.stop()  # nothing half-started is left behind (connections, the poller)
            if isinstance(exc, TelegramError):
                raise self._start_failure(exc) from None  # PTB's own text may hold the token
            raise

    def _start_failure(self, exc: TelegramError) -> TelegramAdapterError:
        """One line for a start that failed, naming the cause and never the token."""
        api = urlsplit(self.settings.api_base_url).netloc or self.settings.api_base_url
        if isinstance(exc, InvalidToken):
            return TelegramAdapterError(
                f"telegram: the Bot API at {api} rejected the token (401 Unauthorized); "
                "check telegram.token")
        reason = str(exc).replace(self.settings.token or "", "[redacted]")
        if isinstance(exc, NetworkError):
            return TelegramAdapterError(f"telegram: cannot reach the Bot API at {api}: {reason}")
        return TelegramAdapterError(f"telegram: the Bot API at {api} refused to start: {reason}")

    async def _start(self) -> None:
        await self.app.initialize()  # getMe: a wrong token or an unreachable API stops us here
        bot = self.app.bot
        username = (self.settings.bot_username or bot.username or "").lstrip("@")
        self.me = BotSelf(bot.id, username, bot.first_name)
        await self._set_commands()
        if self.settings.mode == "webhook":
            if not self.settings.webhook_url:
                log.warning("telegram.webhook_url is not set: the webhook is left as it is")
            else:
                await bot.set_webhook(self.settings.webhook_url, allowed_updates=ALLOWED_UPDATES,
                                      secret_token=self.settings.webhook_secret)
            await self.app.start()
        else:
            await self._refuse_if_polled_elsewhere()
            await self.app.start()
            await self.polling.start()
        self.last_ok = time.monotonic()
        log.info("telegram: @%s, %s", self.me.username, self.settings.mode)

    async def _refuse_if_polled_elsewhere(self) -> None:
        """Two pollers would take turns at the updates, each told 409 in between: stop here."""
        try:
            # No offset: nothing is confirmed, the poller fetches the same updates again.
            await self.app.bot.get_updates(timeout=0, limit=1, allowed_updates=ALLOWED_UPDATES)
        except Conflict as exc:
            if not _about_a_webhook(exc):  # a set webhook is removed by start_polling, as before
                raise TelegramAdapterError(f"telegram: {POLLED_ELSEWHERE} ({exc.message})") from exc

    async def stop(self) -> None:
        await self.polling.stop()
        if self.app.running:
            await self.delivery.expiry.stop()  # short-lived replies go now, not never
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()  # also fine for an application that never initialised

    async def _set_commands(self) -> None:
        """The command menu, per kind of chat, from the core's command table."""
        for kind, scope in ((ChatKind.PRIVATE, BotCommandScopeAllPrivateChats()),
                            (ChatKind.GROUP, BotCommandScopeAllGroupChats())):
            commands = [BotCommand(c.name, c.summary[:256]) for c in self.core.routes.commands
                        if not c.hidden and kind in c.chats and c.summary]
            try:
                await self.app.bot.set_my_commands(commands, scope=scope)
            except TelegramError as exc:
                log.warning("setting the %s command menu failed: %s", kind.value, exc)

    # ---- inbound -------------------------------------------------------------------------------

    async def _on_polled(self, data: RawUpdate) -> None:
        """A polled update as Telegram's JSON: an ordinary group message read directly, any
        other parsed by python-telegram-bot first."""
        event = plain_group_message(data)
        if event is None:
            await self._on_update(Update.de_json(data, self.app.bot))
            return
        self._alive()
        await self.core.handle(event)
        for callback in self.on_handled:
            await callback(Update.de_json(data, self.app.bot))

    async def _on_update(self, update: Update) -> None:
        """Hand one update to the core; raises ``DatabaseUnavailable`` when it was not stored."""
        await self._handle_update(update)
        for callback in self.on_handled:
            await callback(update)

    async def _handle_update(self, update: Update) -> None:
        assert self.me is not None
        self._alive()
        event = translate(update, self.me)
        if event is None:
            return
        if isinstance(event, ButtonPressed) and update.callback_query is not None:
            # Answer the button within Telegram's few seconds, then deliver what it caused.
            result = await self.core.handle(event, deliver=False)
            try:
                await update.callback_query.answer(
                    (result.notice or "")[:TOAST_LIMIT] or None)
            except TelegramError as exc:
                log.info("answering a button press failed: %s", exc)
            await self.core.deliver()
            return
        await self.core.handle(event)

    async def _counted(self) -> None:
        """Ordinary messages counted in memory are written before they are confirmed."""
        if self.core.intake is not None:
            await self.core.intake.flush()

    def _alive(self) -> None:
        self.last_ok = time.monotonic()

    async def _webhook(self, request: web.Request) -> web.Response:
        expected = (self.settings.webhook_secret or "").encode()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            return web.Response(status=403, text="forbidden")
        if not self.app.running or self.me is None:
            return web.Response(status=503, text="starting")  # Telegram will send it again
        try:
            data = await request.json()
            update = Update.de_json(data, self.app.bot)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            # OverflowError: a date no clock can hold (PTB reads it as a timestamp).
            log.warning("a webhook body that is not an update: %r", exc)
            return web.Response(status=400, text="not an update")
        # Handled before answering: if we die half way, Telegram retries and the ledger
        # keeps a retried update from having a second effect.
        try:
            await self._on_update(update)
        except DatabaseUnavailable:
            # Nothing was stored: Telegram keeps the update and sends it again.
            return web.Response(status=503, text="database unavailable")
        except (TypeError, ValueError, AttributeError, KeyError, OverflowError) as exc:
            # A forged update (a list where an id belongs) that translation stumbles on.
            log.warning("a webhook update that could not be read: %r", exc)
            return web.Response(status=400, text="not an update")
        return web.Response(status=200, text="ok")

    def _polling_failed(self, exc: TelegramError) -> None:
        self.last_error = (time.monotonic(), str(exc))
        if isinstance(exc, Conflict) and not _about_a_webhook(exc):
            # A process started later polls too. Updates still reach one of them (the ledger
            # drops one fetched twice), but the set-up is wrong: say so and stay unhealthy.
            self.polled_elsewhere = True
            log.error("telegram: %s", POLLED_ELSEWHERE)
            return
        log.warning("telegram polling: %s", exc)

    # ---- outbound ------------------------------------------------------------------------------

    async def send(self, message: Outbound, *, edit_message_id: str | None = None) -> Delivered:
        delivered = await self.delivery.send(message, edit_message_id=edit_message_id)
        self.last_ok = time.monotonic()
        return delivered

    async def health(self) -> tuple[bool, str]:
        if not self.app.running or (self.settings.mode == "polling" and not self.polling.running):
            return False, "not running"
        if self.polled_elsewhere:
            return False, POLLED_ELSEWHERE
        if self.last_error is not None and (self.last_ok is None or self.last_ok < self.last_error[0]):
            # Polling failed since the last sign of life: ask the API whether it is back.
            try:
                await self.app.bot.get_me(read_timeout=5, connect_timeout=5)
            except TelegramError:
                return False, f"{self.settings.mode}: {self.last_error[1]}"
            self.last_ok = time.monotonic()
        return True, self.settings.mode


def _about_a_webhook(exc: Conflict) -> bool:
    """Telegram's other 409: "can't use getUpdates method while webhook is active"."""
    return "webhook" in exc.message.lower()
