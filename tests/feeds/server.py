"""A local HTTP server on loopback for fetch and ingest tests: canned or hostile answers."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Hit:
    """One request the server answered."""

    path: str
    headers: dict[str, str]
    local_ip: str


@dataclass
class FeedServer:
    """Serves whatever the test routes; records every request. Loopback only."""

    hosts: tuple[str, ...] = ("127.0.0.1",)
    port: int = 0
    routes: dict[str, Handler] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    async def start(self) -> FeedServer:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        for host in self.hosts:
            assert host.startswith("127.") or host == "::1", "tests only talk to loopback"
            site = web.TCPSite(self._runner, host, self.port)
            await site.start()
            if not self.port:
                server = site._server
                assert server is not None
                self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.hosts[0]}:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def serve(self, path: str, body: bytes | str, **kwargs: object) -> None:
        """Answer `path` with a fixed body; ETag/If-None-Match and Last-Modified honoured."""
        self.routes[path] = static(body, **kwargs)  # type: ignore[arg-type]

    def count(self, path: str) -> int:
        return sum(1 for h in self.hits if h.path == path)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        self.hits.append(
            Hit(request.path_qs, dict(request.headers), sockname[0] if sockname else "?")
        )
        handler = self.routes.get(request.path_qs) or self.routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="not found")
        return await handler(request)


def static(
    body: bytes | str,
    *,
    content_type: str = "application/rss+xml",
    status: int = 200,
    headers: dict[str, str] | None = None,
    etag: bool = True,
    last_modified: str | None = "Wed, 20 Nov 2024 10:00:00 GMT",
) -> Handler:
    data = body.encode() if isinstance(body, str) else body
    tag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'

    async def handler(request: web.Request) -> web.StreamResponse:
        extra = dict(headers or {})
        if etag:
            extra["ETag"] = tag
            if request.headers.get("If-None-Match") == tag:
                return web.Response(status=304, headers=extra)
        if last_modified:
            extra["Last-Modified"] = last_modified
            if not etag and request.headers.get("If-Modified-Since") == last_modified:
                return web.Response(status=304, headers=extra)
        if "Content-Type" in extra:
            return web.Response(status=status, body=data, headers=extra)
        return web.Response(status=status, body=data, headers=extra, content_type=content_type)

    return handler


def redirect(location: str, status: int = 302) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": location})

    return handler


def status(code: int, headers: dict[str, str] | None = None, body: str = "") -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=code, headers=headers or {}, text=body)

    return handler


def drip(interval: float = 0.2, chunks: int = 1000) -> Handler:
    """A body sent one byte at a time: every read succeeds, the whole never arrives."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await response.write(b"<")
            for _ in range(chunks):
                await asyncio.sleep(interval)
                await response.write(b" ")
        return response

    return handler


@dataclass
class Streamed:
    """Counts what a streaming handler managed to send before the client hung up."""

    sent: int = 0


def stream(
    total: int,
    chunk: bytes,
    *,
    headers: dict[str, str] | None = None,
    counter: Streamed | None = None,
) -> Handler:
    """Stream `chunk` repeatedly up to `total` bytes (a huge body, or a gzip bomb's pieces)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "application/rss+xml", **(headers or {})}
        )
        await response.prepare(request)
        sent = 0
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            while sent < total:
                await response.write(chunk)
                sent += len(chunk)
                if counter is not None:
                    counter.sent = sent
        return response

    return handler
