"""`kabar digest`: queue the digests due now, or preview one chat's digest."""

from __future__ import annotations

import click
from sqlalchemy import select

from kabar import digest
from kabar.commands.common import async_command, database, settings
from kabar.db import Database
from kabar.db.models import Chat, Subscription
from kabar.errors import NotFoundError


@click.command("digest")
@click.option(
    "--preview", is_flag=True, help="Print the digest a chat would get now; send nothing."
)
@click.option("--chat", "chat", type=int, help="Telegram chat id (default: the first subscriber).")
@async_command
async def digest_command(preview: bool, chat: int | None) -> None:
    """Queue the digests that are due now (or, with --preview, print one)."""
    cfg = settings()
    async with database(cfg) as db:
        if not preview:
            report = await digest.run_due(db, cfg, budget=float("inf"))
            click.echo(
                f"{report.due} due: {report.queued} queued, {report.empty} with nothing new, "
                f"{report.skipped} already handled"
            )
            return
        chat_id = await _pick_chat(db, chat)
        pages = await digest.preview(db, chat_id, cfg)
    if not pages:
        click.echo("nothing new for this chat since its last digest")
        return
    for page in pages:
        click.echo(page.text)
        for row in page.buttons:
            click.echo("  " + "  ".join(f"[{b.text}]" for b in row))
        click.echo(f"--- page {page.index + 1} of {page.count}, {len(page.text)} characters ---")


async def _pick_chat(db: Database, telegram_id: int | None) -> int:
    """The Chat.id for a Telegram id, or the first active chat that subscribes to something."""
    async with db.session() as session:
        if telegram_id is not None:
            found = await session.scalar(select(Chat.id).where(Chat.telegram_id == telegram_id))
            if found is None:
                raise NotFoundError(f"no chat with Telegram id {telegram_id}")
            return int(found)
        first = await session.scalar(
            select(Chat.id)
            .where(Chat.active.is_(True), Chat.id.in_(select(Subscription.chat_id)))
            .order_by(Chat.id)
            .limit(1)
        )
    if first is None:
        raise NotFoundError("no subscriber yet: pass --chat ID once someone has subscribed")
    return int(first)
