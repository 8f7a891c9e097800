"""Fixtures for the server's own tests: a real python-telegram-bot Bot pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from tests.botapi.server import BotApiServer


def make_bot(server: BotApiServer, *, read_timeout: float = 5.0) -> Bot:
    """A PTB Bot talking to `server` exactly as to a self-hosted telegram-bot-api."""
    return Bot(
        server.token,
        base_url=server.base_url,
        request=HTTPXRequest(read_timeout=read_timeout, connect_timeout=2.0),
    )


@pytest.fixture
async def bot(botapi: BotApiServer) -> AsyncIterator[Bot]:
    """An initialized PTB Bot on the local server."""
    async with make_bot(botapi) as instance:
        yield instance
