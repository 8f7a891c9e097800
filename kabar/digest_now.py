"""/digest in two steps, so the reply never waits for the database's write lock: compose the
digest of what is new (as kabar.digest.on_demand does), and after the reply record that it
counts as the chat's latest digest (the next scheduled one starts there)."""

from __future__ import annotations

from sqlalchemy import or_, update

from kabar import digest
from kabar.config import Settings
from kabar.db import Database, utcnow
from kabar.db.models import Chat


async def compose_now(db: Database, chat_id: int, settings: Settings) -> digest.Digest | None:
    """The digest of the news since the chat's last one, up to now; None for an unknown chat."""
    now = utcnow().replace(microsecond=0)
    reader = await digest.reader_for(db, chat_id)
    if reader is None:
        return None
    window = digest.window_for(reader.last_digest_at, now)
    return await digest.compose(db, reader, window, settings)


async def record(db: Database, chat_id: int, composed: digest.Digest) -> None:
    """A digest that had news counts as the chat's latest (never moving the mark back)."""
    if composed.page is None:
        return
    until = composed.window.until
    async with db.transaction() as session:
        await session.execute(
            update(Chat)
            .where(
                Chat.id == chat_id,
                or_(Chat.last_digest_at.is_(None), Chat.last_digest_at < until),
            )
            .values(last_digest_at=until)
        )
