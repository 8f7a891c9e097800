"""The /_test/ control API (in process and in a standalone child process) and lean mode."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.botapi.remote import RemoteBotApi, standalone
from tests.botapi.server import BotApiServer


async def ptb_like_send(
    client: httpx.AsyncClient, base_url: str, token: str, chat_id: int, text: str, **extra: Any
) -> httpx.Response:
    """POST a form body the way python-telegram-bot does (nested values JSON-encoded)."""
    data = {"chat_id": str(chat_id), "text": text, **extra}
    return await client.post(f"{base_url}{token}/sendMessage", data=data)


async def test_control_api_in_process(botapi: BotApiServer) -> None:
    async with RemoteBotApi(botapi.base_url) as remote, httpx.AsyncClient() as client:
        assert (await remote.health())["base_url"] == botapi.base_url
        await remote.create_users(5000, 3, language_code="en")
        group = await remote.create_chat(
            "supergroup", forum=True, members=[{"user_id": 5000, "status": "creator"}]
        )
        await remote.add_fault("blocked", chat_id=5001, times=None)
        for chat_id in (5000, 5001, 5002, group["id"]):
            await ptb_like_send(
                client,
                botapi.base_url,
                botapi.token,
                chat_id,
                "<b>Berita</b>",
                parse_mode="HTML",
                message_thread_id="3",
                reply_markup='{"inline_keyboard":[[{"text":"Buka","callback_data":"o:1"}]]}',
            )
        assert await remote.sent_per_chat() == {5000: 1, 5002: 1, group["id"]: 1}
        listed = await remote.messages(chat_id=group["id"])
        [message] = listed["messages"]
        assert (message["text"], message["thread_id"]) == ("Berita", 3)
        counters = await remote.counters()
        assert counters["requests"] == {"sendMessage": 4}
        assert counters["responses"] == {"200": 3, "403": 1}
        assert counters["errors"] == {"Forbidden: bot was blocked by the user": 1}
        # A user acts through the control API; the update waits for the bot.
        await remote.send(5000, "/start from-control")
        assert botapi.api.updates.pending[-1]["message"]["text"] == "/start from-control"
        pressed = await remote.call("POST", "users/5000/press", {"message_id": 1, "text": "Buka"})
        callbacks = await remote.call("GET", "callbacks")
        assert callbacks[0]["id"] == pressed["callback_query_id"]
        assert callbacks[0]["answered"] is False
        await remote.call("POST", "users/5002/block")
        assert (await remote.chat(5002))["blocked"] is True
        migrated = await remote.create_chat("group", members=[{"user_id": 5000}])
        new = await remote.call("POST", f"chats/{migrated['id']}/migrate", {"by": 5000})
        assert (await remote.chat(migrated["id"]))["migrated_to"] == new["migrate_to_chat_id"]
        await remote.configure(limits={"enabled": True, "global_rate": 1, "global_burst": 1})
        await remote.reset(keep_chats=True)
        assert await remote.sent_per_chat() == {}
        assert botapi.limits.enabled and botapi.limits.global_rate == 1
        with pytest.raises(RuntimeError, match="not found"):
            await remote.chat(123)


async def test_messages_long_poll_waits_for_the_next_send(botapi: BotApiServer) -> None:
    user = botapi.create_user()
    async with RemoteBotApi(botapi.base_url) as remote, httpx.AsyncClient() as client:
        waiting = asyncio.ensure_future(remote.messages(after=-1, wait=5))
        await asyncio.sleep(0.05)
        await ptb_like_send(client, botapi.base_url, botapi.token, user.id, "halo")
        result = await waiting
        assert [m["text"] for m in result["messages"]] == ["halo"]
        assert result["next"] == 0


async def test_lean_mode_keeps_counters_and_last_messages(botapi_factory: Any) -> None:
    server: BotApiServer = await botapi_factory(lean=True, lean_keep=2, auto_users=True)
    async with httpx.AsyncClient() as client:
        for i in range(5):
            response = await ptb_like_send(client, server.base_url, server.token, 77, f"m{i}")
            assert response.json()["result"]["message_id"] == i + 1
    chat = server.api.world.chats[77]  # auto_users made the user on first contact
    assert [m.text for m in chat.messages.values()] == ["m3", "m4"]
    assert chat.sent == 5 and server.counters.sent == 5
    assert server.journal == []


async def test_standalone_process() -> None:
    async with (
        standalone("--rate-limits", "on", "--global-rate", "3", "--global-burst", "3") as (remote),
        httpx.AsyncClient() as client,
    ):
        token = (await remote.health())["token"]
        await remote.create_users(1, 4)
        codes = [
            (await ptb_like_send(client, remote.base_url, token, chat_id, "x")).status_code
            for chat_id in range(1, 5)
        ]
        assert codes == [200, 200, 200, 429]
        counters = await remote.counters()
        assert counters["too_many_requests"] == 1
        assert counters["too_many_by_scope"] == {"global": 1}
        assert counters["sent"] == 3
        wrong = await client.post(f"{remote.base_url}0:bad/getMe")
        assert wrong.status_code == 401
