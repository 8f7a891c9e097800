"""Run the local Bot API server on its own: python -m tests.botapi --port N [--rate-limits on|off].

It prints one line, `KABAR_BOTAPI_READY <base_url>`, once it listens (with --port 0 the base
URL carries the port the OS chose), then serves until SIGINT/SIGTERM. A sender in another
process is inspected through the /_test/... control API (see README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from tests.botapi.api import DEFAULT_TOKEN
from tests.botapi.limits import LimitConfig
from tests.botapi.server import BotApiServer

READY = "KABAR_BOTAPI_READY"


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    defaults = LimitConfig()
    p = argparse.ArgumentParser(prog="python -m tests.botapi", description=__doc__)
    p.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free)")
    p.add_argument("--token", default=DEFAULT_TOKEN, help="the one token to accept")
    p.add_argument("--rate-limits", choices=("on", "off"), default="on")
    p.add_argument("--global-rate", type=float, default=defaults.global_rate)
    p.add_argument("--global-burst", type=int, default=defaults.global_burst)
    p.add_argument("--paid-rate", type=float, default=defaults.paid_rate)
    p.add_argument("--chat-rate", type=float, default=defaults.chat_rate)
    p.add_argument("--chat-burst", type=int, default=defaults.chat_burst)
    p.add_argument("--group-per-minute", type=float, default=defaults.group_per_minute)
    p.add_argument("--lean", action="store_true", help="keep counters and the last messages only")
    p.add_argument("--lean-keep", type=int, default=3, help="messages kept per chat when lean")
    p.add_argument(
        "--auto-users", action="store_true", help="any unknown positive chat id is a user"
    )
    p.add_argument("--lenient-html", action="store_true", help="accept a bare & like Telegram")
    p.add_argument("--query-timeout", type=float, default=15.0)
    p.add_argument("--seed", type=int, default=0, help="for fraction-based faults")
    return p.parse_args(argv)


async def serve(options: argparse.Namespace) -> None:
    """Start, announce, and run until a signal arrives."""
    limits = LimitConfig(
        enabled=options.rate_limits == "on",
        global_rate=options.global_rate,
        global_burst=options.global_burst,
        paid_rate=options.paid_rate,
        chat_rate=options.chat_rate,
        chat_burst=options.chat_burst,
        group_per_minute=options.group_per_minute,
    )
    server = BotApiServer(
        token=options.token,
        port=options.port,
        limits=limits,
        lean=options.lean,
        lean_keep=options.lean_keep,
        auto_users=options.auto_users,
        strict_html=not options.lenient_html,
        query_timeout=options.query_timeout,
        seed=options.seed,
    )
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"{READY} {server.base_url}", flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    asyncio.run(serve(parse_args(sys.argv[1:] if argv is None else argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
