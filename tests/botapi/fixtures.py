"""pytest fixtures: a local Bot API server started in the test's event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from tests.botapi.server import BotApiServer

ServerFactory = Callable[..., Awaitable[BotApiServer]]


@pytest.fixture
async def botapi() -> AsyncIterator[BotApiServer]:
    """A started server on 127.0.0.1 (ephemeral port), limits off, strict HTML on."""
    async with BotApiServer() as server:
        yield server


@pytest.fixture
async def botapi_factory() -> AsyncIterator[ServerFactory]:
    """Start servers with options: `await botapi_factory(rate_limits=True, lean=True)`."""
    servers: list[BotApiServer] = []

    async def make(**options: Any) -> BotApiServer:
        server = await BotApiServer(**options).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        await server.stop()
