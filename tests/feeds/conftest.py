"""Fixtures for fetch tests: a loopback server and fetchers with chosen address policies."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from kabar.feeds.fetch import Fetcher, FetchLimits
from kabar.feeds.netsafety import AddressPolicy, IPAddress, parse_ip
from tests.feeds.server import FeedServer

MakeFetcher = Callable[..., Fetcher]


def fixed_resolver(table: dict[str, list[str]]) -> Callable[[str, int], Awaitable[list[IPAddress]]]:
    """A resolver answering from `table` (test host names to loopback addresses only)."""

    async def resolve(host: str, port: int) -> list[IPAddress]:
        answers = [parse_ip(a) for a in table.get(host, [])]
        assert all(a is not None and a.is_loopback for a in answers), "loopback only"
        return [a for a in answers if a is not None]

    return resolve


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    srv = await FeedServer().start()
    yield srv
    await srv.stop()


@pytest.fixture
async def make_fetcher() -> AsyncIterator[MakeFetcher]:
    """Build fetchers (closed after the test); by default private networks are allowed."""
    made: list[Fetcher] = []

    def build(
        *,
        allow_private: bool = True,
        allowed: frozenset[str] = frozenset(),
        resolver: Callable[[str, int], Awaitable[list[IPAddress]]] | None = None,
        **limits: object,
    ) -> Fetcher:
        policy = AddressPolicy.from_settings(allow_private, allowed)
        settings = FetchLimits(**{"timeout": 5.0, **limits})  # type: ignore[arg-type]
        fetcher = (
            Fetcher(policy, settings, resolver=resolver) if resolver else Fetcher(policy, settings)
        )
        made.append(fetcher)
        return fetcher

    yield build
    for fetcher in made:
        await fetcher.aclose()
