"""`kabar broadcast`: send a message to every active subscriber (or a language or topic)."""

from __future__ import annotations

import sys

import click

from kabar import broadcast
from kabar.broadcast import Audience
from kabar.commands.common import async_command, database, settings
from kabar.errors import DeliveryError


@click.command("broadcast")
@click.option("--text", "text", help="Telegram HTML to send; - reads it from stdin.")
@click.option("--language", help="Only subscribers whose interface language is this (id, en).")
@click.option("--topic", help="Only subscribers who follow this topic.")
@click.option("--yes", is_flag=True, help="Queue without asking for confirmation.")
@click.option("--progress", "progress_id", type=int, help="Show the progress of broadcast ID.")
@click.option("--cancel", "cancel_id", type=int, help="Cancel broadcast ID.")
@async_command
async def broadcast_command(
    *,
    text: str | None,
    language: str | None,
    topic: str | None,
    yes: bool,
    progress_id: int | None,
    cancel_id: int | None,
) -> None:
    """Queue a broadcast; the worker sends it at KABAR_SEND_RATE."""
    cfg = settings()
    async with database(cfg) as db:
        if progress_id is not None:
            click.echo(_figures(await broadcast.progress(db, progress_id)))
            return
        if cancel_id is not None:
            done = await broadcast.cancel(db, cancel_id)
            click.echo(f"broadcast {cancel_id} " + ("cancelled" if done else "had already ended"))
            click.echo(_figures(await broadcast.progress(db, cancel_id)))
            return
        if not text:
            raise click.UsageError("give --text TEXT (or --progress ID / --cancel ID)")
        body = sys.stdin.read() if text == "-" else text
        audience = _audience(language, topic)
        count = await broadcast.count_audience(db, audience)
        if count == 0:
            raise DeliveryError("nobody is in that audience")
        label = audience.kind if audience.value is None else f"{audience.kind} {audience.value}"
        minutes = count / cfg.send_rate / 60
        click.echo(f"{count} chats ({label}); at {cfg.send_rate:g}/s about {minutes:.0f} min")
        if not yes:
            click.confirm("queue this broadcast?", abort=True)
        broadcast_id = await broadcast.create(db, body, audience=audience)
        total = await broadcast.queue(db, broadcast_id)
    click.echo(
        f"queued broadcast {broadcast_id} to {total} chats; "
        f"follow it with --progress {broadcast_id}"
    )


def _audience(language: str | None, topic: str | None) -> Audience:
    if language and topic:
        raise click.UsageError("choose --language or --topic, not both")
    if language:
        return Audience("language", language)
    if topic:
        return Audience("topic", topic)
    return Audience()


def _figures(p: broadcast.Progress) -> str:
    eta = f"{p.eta_seconds:.0f} s" if p.eta_seconds is not None else "-"
    line = (
        f"broadcast {p.id}: {p.status}; sent {p.sent} of {p.total}, failed {p.failed}, "
        f"uncertain {p.uncertain}, blocked {p.blocked}, cancelled {p.cancelled}, "
        f"remaining {p.remaining}, {p.rate:.1f}/s, ETA {eta}"
    )
    return line + (f"\nlast error: {p.last_error}" if p.last_error else "")
