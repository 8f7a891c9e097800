"""A python-telegram-bot request backend on aiohttp, for the sender's many small requests.

PTB's default backend (httpx) spends over a millisecond of CPU per call, and its connection pool
grows costlier with every connection in use; aiohttp's client takes a fraction of that. The
sender sends only JSON requests (no file uploads), which is all this backend supports.

Timeouts are told apart like this: no connection in time -> TimedOut (nothing was sent, safe to
retry); no answer in time after the request was written -> AnswerTimedOut (it may have been
delivered: the sender records it as uncertain and never resends it blindly).
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AnswerTimedOut(TimedOut):
    """The request was written but no answer came in time: it may have been processed."""


class AiohttpRequest(BaseRequest):
    """BaseRequest on an aiohttp ClientSession (created in `initialize`, closed in `shutdown`)."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 64,
        read_timeout: float | None = 10.0,
        connect_timeout: float | None = 10.0,
    ) -> None:
        self._pool = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default seconds to wait for an answer."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (idempotent)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(  # noqa: PLR0917 (the signature is BaseRequest's)
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one Bot API call; see BaseRequest.do_request."""
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        if request_data is not None and request_data.contains_files:
            raise NetworkError("AiohttpRequest does not upload files")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        # The pool wait counts as connecting: nothing has been sent while we wait for a slot.
        timeout = aiohttp.ClientTimeout(total=None, connect=connect, sock_read=read)
        body = request_data.json_payload if request_data is not None else None
        try:
            async with self._session.request(
                method,
                url,
                data=body,
                headers={"Content-Type": "application/json"} if body is not None else None,
                timeout=timeout,
            ) as response:
                return response.status, await response.read()
        except aiohttp.SocketTimeoutError as err:
            raise AnswerTimedOut("no answer in time") from err
        except TimeoutError as err:  # connecting (aiohttp.ConnectionTimeoutError) or the pool
            raise TimedOut("could not connect in time") from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
