"""Pending updates and getUpdates long polling with offset confirmation and allowed_updates."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from tests.botapi.errors import GET_UPDATES_CONFLICT, ApiError

JSON = dict[str, Any]
# What Telegram delivers when allowed_updates was never given (or given as []).
DEFAULT_ALLOWED = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
ALL_TYPES = DEFAULT_ALLOWED | {"chat_member", "message_reaction", "message_reaction_count"}


class UpdateQueue:
    """Updates waiting for the bot, numbered; kept until a later offset confirms them."""

    def __init__(self) -> None:
        self.pending: deque[JSON] = deque()
        self.next_id = 1
        self.allowed = DEFAULT_ALLOWED
        self.dropped = 0  # updates not queued because their type was not allowed
        self.delivered = 0
        self._arrived = asyncio.Event()
        self._poller: asyncio.Future[str] | None = None

    def push(self, kind: str, payload: JSON) -> JSON | None:
        """Queue an update of `kind` (e.g. "message"); None if the bot does not receive it."""
        if kind not in self.allowed:
            self.dropped += 1
            return None
        update = {"update_id": self.next_id, kind: payload}
        self.next_id += 1
        self.pending.append(update)
        self._arrived.set()
        return update

    def clear(self) -> None:
        """Drop every pending update (deleteWebhook drop_pending_updates)."""
        self.pending.clear()

    def set_allowed(self, allowed: list[str] | None) -> None:
        """Remember allowed_updates, as Telegram does between calls; [] means the default."""
        if allowed is None:
            return
        self.allowed = frozenset(allowed) & ALL_TYPES if allowed else DEFAULT_ALLOWED

    def confirm(self, offset: int) -> None:
        """Forget updates below `offset`; a negative offset keeps only the last -offset."""
        if offset > 0:
            while self.pending and self.pending[0]["update_id"] < offset:
                self.pending.popleft()
        elif offset < 0:
            while len(self.pending) > -offset:
                self.pending.popleft()

    def _ready(self, limit: int) -> list[JSON]:
        result: list[JSON] = []
        for update in self.pending:
            if len(result) >= limit:
                break
            result.append(update)
        return result

    async def get(self, offset: int, limit: int, timeout: float) -> list[JSON]:
        """getUpdates: confirm, then wait up to `timeout` s for at least one update."""
        self._terminate_other_poller()
        self.confirm(offset)
        limit = min(max(limit, 1), 100)
        ready = self._ready(limit)
        if ready or timeout <= 0:
            self.delivered += len(ready)
            return ready
        poller: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._poller = poller
        deadline = time.monotonic() + timeout
        try:
            while not ready:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._arrived.clear()
                arrived = asyncio.ensure_future(self._arrived.wait())
                waiters: set[asyncio.Future[Any]] = {arrived, poller}
                try:
                    await asyncio.wait(waiters, timeout=left, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    arrived.cancel()
                if poller.done():
                    if poller.result() == "conflict":
                        raise ApiError(409, GET_UPDATES_CONFLICT)
                    break
                ready = self._ready(limit)
        finally:
            if self._poller is poller:
                self._poller = None
        self.delivered += len(ready)
        return ready

    def _terminate_other_poller(self, reason: str = "conflict") -> None:
        if self._poller is not None and not self._poller.done():
            self._poller.set_result(reason)
        self._poller = None

    def stop(self) -> None:
        """Answer a waiting getUpdates at once with what there is (server shutdown)."""
        self._terminate_other_poller("stop")
