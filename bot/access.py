"""Who may do what: Kabar's admins (KABAR_ADMINS), and a group's own admins for its settings."""

from __future__ import annotations

import logging
import time

from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.turn import Turn

log = logging.getLogger("kabar.access")

ADMIN_CACHE_KEY = "kabar.group_admins"
ADMIN_CACHE_SECONDS = 120.0
GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)


def is_kabar_admin(turn: Turn) -> bool:
    """Whether the user is one of the operator's admins."""
    return turn.user_id is not None and turn.user_id in turn.svc.settings.admins


async def refuse_admin(turn: Turn, action: str) -> None:
    """Politely refuse someone who is not an admin, and log the attempt."""
    log.warning(
        "refused admin action %r from user %s in chat %s", action, turn.user_id, turn.chat_id
    )
    if turn.query is not None:
        await turn.answer(turn.t("admin.refused"), alert=True)
    else:
        await turn.say(turn.t("admin.refused"))


async def may_change_settings(turn: Turn) -> bool:
    """Private chats and channels: yes; groups: only the group's admins (anonymous ones too)."""
    if turn.chat_type not in GROUP_TYPES:
        return True
    message = turn.update.effective_message
    if turn.query is None and message is not None and message.sender_chat is not None:
        # An anonymous admin writes as the group itself.
        return message.sender_chat.id == turn.chat_id
    if turn.user_id is None:
        return False
    return await _is_group_admin(turn, turn.user_id)


async def _is_group_admin(turn: Turn, user_id: int) -> bool:
    cache: dict[tuple[int, int], tuple[bool, float]] = turn.context.bot_data.setdefault(
        ADMIN_CACHE_KEY, {}
    )
    key = (turn.chat_id, user_id)
    hit = cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[1] > now:
        return hit[0]
    try:
        member = await turn.context.bot.get_chat_member(turn.chat_id, user_id)
    except TelegramError as exc:
        log.warning("could not check admins of chat %s: %s", turn.chat_id, exc)
        return False
    allowed = member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
    if len(cache) > 10_000:
        cache.clear()
    cache[key] = (allowed, now + ADMIN_CACHE_SECONDS)
    return allowed


async def refuse_settings(turn: Turn) -> None:
    """Tell a group member that only the group's admins change its settings."""
    if turn.query is not None:
        await turn.answer(turn.t("group.admins_only"), alert=True)
    else:
        await turn.say(turn.t("group.admins_only"))
