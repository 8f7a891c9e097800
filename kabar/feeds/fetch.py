"""The safe fetcher: one shared httpx client, politeness limits, redirects and caps by hand."""

from __future__ import annotations

import asyncio
import http.cookiejar
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import version
from urllib.parse import urljoin

import httpx

from kabar.config import Settings
from kabar.db.types import utcnow
from kabar.errors import FetchError, UnsafeURLError
from kabar.feeds.body import ACCEPT_ENCODING, read_capped
from kabar.feeds.netsafety import AddressPolicy, check_url
from kabar.feeds.schedule import retry_after_seconds
from kabar.feeds.transport import GuardedTransport, Resolver, system_resolver

MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
KEPT_HEADERS = (
    "content-type",
    "content-language",
    "etag",
    "last-modified",
    "cache-control",
    "expires",
    "date",
    "retry-after",
)


def default_user_agent() -> str:
    """Who is asking, with a hint of why, as polite crawlers do."""
    return f"Kabar/{version('kabar')} (news digest bot; feed reader)"


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one GET (after its redirects) produced."""

    url: str  # the final URL, after redirects
    status: int  # 200..299 or 304
    content: bytes
    headers: dict[str, str]  # the KEPT_HEADERS the server sent, lower-case names
    fetched_at: datetime
    moved_to: str | None = None  # set when every redirect was permanent (301/308)

    @property
    def not_modified(self) -> bool:
        """Whether the server answered 304 to a conditional GET."""
        return self.status == 304


@dataclass(slots=True)
class _HostSlot:
    semaphore: asyncio.Semaphore
    users: int = 0


@dataclass(slots=True)
class FetchLimits:
    """How much the fetcher may do at once and how much it may read."""

    timeout: float = 30.0
    max_bytes: int = 10_000_000
    concurrency: int = 20
    per_host: int = 2
    page_concurrency: int = 4
    user_agent: str = field(default_factory=default_user_agent)


class Fetcher:
    """GETs feeds and pages through one client, within the limits and the address policy."""

    def __init__(
        self,
        policy: AddressPolicy,
        limits: FetchLimits | None = None,
        *,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.policy = policy
        self.limits = limits or FetchLimits()
        # A pool no larger than the requests in flight: httpcore checks every pooled connection
        # on every request, so a big idle pool costs more CPU than the handshakes it saves.
        connections = self.limits.concurrency + self.limits.page_concurrency
        transport = GuardedTransport(
            policy,
            resolver=resolver,
            limits=httpx.Limits(
                max_connections=connections,
                max_keepalive_connections=connections,
                keepalive_expiry=30,
            ),
        )
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            trust_env=False,  # a proxy would connect for us and skip the address checks
            timeout=httpx.Timeout(self.limits.timeout),
            # Cookies would leak between feeds on the shared client; feeds need none.
            cookies=http.cookiejar.CookieJar(
                http.cookiejar.DefaultCookiePolicy(allowed_domains=[])
            ),
            headers={"User-Agent": self.limits.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )
        self._feeds = asyncio.Semaphore(self.limits.concurrency)
        self._pages = asyncio.Semaphore(self.limits.page_concurrency)
        self._hosts: dict[str, _HostSlot] = {}

    @classmethod
    def from_settings(cls, settings: Settings, *, resolver: Resolver = system_resolver) -> Fetcher:
        """A fetcher with the operator's limits and address policy."""
        policy = AddressPolicy.from_settings(
            settings.allow_private_networks, settings.allowed_hosts
        )
        limits = FetchLimits(
            timeout=settings.fetch_timeout_seconds,
            max_bytes=settings.max_feed_bytes,
            concurrency=settings.fetch_concurrency,
            per_host=settings.fetch_per_host,
            page_concurrency=settings.fulltext_concurrency,
            user_agent=settings.user_agent or default_user_agent(),
        )
        return cls(policy, limits, resolver=resolver)

    async def fetch_feed(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET a feed, conditionally when validators are known."""
        headers = {"Accept": FEED_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._get(url, headers, self._feeds)

    async def fetch_page(self, url: str) -> FetchResult:
        """GET an article page, under the lower page concurrency."""
        return await self._get(url, {"Accept": PAGE_ACCEPT}, self._pages)

    async def aclose(self) -> None:
        """Close the shared client and its connections."""
        await self._client.aclose()

    async def _get(
        self, url: str, headers: dict[str, str], limiter: asyncio.Semaphore
    ) -> FetchResult:
        try:
            return await self._follow(url, headers, limiter)
        except TimeoutError:
            raise FetchError(f"no complete answer within {self.limits.timeout:g} s") from None
        except httpx.TimeoutException:
            raise FetchError(f"timed out talking to {_host(url)}") from None
        except httpx.HTTPError as exc:
            raise FetchError(_describe(exc)) from None

    async def _follow(
        self, url: str, headers: dict[str, str], limiter: asyncio.Semaphore
    ) -> FetchResult:
        current = url
        seen = {url}
        permanent = True
        deadline: float | None = None
        for _hop in range(MAX_REDIRECTS + 1):
            host = check_url(current, self.policy)
            # A task holds at most one host slot and one global slot, taken in that order, and
            # waits for a slot holding nothing, so busy hosts cannot starve the others.
            async with self._host_slot(host), limiter:
                if deadline is None:  # the clock starts once a slot is ours, not in the queue
                    deadline = asyncio.get_running_loop().time() + self.limits.timeout
                async with asyncio.timeout_at(deadline):
                    result = await self._once(current, headers)
            if isinstance(result, FetchResult):
                moved = result.url if permanent and result.url != url else None
                return _with_moved(result, moved)
            status, location = result
            permanent = permanent and status in PERMANENT
            if location in seen:
                raise FetchError(f"redirect loop at {location[:200]}", status=status)
            seen.add(location)
            current = location
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    async def _once(self, url: str, headers: dict[str, str]) -> FetchResult | tuple[int, str]:
        try:
            request = self._client.build_request("GET", url, headers=headers)
        except (httpx.InvalidURL, ValueError) as exc:
            raise UnsafeURLError(f"malformed URL {url[:200]!r}: {exc}") from None
        response = await self._client.send(request, stream=True)
        try:
            status = response.status_code
            if status in REDIRECTS and response.headers.get("location"):
                return status, urljoin(url, response.headers["location"].strip())
            kept = {k: response.headers[k] for k in KEPT_HEADERS if k in response.headers}
            if status == 304:
                return FetchResult(url, status, b"", kept, utcnow())
            if not 200 <= status < 300:
                raise _status_error(status, kept)
            content = await read_capped(
                response.aiter_raw(),
                response.headers.get("content-encoding"),
                self.limits.max_bytes,
            )
            return FetchResult(url, status, content, kept, utcnow())
        finally:
            await response.aclose()

    @asynccontextmanager
    async def _host_slot(self, host: str) -> AsyncIterator[None]:
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = _HostSlot(asyncio.Semaphore(self.limits.per_host))
        slot.users += 1
        try:
            async with slot.semaphore:
                yield
        finally:
            slot.users -= 1
            if slot.users == 0:
                del self._hosts[host]  # keep the table as small as the set of hosts in flight


def _with_moved(result: FetchResult, moved: str | None) -> FetchResult:
    if moved is None:
        return result
    return FetchResult(
        result.url, result.status, result.content, result.headers, result.fetched_at, moved
    )


def _status_error(status: int, headers: dict[str, str]) -> FetchError:
    retry_after = None
    if status in (429, 503) and "retry-after" in headers:
        retry_after = retry_after_seconds(headers["retry-after"], utcnow())
    phrase = httpx.codes.get_reason_phrase(status) or "error"
    return FetchError(f"HTTP {status} {phrase}", status=status, retry_after=retry_after)


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or url[:100]
    except httpx.InvalidURL:
        return url[:100]


def _describe(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {text}"[:300]
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"broken HTTP answer: {text}"[:300]
    return f"{type(exc).__name__}: {text}"[:300]
