"""The /_test/... HTTP control API: a test in another process drives and inspects the server."""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.botapi.handles import describe_answer, wait_until
from tests.botapi.state import JSON, Chat, Message, User

if TYPE_CHECKING:
    from tests.botapi.server import BotApiServer

Route = Callable[[web.Request], Awaitable[web.Response]]
MAX_WAIT = 60.0


def message_json(message: Message) -> JSON:
    """A stored message as the control API shows it."""
    return {
        "chat_id": message.chat.id,
        "message_id": message.message_id,
        "from_bot": message.from_bot,
        "text": message.text,
        "entities": message.entities,
        "reply_markup": message.reply_markup,
        "thread_id": message.thread_id,
        "reply_to": message.reply_to,
        "date": message.date,
        "edit_date": message.edit_date,
        "deleted": message.deleted,
        "edits": len(message.history),
        "service": message.service,
    }


def chat_json(chat: Chat) -> JSON:
    """A chat's state."""
    user = chat.user
    return {
        **chat.to_api(),
        "bot_status": chat.bot_status,
        "members": {str(k): v for k, v in chat.members.items()},
        "migrated_to": chat.migrated_to,
        "migrated_from": chat.migrated_from,
        "sent": chat.sent,
        "blocked": bool(user and user.blocked),
        "deactivated": bool(user and user.deactivated),
        "started": bool(user and user.started),
    }


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _guard(route: Route) -> Route:
    async def guarded(request: web.Request) -> web.Response:
        try:
            return await route(request)
        except (KeyError, LookupError) as exc:
            return web.json_response({"ok": False, "error": f"not found: {exc}"}, status=404)
        except (ValueError, TypeError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        except TimeoutError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=408)

    return guarded


class Control:
    """Handlers for /_test/...; each is a thin shell over the in-process test API."""

    def __init__(self, server: BotApiServer):
        self.server = server

    @property
    def world(self) -> Any:
        return self.server.api.world

    async def _body(self, request: web.Request) -> JSON:
        if not request.body_exists:
            return {}
        data = json.loads(await request.read() or b"{}")
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data

    def _user(self, request: web.Request) -> User:
        user: User = self.world.users[int(request.match_info["user_id"])]
        return user

    def _chat(self, request: web.Request) -> Chat:
        chat: Chat = self.world.chats[int(request.match_info["chat_id"])]
        return chat

    async def health(self, request: web.Request) -> web.Response:
        return _ok({"token": self.server.token, "base_url": self.server.base_url})

    async def reset(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        self.server.reset(keep_chats=bool(body.get("keep_chats")))
        return _ok(True)

    async def get_config(self, request: web.Request) -> web.Response:
        api = self.server.api
        return _ok(
            {
                "limits": api.limiter.config.as_dict(),
                "lean": api.world.lean,
                "auto_users": api.world.auto_users,
                "strict_html": api.strict_html,
                "query_timeout": api.query_timeout,
            }
        )

    async def set_config(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        api = self.server.api
        if "limits" in body:
            self.server.set_limits(**body["limits"])
        for key in ("lean", "auto_users"):
            if key in body:
                setattr(api.world, key, bool(body[key]))
        if "strict_html" in body:
            api.strict_html = bool(body["strict_html"])
        if "query_timeout" in body:
            api.query_timeout = float(body["query_timeout"])
        return await self.get_config(request)

    async def create_user(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        user = self.server.create_user(
            body.get("first_name", "Test"),
            id=body.get("id"),
            last_name=body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code"),
            started=body.get("started", True),
        )
        return _ok(user.user.to_api())

    async def bulk_users(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        first, count = int(body["first_id"]), int(body["count"])
        language = body.get("language_code")
        for user_id in range(first, first + count):
            self.world.add_user(f"User {user_id}", id=user_id, language_code=language)
        return _ok({"created": count, "first_id": first, "last_id": first + count - 1})

    async def create_chat(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        chat = self.world.add_chat(
            body["type"],
            id=body.get("id"),
            title=body.get("title"),
            username=body.get("username"),
            is_forum=bool(body.get("forum")),
            bot_status=body.get(
                "bot_status", "administrator" if body["type"] == "channel" else "member"
            ),
        )
        for member in body.get("members", []):
            chat.members[int(member["user_id"])] = member.get("status", "member")
        return _ok(chat_json(chat))

    async def get_chat(self, request: web.Request) -> web.Response:
        return _ok(chat_json(self._chat(request)))

    async def migrate(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        actor = self.world.users[int(body["by"])] if "by" in body else None
        new = self.server.simulator.migrate(self._chat(request), actor)
        return _ok({"migrate_to_chat_id": new.id})

    async def bot_status(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        actor = self.world.users[int(body["by"])]
        self.server.simulator.set_bot_status(self._chat(request), actor, body["status"])
        return _ok(True)

    async def set_member(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        chat, user = self._chat(request), self.world.users[int(body["user_id"])]
        self.server.simulator.set_member(chat, user, body["status"])
        return _ok(True)

    async def send(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        user = self._user(request)
        chat = self.world.chats[int(body.get("chat_id", user.id))]
        message = self.server.simulator.message(
            user, chat, body["text"], thread_id=body.get("thread_id"), reply_to=body.get("reply_to")
        )
        return _ok(message_json(message))

    async def press(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        user = self._user(request)
        chat = self.world.chats[int(body.get("chat_id", user.id))]
        message = chat.messages[int(body["message_id"])]
        data = body.get("data")
        if data is None:
            data = message.button(body["text"])["callback_data"]
        query = self.server.simulator.press(user, message, data)
        return _ok({"callback_query_id": query.id})

    async def inline_query(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        record = self.server.simulator.inline_query(
            self._user(request), body.get("query", ""), body.get("offset", "")
        )
        return _ok({"inline_query_id": record.id})

    async def inline_answer(self, request: web.Request) -> web.Response:
        record = self.server.api.inline_queries[request.match_info["query_id"]]
        wait = min(float(request.query.get("wait", 0)), MAX_WAIT)
        if record.answer is None and wait > 0:
            await wait_until(self.server, lambda: record.answer, wait, "an inline answer")
        return _ok(None if record.answer is None else describe_answer(record.answer))

    async def user_action(self, request: web.Request) -> web.Response:
        user, action = self._user(request), request.match_info["action"]
        if action == "block":
            self.server.simulator.block(user)
        elif action == "unblock":
            self.server.simulator.unblock(user)
        elif action == "deactivate":
            user.deactivated = True
        else:
            raise KeyError(action)
        return _ok(True)

    async def callbacks(self, request: web.Request) -> web.Response:
        return _ok(
            [
                {
                    "id": q.id,
                    "user_id": q.user.id,
                    "data": q.data,
                    "answered": q.answered,
                    "answer": q.answer,
                    "late_answers": q.late_answers,
                }
                for q in self.server.api.callbacks.values()
            ]
        )

    async def add_fault(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        fault = self.server.add_fault(body.pop("preset", None), **body)
        return _ok(fault.as_dict())

    async def faults(self, request: web.Request) -> web.Response:
        faults = self.server.api.faults
        return _ok({"fired": faults.fired, "rules": [f.as_dict() for f in faults.rules]})

    async def clear_faults(self, request: web.Request) -> web.Response:
        self.server.clear_faults()
        return _ok(True)

    async def flood(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        self.server.flood(float(body["seconds"]), body.get("retry_after"))
        return _ok(True)

    async def counters(self, request: web.Request) -> web.Response:
        api = self.server.api
        summary = api.counters.summary()
        summary["updates"] = {
            "pending": len(api.updates.pending),
            "delivered": api.updates.delivered,
            "dropped": api.updates.dropped,
        }
        summary["limits_refused"] = dict(api.limiter.refused)
        summary["faults_fired"] = api.faults.fired
        summary["callbacks"] = {
            "total": len(api.callbacks),
            "unanswered": len(self.server.unanswered_callbacks()),
        }
        summary["now"] = time.time()
        summary["cpu_seconds"] = time.process_time()
        summary["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return _ok(summary)

    async def messages(self, request: web.Request) -> web.Response:
        query = request.query
        chat_id = int(query["chat_id"]) if "chat_id" in query else None
        after = int(query.get("after", -1))
        wait = min(float(query.get("wait", 0)), MAX_WAIT)
        if self.world.lean:
            chats = (
                [self.world.chats[chat_id]] if chat_id is not None else self.world.chats.values()
            )
            found = [m for c in chats for m in c.messages.values() if m.from_bot]
            return _ok({"messages": [message_json(m) for m in found], "next": None})

        def pick() -> list[Message] | None:
            journal = self.world.journal
            start = after + 1
            picked = [
                e.message
                for e in journal[start:]
                if e.kind == "sent" and (chat_id is None or e.chat_id == chat_id)
            ]
            return picked or None

        picked = pick() or []
        if not picked and wait > 0:
            try:
                picked = await wait_until(self.server, pick, wait, "a message")
            except TimeoutError:
                picked = []
        return _ok(
            {"messages": [message_json(m) for m in picked], "next": len(self.world.journal) - 1}
        )

    async def sent_per_chat(self, request: web.Request) -> web.Response:
        return _ok({str(c.id): c.sent for c in self.world.chats.values() if c.sent})


def add_control_routes(app: web.Application, server: BotApiServer) -> None:
    """Register /_test/... on the server's aiohttp application."""
    c = Control(server)
    routes: list[tuple[str, str, Route]] = [
        ("GET", "/_test/health", c.health),
        ("POST", "/_test/reset", c.reset),
        ("GET", "/_test/config", c.get_config),
        ("POST", "/_test/config", c.set_config),
        ("POST", "/_test/users", c.create_user),
        ("POST", "/_test/users/bulk", c.bulk_users),
        ("POST", "/_test/users/{user_id}/send", c.send),
        ("POST", "/_test/users/{user_id}/press", c.press),
        ("POST", "/_test/users/{user_id}/inline_query", c.inline_query),
        ("POST", "/_test/users/{user_id}/{action}", c.user_action),
        ("POST", "/_test/chats", c.create_chat),
        ("GET", "/_test/chats/{chat_id}", c.get_chat),
        ("POST", "/_test/chats/{chat_id}/migrate", c.migrate),
        ("POST", "/_test/chats/{chat_id}/bot", c.bot_status),
        ("POST", "/_test/chats/{chat_id}/members", c.set_member),
        ("GET", "/_test/inline_queries/{query_id}", c.inline_answer),
        ("GET", "/_test/callbacks", c.callbacks),
        ("GET", "/_test/faults", c.faults),
        ("POST", "/_test/faults", c.add_fault),
        ("DELETE", "/_test/faults", c.clear_faults),
        ("POST", "/_test/flood", c.flood),
        ("GET", "/_test/counters", c.counters),
        ("GET", "/_test/messages", c.messages),
        ("GET", "/_test/sent_per_chat", c.sent_per_chat),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, _guard(handler))
