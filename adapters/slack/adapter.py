"""The Slack platform: a slack-bolt AsyncApp on our HTTP server (or Socket Mode) around the core.

Every request is journalled (stored raw) before it is acknowledged, since Slack never sends an
acknowledged command or button press again; then it is handled and its journal entry deleted.
If even the journal cannot be written, a command or a press is answered "I could not record
this" and an Events API delivery gets a 503, which Slack retries. Modal submissions are handled
before their acknowledgement, which carries their validation errors; the core is asked to hold
its outbox (``deliver=False``) so that answer is quick, and the outbox is flushed once Slack has it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.http import HttpServer
from adapters.slack import translate
from adapters.slack.delivery import SlackDelivery, WaitOutRateLimit, slack_error
from adapters.slack.home import home_view
from adapters.slack.journal import SlackJournal
from adapters.slack.modals import field_errors, modal_view
from adapters.slack.names import Names
from adapters.slack.workspace import Workspace
from bot.kernel import texts as T
from bot.kernel.config import ConfigError, SlackSection
from bot.kernel.core import Core
from bot.kernel.errors import DatabaseUnavailable
from bot.kernel.events import (
    ChatKind,
    CommandIssued,
    FormSubmitted,
    HandleResult,
    Inbound,
    MemberChange,
    MembershipChanged,
    MessagePosted,
    Outbound,
)
from bot.kernel.ports import AdapterStartError, Delivered
from bot.people import person_overview
from storage.db import transaction
from storage.repo import work

log = logging.getLogger(__name__)

COMMAND = "/ncbot"
EVENTS_PATH = "/slack/events"
# auth.test's answers for a token that will never work.
REJECTED_TOKEN = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired",
                            "account_inactive", "not_allowed_token_type"})
HEALTH_TTL = 30.0  # seconds a Slack health answer is reused
ACK_BUDGET = 2.0  # seconds a modal submission may take before it is acknowledged without errors


class SlackAdapter:
    platform = translate.PLATFORM
    whispers = True  # chat.postEphemeral: a message in a channel that one person alone sees

    def __init__(self, core: Core, settings: SlackSection, http: HttpServer, *,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if not settings.bot_token:
            raise ConfigError("slack.bot_token: needed to run on Slack")
        if settings.mode == "http" and not settings.signing_secret:
            raise ConfigError("slack.signing_secret: needed for slack.mode = \"http\"")
        if settings.mode == "socket" and not settings.app_token:
            raise ConfigError("slack.app_token: needed for slack.mode = \"socket\"")
        self.core = core
        self.settings = settings
        # Answers to Slack (modals, App Home) wait out a 429; messages go back to the outbox.
        timeout: Any = settings.timeout  # typed int, used as aiohttp's float total timeout
        self.client = AsyncWebClient(
            token=settings.bot_token, base_url=settings.api_base_url, timeout=timeout,
            retry_handlers=[AsyncConnectionErrorRetryHandler(), WaitOutRateLimit(sleep=sleep)],
        )
        commands = [c.name for c in core.routes.commands]
        # Messages: the outbox retries; a timeout is never retried here (it may have arrived).
        self._sender = AsyncWebClient(token=settings.bot_token, base_url=settings.api_base_url,
                                      timeout=timeout)
        self.delivery = SlackDelivery(self._sender, commands=commands, monotonic=monotonic,
                                      sleep=sleep)
        self.app = AsyncApp(
            signing_secret=settings.signing_secret or "",
            client=self.client,
            request_verification_enabled=settings.mode == "http",
        )
        self.workspace = Workspace(self.client)
        self.names = Names(core, self.workspace)
        self.bot_user_id: str | None = None
        self.on_processed: list[Callable[[Inbound, HandleResult], None]] = []
        self._monotonic = monotonic
        self._home_seen: set[str] = set()  # people whose Home tab is kept up to date
        self._health: tuple[float, tuple[bool, str]] | None = None
        self._socket: Any = None
        self._session: aiohttp.ClientSession | None = None
        self.journal = SlackJournal(core, self.workspace, self._replay)
        self._register()
        if settings.mode == "http":
            http.add_route("POST", EVENTS_PATH, self._http)
        http.health["slack"] = self.health

    # ---- the port --------------------------------------------------------------------------

    async def start(self) -> None:
        api = urlsplit(self.settings.api_base_url).netloc or self.settings.api_base_url
        try:
            me = await self.client.auth_test()
        except SlackApiError as exc:
            error = slack_error(exc) or f"HTTP {getattr(exc.response, 'status_code', '?')}"
            if error in REJECTED_TOKEN:
                raise AdapterStartError(f"slack: Slack at {api} rejected the bot token ({error}); "
                                        "check slack.bot_token") from None
            raise AdapterStartError(f"slack: auth.test at {api} failed: {error}") from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise AdapterStartError(
                f"slack: cannot reach Slack at {api}: {exc!r}".replace(self.settings.bot_token or "",
                                                                       "[redacted]")) from None
        self.bot_user_id = me.get("user_id")
        # One connection pool for every Web API call: without it slack_sdk opens (and closes) a
        # session and a connection per call, most of what a call costs the bot.
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.settings.timeout))
        self.client.session = self._sender.session = self._session
        if self.settings.mode == "socket":
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(self.app, self.settings.app_token)
            await self._socket.connect_async()
        self.journal.replay_soon(0.0)  # what a killed process journalled and never handled

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
        await self.journal.stop()
        await self.names.stop()
        await self.delivery.expiry.stop()
        try:
            await asyncio.wait_for(self.delivery.coalescer.drain(), 5.0)
        except TimeoutError:
            self.delivery.coalescer.forget()
        if self._session is not None:
            await self._session.close()

    async def send(self, message: Outbound, *, edit_message_id: str | None = None) -> Delivered:
        return await self.delivery.send(message, edit_message_id=edit_message_id)

    async def health(self) -> tuple[bool, str]:
        """auth.test, at most once per HEALTH_TTL (probes may come every few seconds)."""
        now = self._monotonic()
        if self._health is None or now - self._health[0] >= HEALTH_TTL:
            try:
                me = await self.client.auth_test()
                found = (True, f"{self.settings.mode} mode as {me.get('user', '?')}")
            except Exception as exc:
                found = (False, f"auth.test failed: {type(exc).__name__}")
            self._health = (now, found)
        ok, detail = self._health[1]
        if ok and self._socket is not None and not await self._socket.client.is_connected():
            return False, "socket mode disconnected"
        return ok, detail

    # ---- inbound ---------------------------------------------------------------------------

    async def _http(self, request: web.Request) -> web.StreamResponse:
        try:
            bolt_request = await to_bolt_request(request)
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            # Read before the signature is checked: anyone can send this, so no error is logged.
            log.warning("slack: a request that could not be read: %r", exc)
            return web.Response(status=400, text="not a Slack request")
        shape = translate.malformed(bolt_request.body)
        if shape is not None:
            # Bolt would index into it and answer 500 on its own; Slack never sends one.
            log.warning("slack: a request of an unexpected shape: %s", shape)
            return web.Response(status=400, text="not a Slack request")
        try:
            answer = await self.app.async_dispatch(bolt_request)
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            # Bolt itself stumbles on a payload of the wrong shape (``"actions": null``).
            log.warning("slack: a request of an unexpected shape: %r", exc)
            return web.Response(status=400, text="not a Slack request")
        return await to_aiohttp_response(answer)

    def _register(self) -> None:
        self.app.use(self.journal.first)
        self.app.command(COMMAND)(self._on_command)
        self.app.action(re.compile(".*"))(self._on_action)
        self.app.view_submission(re.compile(".*"))(self._on_view)
        self.app.event("app_home_opened")(self._on_home)
        for kind in translate.EVENTS:
            self.app.event(kind)(self._on_event)

    def _known(self, context: Any) -> translate.Known:
        bot_user = getattr(context, "bot_user_id", None) or self.bot_user_id
        return translate.Known(bot_user, [c.name for c in self.core.routes.commands])

    async def _replay(self, kind: str, body: dict[str, Any], context: dict[str, Any]) -> None:
        """A journalled request handled again (its ack went long ago)."""
        if kind == "event":
            await self._on_event(body, context)
            return
        listener = {"command": self._on_command, "action": self._on_action,
                    "view": self._on_view}[kind]
        await listener(_acknowledged, body, context)

    # ---- listeners ---------------------------------------------------------------------------

    async def _on_command(self, ack: Any, body: dict[str, Any], context: Any) -> None:
        await ack()
        async with self.journal.handling(context):
            await self._command(body, context)

    async def _command(self, body: dict[str, Any], context: Any) -> None:
        event = translate.slash_command(body, self._known(context))
        if event.chat.kind == ChatKind.PRIVATE:
            # A slash command can be typed in anyone's DM; the bot answers in its own.
            event = dataclasses.replace(event, chat=dataclasses.replace(event.chat, chat_id=""))
        elif not await self.workspace.is_member(event.chat.chat_id):
            # Its answer could not be posted there, and the chat would be taken for gone.
            await self.workspace.respond(body.get("response_url"), T.ADD_ME_FIRST)
            return
        await self._process(event)

    async def _on_event(self, body: dict[str, Any], context: Any) -> None:
        async with self.journal.handling(context):
            await self._event(body, context)

    async def _event(self, body: dict[str, Any], context: Any) -> None:
        event = translate.events_api(body, self._known(context))
        if event is None:
            return
        if isinstance(event, MembershipChanged):
            joined = event.change == MemberChange.BOT_ADDED
            self.workspace.note_membership(event.chat.chat_id, joined=joined)
        elif event.chat.kind == ChatKind.GROUP and isinstance(event, MessagePosted | CommandIssued):
            # Slack sends a channel's messages only to the apps in it: no need to ask.
            self.workspace.note_membership(event.chat.chat_id, joined=True)
        raw = body.get("event") or {}
        if isinstance(event, CommandIssued) and await self._answering(event, raw):
            event = MessagePosted(chat=event.chat, sender=event.sender, event_id=event.event_id,
                                  text=translate.as_typed(raw.get("text") or ""))
        parent = raw.get("thread_ts")
        if isinstance(event, CommandIssued) and not event.args and parent and parent != raw.get("ts"):
            # "@ncbot challenge" as a reply in a thread: the thread's first message is meant.
            event = dataclasses.replace(
                event, reply_to_text=await self.workspace.thread_text(event.chat.chat_id, parent))
        result = await self._process(event)
        await self._refresh_home(event, result)

    async def _answering(self, event: CommandIssued, raw: dict[str, Any]) -> bool:
        """A direct message while the bot awaits an answer is that answer, even when it starts
        with a command word ("Help desk opens Saturday"); ``/word`` and ``cancel`` stay commands."""
        if raw.get("type") != "message" or event.chat.kind != ChatKind.PRIVATE:
            return False
        if (raw.get("text") or "").lstrip().startswith("/") or event.name == "cancel":
            return False
        async with transaction(self.core.engine, wait=self.core.inbound_wait) as session:
            return work.get_conversation(session, platform=self.platform,
                                         user_id=event.sender.user_id) is not None

    async def _on_action(self, ack: Any, body: dict[str, Any], context: Any) -> None:
        await ack()
        async with self.journal.handling(context):
            await self._action(body, context)

    async def _action(self, body: dict[str, Any], context: Any) -> None:
        event = translate.block_action(body, self._known(context))
        if event is None:
            return
        result = await self._process(event, deliver=False)
        if result.form is not None:
            # The trigger id lives three seconds: the modal opens before anything is sent.
            try:
                await self.client.views_open(trigger_id=body["trigger_id"],
                                             view=modal_view(result.form))
            except SlackApiError as exc:
                log.warning("slack: views.open failed: %s", slack_error(exc))
                result.notice = result.notice or T.FORM_NOT_OPENED
        if result.notice:
            await self._notice(event, result.notice)
        await self._deliver()
        await self._refresh_home(event, result)

    async def _on_view(self, ack: Any, body: dict[str, Any], context: Any) -> None:
        async with self.journal.handling(context):
            await self._view(ack, body, context)

    async def _view(self, ack: Any, body: dict[str, Any], context: Any) -> None:
        event = translate.view_submission(body, self._known(context))
        pending = asyncio.ensure_future(self._process(event, deliver=False))
        try:
            result = await asyncio.wait_for(asyncio.shield(pending), ACK_BUDGET)
        except TimeoutError:
            await ack()  # too slow to show errors in the modal: they come as a message instead
            result = await pending
            if result.field_errors:
                await self._notice(event, " ".join(result.field_errors.values()))
        except DatabaseUnavailable:
            await ack()  # journalled: it is handled once the database is back
            raise
        except Exception:
            log.exception("slack: a form submission could not be handled")
            await ack(response_action="errors",
                      errors=field_errors(body.get("view") or {}, {"_": T.INTERNAL_ERROR}))
            return
        else:
            if result.field_errors:
                errors = field_errors(body.get("view") or {}, result.field_errors)
                await ack(response_action="errors", errors=errors)
            else:
                await ack()
        await self._deliver()
        await self._refresh_home(event, result)

    async def _on_home(self, event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home" or not isinstance(event.get("user"), str) \
                or not event["user"]:
            return
        self._home_seen.add(event["user"])
        await self._publish_home(event["user"])

    async def _publish_home(self, user: str) -> None:
        parts = person_overview(self.core, platform=self.platform, user_id=user)
        commands = [c.name for c in self.core.routes.commands]
        try:
            await self.client.views_publish(user_id=user, view=home_view(parts, commands))
        except SlackApiError as exc:
            log.warning("slack: views.publish failed: %s", slack_error(exc))

    async def _refresh_home(self, event: Inbound, result: HandleResult) -> None:
        """After a press or a form that changed something, the Home tab shows it."""
        user = event.sender.user_id
        if user in self._home_seen and not (result.duplicate or result.field_errors):
            await self._publish_home(user)

    # ---- the way through the core ---------------------------------------------------------

    async def _process(self, event: Inbound, *, deliver: bool = True) -> HandleResult:
        event = await self._complete(event)
        result = await self.core.handle(event, deliver=False)
        # Their handle (or id) is what was stored; Slack's name for them follows, off this path.
        self.names.complete_later(event.sender.user_id, event.sender.display_name)
        for callback in self.on_processed:
            callback(event, result)
        if deliver:
            await self._deliver()
        return result

    async def _complete(self, event: Inbound) -> Inbound:
        """Put in what the payload lacks: the private chat's channel and the person's name (when
        Slack has told it already)."""
        changes: dict[str, Any] = {}
        if event.chat.kind == ChatKind.PRIVATE and not event.chat.chat_id:
            changes["chat"] = dataclasses.replace(
                event.chat, chat_id=await self._private_channel(event.sender.user_id))
        name = self.names.known(event.sender.user_id)
        if name:
            changes["sender"] = translate.named(event.sender, name)
        return dataclasses.replace(event, **changes) if changes else event

    async def _private_channel(self, user_id: str) -> str:
        """The bot's DM channel with a person; failing that, the person's id, which
        chat.postMessage also takes as the bot's DM with them."""
        try:
            return await self.delivery.dm_channel(user_id)
        except Exception as exc:
            log.warning("slack: conversations.open failed (%r); using the user id", exc)
            return user_id

    async def _notice(self, event: Inbound, notice: str) -> None:
        """A short answer only the presser sees (Slack has no toast)."""
        channel = event.chat.chat_id
        if not channel or isinstance(event, FormSubmitted):
            channel = await self._private_channel(event.sender.user_id)
        await self.workspace.whisper(channel, event.sender.user_id, notice)

    async def _deliver(self) -> None:
        try:
            await self.core.deliver()
        except Exception:
            log.exception("slack: flushing the outbox failed; the scheduler retries")


async def _acknowledged(*_args: Any, **_kwargs: Any) -> None:
    """The ``ack`` of a journalled request: Slack had its acknowledgement long ago."""

