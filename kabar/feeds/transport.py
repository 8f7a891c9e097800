"""An httpx transport that connects only to addresses it has resolved and checked itself.

httpx resolves host names deep inside httpcore, so checking a URL's host before the request
leaves a gap: DNS may answer differently the second time (rebinding). Here the network backend
resolves once, checks every address, connects to a checked address literally, and confirms the
socket's peer is that address, so what was checked is what was connected to, on every
connection, including those opened for redirects.
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore
import httpx

from kabar.errors import UnsafeURLError
from kabar.feeds.netsafety import AddressPolicy, IPAddress, check_address, parse_ip

Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives for `host`, in its order, without duplicates."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror}") from None
    seen: dict[str, IPAddress] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        literal = str(sockaddr[0])
        address = parse_ip(literal)
        if address is not None:
            seen.setdefault(literal, address)
    return list(seen.values())


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve, check every address against the policy, then connect to a checked address."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver = system_resolver) -> None:
        self._policy = policy
        self._resolver = resolver
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        literal = parse_ip(host)
        addresses = [literal] if literal is not None else await self._resolver(host, port)
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        for address in addresses:  # one bad answer refuses the host: a mixed answer is a trick
            check_address(address, host, self._policy)
        last_error: Exception | None = None
        for address in addresses:
            try:
                stream = await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
                continue
            await self._confirm_peer(stream, address, host)
            return _CachedStream(stream)
        assert last_error is not None
        raise last_error

    async def _confirm_peer(
        self, stream: httpcore.AsyncNetworkStream, address: IPAddress, host: str
    ) -> None:
        peer = stream.get_extra_info("server_addr")
        actual = parse_ip(str(peer[0])) if peer else None
        if actual is None or actual != address:
            await stream.aclose()
            raise UnsafeURLError(f"connected to {host} at {actual}, not the checked {address}")
        check_address(actual, host, self._policy)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise UnsafeURLError("unix sockets are never used for fetching")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _CachedStream(httpcore.AsyncNetworkStream):
    """A stream that answers "is_readable" from its socket directly.

    httpcore asks every pooled connection whether it is readable on every request; anyio builds
    a dictionary of socket attributes (with system calls) for each such question, which made
    that bookkeeping a large share of a pass's CPU.
    """

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
    ) -> httpcore.AsyncNetworkStream:
        return _CachedStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return _readable(self._socket)
        return self._inner.get_extra_info(info)


def _readable(sock: socket.socket | None) -> bool:
    """Whether a read would return at once (data, or the end of a closed connection)."""
    fd = sock.fileno() if sock is not None else -1
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (its request and error mapping) over a GuardedBackend pool."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver = system_resolver,
        limits: httpx.Limits,
    ) -> None:
        ssl_context = httpx.create_ssl_context()  # verifying, with certifi's roots
        super().__init__(verify=ssl_context, limits=limits, trust_env=False)
        # httpx has no public knob for the network backend, so its pool is replaced by one with
        # the same settings over the guarded backend.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy, resolver),
        )
