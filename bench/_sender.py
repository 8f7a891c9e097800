"""Kabar's sender with the global rate lifted, as its own process (bench/broadcast's ceiling).

`python -m bench._sender` reads the usual settings from the environment and sends until
SIGTERM, exactly like the worker's sender but without KABAR_SEND_RATE's pacing (whose maximum,
1,000/s, is the figure under test).
"""

from __future__ import annotations

import asyncio
import signal

from bot.sender import build_sender
from kabar.config import load_settings
from kabar.db import Database


async def run() -> None:
    """Send until SIGTERM."""
    settings = load_settings()
    db = Database(settings.database_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await build_sender(db, settings, rate=None).run(stop)
    finally:
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(run())
