"""`kabar run` as an operator starts it: a real process polling a local Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from kabar.chats import get_chat
from kabar.config import Settings, env_name
from kabar.db import Database
from tests.botapi import BotApiServer


async def test_kabar_run_registers_on_start_and_answers_help(
    botapi: BotApiServer, tmp_path: Path, sqlite_url: str
) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in {env_name(f) for f in Settings.model_fields}
    }
    env |= {
        "TELEGRAM_BOT_TOKEN": botapi.token,
        "TELEGRAM_API_URL": botapi.base_url,
        "DATABASE_URL": sqlite_url,
        "KABAR_IMPORT_CATALOG": "false",
        "KABAR_LOG_LEVEL": "DEBUG",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kabar",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        user = botapi.create_user("Budi", language_code="id")
        await user.send("/start")
        welcome = await user.next_message(timeout=60)
        assert "Budi" in (welcome.text or "")
        await user.send("/help")  # after /start's onboarding screen comes the help
        assert "/start" in ((await user.next_message(match="/start", timeout=30)).text or "")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, stderr.decode()[-2000:]
    log = stderr.decode()
    assert "kabar is running" in log
    assert botapi.token not in log  # DEBUG logging, and still no token

    db = Database(sqlite_url)
    try:
        chat = await get_chat(db, user.id)
    finally:
        await db.dispose()
    assert chat is not None
    assert chat.active
    assert chat.language == "id"
