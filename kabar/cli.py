"""The `kabar` command: the composition root that wires the core, bot/ and jobs/ together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from datetime import datetime, timedelta
from importlib.metadata import version
from typing import Any
from urllib.parse import urlsplit

import click

from kabar.commands.broadcast import broadcast_command
from kabar.commands.common import async_command, settings
from kabar.commands.db import db_group
from kabar.commands.digest import digest_command
from kabar.commands.feeds import feeds_group
from kabar.commands.fetch import fetch_command
from kabar.commands.search import search_command
from kabar.commands.summarize import summarize_command
from kabar.config import Settings
from kabar.db import Database, utcnow
from kabar.errors import KabarError
from kabar.logs import setup_logging
from kabar.services import open_services
from kabar.state import HEARTBEAT_KEY, get_state

log = logging.getLogger("kabar")

BOTFATHER_HELP = """\
error: TELEGRAM_BOT_TOKEN is not set, so Kabar cannot talk to Telegram.

To get a token:
  1. In Telegram, open a chat with @BotFather (https://t.me/BotFather).
  2. Send /newbot, then choose a display name and a username ending in "bot".
  3. BotFather replies with a token that looks like 123456789:AAE-xyz...

Then put it where Kabar reads it:
  cp .env.example .env        # once
  edit .env and set TELEGRAM_BOT_TOKEN=123456789:AAE-xyz...
  make run                    # or: export TELEGRAM_BOT_TOKEN=... && kabar run
"""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version("kabar"), prog_name="kabar")
def main() -> None:
    """Kabar: news digests, search and alerts for Telegram, summarized locally."""


main.add_command(db_group)
main.add_command(feeds_group)
main.add_command(fetch_command)
main.add_command(summarize_command)
main.add_command(search_command)
main.add_command(digest_command)
main.add_command(broadcast_command)


@main.command("run")
@click.option(
    "--role",
    type=click.Choice(["all", "bot", "worker"]),
    default="all",
    show_default=True,
    help="all: bot and scheduler; bot: answer users only; worker: scheduled jobs and sending.",
)
def run_command(role: str) -> None:
    """Run the bot and the scheduler (applies pending migrations first)."""
    cfg = settings()
    if not cfg.token:
        click.echo(BOTFATHER_HELP, err=True)
        sys.exit(2)
    setup_logging(cfg.log_level, secrets=[cfg.token])
    try:
        asyncio.run(serve(cfg, role))
    except KabarError as exc:
        raise click.ClickException(str(exc)) from None


ALLOWED_UPDATES = [
    "message",
    "edited_message",
    "channel_post",
    "callback_query",
    "inline_query",
    "chosen_inline_result",
    "my_chat_member",
]


async def serve(cfg: Settings, role: str = "all", stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or until `stop` is set)."""
    from bot.app import build_application, publish_commands
    from jobs.schedule import schedule_jobs

    stop = stop or _stop_on_signals()
    async with open_services(cfg) as svc:
        app = build_application(svc, polling=role != "worker")
        if role in ("all", "worker"):
            schedule_jobs(app, svc)
        async with app:
            await app.start()
            if app.updater is not None:
                await publish_commands(app)
                await _receive_updates(app, cfg)
            log.info("kabar is running (role %s)", role)
            await stop.wait()
            log.info("stopping")
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            await app.stop()


async def _receive_updates(app: Any, cfg: Settings) -> None:
    """Long polling by default; a webhook when KABAR_WEBHOOK_URL is set."""
    if cfg.webhook_url:
        secret = cfg.webhook_secret.get_secret_value() if cfg.webhook_secret else None
        await app.updater.start_webhook(
            listen="0.0.0.0",  # noqa: S104 (the webhook must be reachable from outside)
            port=cfg.webhook_port,
            url_path=urlsplit(cfg.webhook_url).path.lstrip("/"),
            webhook_url=cfg.webhook_url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


@main.command("health")
@click.option("--max-age", default=180, show_default=True, help="Seconds since the last heartbeat.")
@async_command
async def health(max_age: int) -> None:
    """Exit 0 if the database answers and the scheduler beat recently (for HEALTHCHECK)."""
    db = Database(settings().database_url)
    try:
        beat = await get_state(db, HEARTBEAT_KEY)
    finally:
        await db.dispose()
    if not beat:
        raise click.ClickException("no heartbeat yet")
    age = utcnow() - datetime.fromisoformat(beat["at"])
    if age > timedelta(seconds=max_age):
        raise click.ClickException(f"last heartbeat {int(age.total_seconds())} s ago")
    click.echo(f"ok: last heartbeat {int(age.total_seconds())} s ago")
