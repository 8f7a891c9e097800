"""The HTTP server (aiohttp on loopback) and the in-process test API around it."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.botapi.api import DEFAULT_TOKEN, BotApi
from tests.botapi.args import Args
from tests.botapi.counters import Counters
from tests.botapi.errors import NOT_FOUND, UNAUTHORIZED, ApiError, bad_request
from tests.botapi.faults import AFTER, BEFORE, Fault, make_fault
from tests.botapi.handles import DEFAULT_TIMEOUT, TestChat, TestUser, wait_until
from tests.botapi.limits import LimitConfig
from tests.botapi.simulate import Simulator
from tests.botapi.state import CallbackQuery, Event, Message

LOOPBACK = "127.0.0.1"


def _dumps(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


async def read_args(request: web.Request) -> dict[str, Any]:
    """Arguments from the query string and a JSON, urlencoded or multipart body."""
    raw: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return raw
    if request.content_type == "application/json":
        body = await request.read()
        if body.strip():
            try:
                data = json.loads(body)
            except ValueError:
                raise bad_request("can't parse JSON encoded request") from None
            if not isinstance(data, dict):
                raise bad_request("can't parse JSON encoded request")
            raw.update(data)
        return raw
    if request.content_type == "application/x-www-form-urlencoded":
        # What PTB sends for every call without files: parse_qsl is cheaper than post().
        form_text = (await request.read()).decode("utf-8", "replace")
        raw.update(parse_qsl(form_text, keep_blank_values=True))
        return raw
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            raw[key] = {"file_name": value.filename, "size": len(value.file.read())}
        else:
            raw[key] = value
    return raw


def _chat_key(raw: dict[str, Any]) -> int | None:
    value = raw.get("chat_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class BotApiServer:
    """A local Telegram Bot API server for tests: real HTTP on 127.0.0.1, an ephemeral port.

    python-telegram-bot talks to it with `base_url=server.base_url` and `token=server.token`.
    Tests act as users through `create_user()` / `create_group()` handles and read back what
    the bot sent. See tests/botapi/README.md.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        port: int = 0,
        rate_limits: bool = False,
        limits: LimitConfig | None = None,
        lean: bool = False,
        lean_keep: int = 3,
        auto_users: bool = False,
        strict_html: bool = True,
        query_timeout: float = 15.0,
        bot_username: str = "kabar_test_bot",
        seed: int = 0,
    ):
        config = limits or LimitConfig()
        config.enabled = rate_limits if limits is None else config.enabled
        self.api = BotApi(
            token=token,
            bot_username=bot_username,
            limits=config,
            lean=lean,
            lean_keep=lean_keep,
            auto_users=auto_users,
            strict_html=strict_html,
            query_timeout=query_timeout,
            seed=seed,
        )
        self.simulator = Simulator(self.api)
        self.requested_port = port
        self.port = 0
        self._runner: web.AppRunner | None = None

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> BotApiServer:
        """Listen on 127.0.0.1 (the port chosen by the OS unless one was given)."""
        from tests.botapi.control import add_control_routes

        app = web.Application(client_max_size=64 * 1024 * 1024)
        add_control_routes(app, self)
        app.router.add_route("*", "/bot{token}/{method}", self._bot_api)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOOPBACK, self.requested_port))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock, backlog=1024).start()
        return self

    async def stop(self) -> None:
        """Release pending long polls and close the server."""
        self.api.updates.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiServer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def base_url(self) -> str:
        """What python-telegram-bot's `base_url` (and TELEGRAM_API_URL) should be."""
        return f"{self.url}/bot"

    @property
    def token(self) -> str:
        """The only token this server accepts (any other: 401 Unauthorized)."""
        return self.api.token

    # --- HTTP ----------------------------------------------------------------------------

    def _reply(self, body: Any, status: int = 200) -> web.Response:
        return web.Response(body=_dumps(body), status=status, content_type="application/json")

    def _error(self, error: ApiError) -> web.Response:
        self.api.counters.response(error.code, error.description, error.scope)
        return self._reply(error.envelope(), error.code)

    @staticmethod
    def _drop(request: web.Request) -> web.Response:
        # Closing the transport makes the client see a dropped connection; aiohttp then
        # discards the response it cannot write.
        if request.transport is not None:
            request.transport.close()
        return web.Response()

    async def _not_found(self, request: web.Request) -> web.Response:
        return self._error(NOT_FOUND)

    async def _bot_api(self, request: web.Request) -> web.Response:
        api = self.api
        if request.match_info["token"] != api.token:
            return self._error(UNAUTHORIZED)
        found = api.lookup(request.match_info["method"])
        if found is None:
            return self._error(NOT_FOUND)
        name, handler = found
        api.counters.request(name)
        try:
            raw = await read_args(request)
        except ApiError as exc:
            return self._error(exc)
        method, chat_key = name.lower(), _chat_key(raw)
        early = await self._fault_before(request, method, chat_key)
        if early is not None:
            return early
        try:
            response = self._reply({"ok": True, "result": await handler(api, Args(raw))})
            api.counters.response(200)
        except ApiError as exc:
            response = self._error(exc)
        return await self._fault_after(request, response, method, chat_key)

    async def _fault_before(
        self, request: web.Request, method: str, chat_key: int | None
    ) -> web.Response | None:
        """Apply an error/drop/hang/delay fault; a response means: do not process the call."""
        fault = self.api.faults.take(BEFORE, method, chat_key)
        if fault is None:
            return None
        if fault.action == "error":
            return self._error(fault.error())
        if fault.action == "drop":
            return self._drop(request)
        await asyncio.sleep(fault.seconds)
        return self._drop(request) if fault.action == "hang" else None

    async def _fault_after(
        self, request: web.Request, response: web.Response, method: str, chat_key: int | None
    ) -> web.Response:
        """Apply a delay_after/drop_after fault to a call that was processed."""
        fault = self.api.faults.take(AFTER, method, chat_key)
        if fault is None:
            return response
        if fault.action == "drop_after":
            return self._drop(request)
        await asyncio.sleep(fault.seconds)
        return response

    # --- the test API --------------------------------------------------------------------

    @property
    def counters(self) -> Counters:
        """Requests per method, responses per code, 429s, sends per second."""
        return self.api.counters

    @property
    def limits(self) -> LimitConfig:
        """The limit settings; call `set_limits` to change them."""
        return self.api.limiter.config

    def set_limits(self, **values: Any) -> LimitConfig:
        """Change limits (enabled=, global_rate=, chat_rate=, ...) and start fresh buckets."""
        self.limits.update(values)
        self.api.limiter.rebuild()
        return self.limits

    def create_user(
        self,
        first_name: str = "Test",
        *,
        id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        started: bool = True,
    ) -> TestUser:
        """A user with a private chat; `started=False`: the bot may not write first (403)."""
        user = self.api.world.add_user(
            first_name,
            id=id,
            last_name=last_name,
            username=username,
            language_code=language_code,
            started=started,
        )
        return TestUser(self, user)

    def _group(
        self,
        kind: str,
        title: str | None,
        creator: TestUser | None,
        admins: tuple[TestUser, ...],
        members: tuple[TestUser, ...],
        **options: Any,
    ) -> TestChat:
        chat = self.api.world.add_chat(kind, title=title, **options)
        for user, status in (
            *((m, "member") for m in members),
            *((a, "administrator") for a in admins),
        ):
            chat.members[user.id] = status
        if creator is not None:
            chat.members[creator.id] = "creator"
        return TestChat(self, chat)

    def create_group(
        self,
        title: str | None = None,
        *,
        creator: TestUser | None = None,
        admins: tuple[TestUser, ...] = (),
        members: tuple[TestUser, ...] = (),
        bot_status: str = "member",
        id: int | None = None,
    ) -> TestChat:
        """A basic group with the bot in it."""
        return self._group("group", title, creator, admins, members, bot_status=bot_status, id=id)

    def create_supergroup(
        self,
        title: str | None = None,
        *,
        forum: bool = False,
        username: str | None = None,
        creator: TestUser | None = None,
        admins: tuple[TestUser, ...] = (),
        members: tuple[TestUser, ...] = (),
        bot_status: str = "member",
        id: int | None = None,
    ) -> TestChat:
        """A supergroup (a forum with `forum=True`: message_thread_id is recorded)."""
        return self._group(
            "supergroup",
            title,
            creator,
            admins,
            members,
            is_forum=forum,
            username=username,
            bot_status=bot_status,
            id=id,
        )

    def create_channel(
        self,
        title: str | None = None,
        *,
        username: str | None = None,
        creator: TestUser | None = None,
        admins: tuple[TestUser, ...] = (),
        bot_status: str = "administrator",
        id: int | None = None,
    ) -> TestChat:
        """A channel; the bot posts only as an administrator."""
        return self._group(
            "channel", title, creator, admins, (), username=username, bot_status=bot_status, id=id
        )

    def user(self, user_id: int) -> TestUser:
        """A handle on an existing user."""
        return TestUser(self, self.api.world.users[user_id])

    def chat(self, chat_id: int) -> TestChat:
        """A handle on an existing chat."""
        return TestChat(self, self.api.world.chats[chat_id])

    def bot_messages(self, chat_id: int | None = None) -> list[Message]:
        """Messages the bot sent (to one chat, or everywhere in send order)."""
        if chat_id is not None:
            return self.chat(chat_id).messages
        return [e.message for e in self.api.world.journal if e.kind == "sent"]

    @property
    def journal(self) -> list[Event]:
        """Every send, edit and delete, in order, with the text as it was then."""
        return self.api.world.journal

    def unanswered_callbacks(self) -> list[CallbackQuery]:
        """Callback queries the bot never answered (in time)."""
        return [q for q in self.api.callbacks.values() if not q.answered]

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        what: str = "a condition",
    ) -> Any:
        """Wait until `predicate()` returns something truthy (re-checked on every change)."""
        return await wait_until(self, lambda: predicate() or None, timeout, what)

    def add_fault(self, preset: str | None = None, **options: Any) -> Fault:
        """Script a fault: add_fault("blocked", method="sendMessage", chat_id=..., times=2).

        Presets: server_error, bad_gateway, blocked, deactivated, kicked, kicked_supergroup,
        chat_not_found, too_many (with retry_after=N); or action="delay"/"delay_after"/
        "hang"/"drop"/"drop_after" with seconds=...; times=None means every matching call,
        fraction=0.3 a random share of them (seeded).
        """
        return self.api.faults.add(make_fault(preset, **options))

    def clear_faults(self) -> None:
        """Remove every scripted fault."""
        self.api.faults.remove()

    def flood(self, seconds: float, retry_after: int | None = None) -> None:
        """Global flood control: every send gets 429 for `seconds`."""
        self.api.limiter.flood(seconds, time.monotonic(), retry_after)

    def reset(self, *, keep_chats: bool = False) -> None:
        """Forget messages, updates, queries, faults and counters (and users unless kept)."""
        self.api.reset(keep_chats=keep_chats)
