"""Drive a standalone server (python -m tests.botapi) from another process over /_test/...."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from tests.botapi.__main__ import READY

REPO_ROOT = Path(__file__).resolve().parents[2]


class RemoteBotApi:
    """A thin client for the control API of a server in another process."""

    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url  # http://127.0.0.1:PORT/bot
        self.url = base_url.removesuffix("/bot")
        self.token = token
        self._client = httpx.AsyncClient(base_url=self.url, timeout=70.0)

    async def __aenter__(self) -> RemoteBotApi:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """One control call; the "result" of the answer (RuntimeError on failure)."""
        response = await self._client.request(method, f"/_test/{path}", json=body, params=params)
        data = response.json()
        if not data.get("ok"):
            raise RuntimeError(f"{method} /_test/{path}: {data.get('error')}")
        return data["result"]

    async def health(self) -> Any:
        """Token and base URL."""
        return await self.call("GET", "health")

    async def create_users(self, first_id: int, count: int, **options: Any) -> Any:
        """Many users at once (ids first_id .. first_id+count-1), all started."""
        return await self.call(
            "POST", "users/bulk", {"first_id": first_id, "count": count, **options}
        )

    async def create_user(self, **options: Any) -> Any:
        """One user (first_name, id, language_code, username, started)."""
        return await self.call("POST", "users", options)

    async def create_chat(self, kind: str, **options: Any) -> Any:
        """A group, supergroup or channel (members=[{"user_id", "status"}], forum, id...)."""
        return await self.call("POST", "chats", {"type": kind, **options})

    async def send(self, user_id: int, text: str, **options: Any) -> Any:
        """A user writes to the bot (chat_id=, thread_id= for groups)."""
        return await self.call("POST", f"users/{user_id}/send", {"text": text, **options})

    async def add_fault(self, preset: str | None = None, **options: Any) -> Any:
        """Script a fault (same options as BotApiServer.add_fault)."""
        return await self.call("POST", "faults", {"preset": preset, **options})

    async def clear_faults(self) -> Any:
        """Remove every fault."""
        return await self.call("DELETE", "faults")

    async def flood(self, seconds: float, retry_after: int | None = None) -> Any:
        """Global flood mode for `seconds`."""
        return await self.call("POST", "flood", {"seconds": seconds, "retry_after": retry_after})

    async def configure(self, **options: Any) -> Any:
        """limits={...}, lean=, auto_users=, strict_html=, query_timeout=."""
        return await self.call("POST", "config", options)

    async def counters(self) -> Any:
        """Requests, responses, 429s, per-second sends, sustained rate."""
        return await self.call("GET", "counters")

    async def messages(self, **params: Any) -> Any:
        """Bot messages (chat_id=, after=, wait=)."""
        return await self.call("GET", "messages", **params)

    async def sent_per_chat(self) -> dict[int, int]:
        """How many messages the bot sent to each chat."""
        result = await self.call("GET", "sent_per_chat")
        return {int(k): v for k, v in result.items()}

    async def chat(self, chat_id: int) -> Any:
        """A chat's state (bot_status, migrated_to, blocked, sent...)."""
        return await self.call("GET", f"chats/{chat_id}")

    async def reset(self, *, keep_chats: bool = False) -> Any:
        """Forget messages, counters, faults (and chats unless kept)."""
        return await self.call("POST", "reset", {"keep_chats": keep_chats})


@contextlib.asynccontextmanager
async def standalone(*args: str) -> AsyncIterator[RemoteBotApi]:
    """Run `python -m tests.botapi --port 0 *args` in a child process; yield its client."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.botapi",
        "--port",
        "0",
        *args,
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode().strip()
        if not line.startswith(READY):
            raise RuntimeError(f"the Bot API server did not start: {line!r}")
        async with RemoteBotApi(line.split()[1]) as remote:
            yield remote
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()
