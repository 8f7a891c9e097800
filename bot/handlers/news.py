"""/latest [topic] and /digest: the news on demand, in the chat's language, zone and length."""

from __future__ import annotations

from collections.abc import Sequence

from telegram.ext import CommandHandler

from bot.context import KabarApp
from bot.dispatch import command
from bot.filters import COMMANDS
from bot.keyboards import from_outbox
from bot.turn import Turn
from kabar import digest, latest, subscriptions
from kabar.render import ArticleView, article_html, clip, pack


def render_views(turn: Turn, views: Sequence[ArticleView], header: str) -> list[str]:
    """Messages listing `views` with the chat's settings, split between items."""
    chat = turn.chat
    zone = chat.timezone if chat else turn.svc.settings.timezone
    sentences = chat.summary_sentences if chat else turn.svc.settings.summary_sentences
    items = [article_html(v, language=turn.language, zone=zone, sentences=sentences) for v in views]
    return pack(items, header=header)


async def send_latest(turn: Turn, topic: str | None, *, first_taste: bool = False) -> None:
    """The newest articles of a topic, or of what the chat follows."""
    db = turn.svc.db
    if topic is not None:
        views = await latest.latest_for_topic(db, topic)
        header = turn.t("latest.header_topic", topic=topic)
    elif turn.chat is not None:
        views = await latest.latest_for_chat(db, turn.chat_id)
        header = turn.t("latest.first_taste" if first_taste else "latest.header")
    else:
        views = await latest.latest_everywhere(db)
        header = turn.t("latest.header")
    if not views:
        await turn.say(turn.t("latest.none"))
        return
    for text in render_views(turn, views, header):
        await turn.say(text)


async def latest_command(turn: Turn) -> None:
    """/latest, or /latest <topic>."""
    words = " ".join(turn.context.args or [])
    if not words:
        await send_latest(turn, None)
        return
    topic = await subscriptions.find_topic_by_slug(turn.svc.db, words)
    if topic is None:
        names = [g.name for g in await subscriptions.list_groups(turn.svc.db, "topic")]
        await turn.say(
            turn.t(
                "latest.unknown_topic", topic=words[:64], topics=clip(", ".join(names), 2000) or "–"
            )
        )
        return
    await send_latest(turn, topic)


async def send_digest(turn: Turn, *, first: bool = False) -> None:
    """The digest of what is new since the chat's last one (it counts as that digest).

    After onboarding (`first`) a chat with no new digest yet gets the latest news instead.
    """
    assert turn.chat is not None
    found = await digest.compose_now(turn.svc.db, turn.chat.id, turn.svc.settings)
    if found is None or found.page is None:
        if first:
            await send_latest(turn, None, first_taste=True)
        else:
            await turn.say(turn.t("digest.empty"))
        return
    await turn.say(found.page.text, from_outbox(found.page.buttons))
    await digest.record_now(turn.svc.db, turn.chat.id, found)  # after the reply: see there


async def digest_command(turn: Turn) -> None:
    """/digest: what is new since the chat's last digest."""
    await send_digest(turn)


def register(app: KabarApp) -> None:
    """Add /latest and /digest."""
    app.add_handler(CommandHandler("latest", command(latest_command), COMMANDS))
    app.add_handler(CommandHandler("digest", command(digest_command, needs_chat=True), COMMANDS))
