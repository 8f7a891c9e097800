"""Queue notices for the admins as outbox rows; the delivery engine sends them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kabar.config import Settings
from kabar.db.models import PRIORITY, Chat, Outbox, OutboxKind
from kabar.db.types import utcnow
from kabar.i18n import t


async def queue_admin_notice(
    session: AsyncSession, settings: Settings, key: str, message: str, **params: object
) -> int:
    """One notice row per admin chat (created if the admin has none), inside `session`.

    `key` makes the rows idempotent: the same event queued twice is stored once per admin.
    Returns how many rows were added.
    """
    added = 0
    for admin_id in sorted(settings.admins):
        chat = await session.scalar(select(Chat).where(Chat.telegram_id == admin_id))
        if chat is None:
            # A placeholder, inactive: an admin who never sent /start is not a subscriber (no
            # digests, broadcasts or subscriber counts), yet still gets operational notices.
            chat = Chat(
                telegram_id=admin_id,
                type="private",
                language=settings.language,
                timezone=settings.timezone,
                digest_times=[],
                active=False,
            )
            session.add(chat)
            await session.flush()
        dedupe_key = f"notice:{key}:{admin_id}"[:160]
        if await session.scalar(select(Outbox.id).where(Outbox.dedupe_key == dedupe_key)):
            continue
        session.add(
            Outbox(
                dedupe_key=dedupe_key,
                kind=OutboxKind.NOTICE,
                priority=PRIORITY[OutboxKind.NOTICE],
                chat_id=chat.id,
                payload={"text": t(chat.language, message, **params)},
                not_before=utcnow(),
            )
        )
        added += 1
    return added
