"""Inline mode: "@bot words" in any chat lists up to 50 articles a page, paged by next_offset;
choosing one posts its title, summary and link."""

from __future__ import annotations

import logging

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions, Update
from telegram.error import TelegramError
from telegram.ext import InlineQueryHandler

from bot.context import KabarApp, KabarContext, services
from kabar.chats import get_chat, pick_language
from kabar.latest import latest_everywhere
from kabar.render import ArticleView, article_html, clip, plain, safe_url
from kabar.search import search
from kabar.search_pages import hit_view

log = logging.getLogger(__name__)

PAGE = 50
CACHE_SECONDS = 30
MAX_QUERY = 256


def result(
    view: ArticleView, language: str, zone: str, description: str
) -> InlineQueryResultArticle:
    """One article as an inline result; choosing it posts the linked title, source, date and
    summary, with the article's link preview."""
    posted = article_html(view, language=language, zone=zone, sentences=3)
    url = safe_url(view.url)
    preview = LinkPreviewOptions(url=url) if url else LinkPreviewOptions(is_disabled=True)
    return InlineQueryResultArticle(
        id=str(view.id),
        title=clip(view.title or view.source, 120),
        description=clip(description or view.source, 200),
        url=url,
        input_message_content=InputTextMessageContent(posted, link_preview_options=preview),
    )


async def on_inline(update: Update, context: KabarContext) -> None:
    """Search (or, for an empty query, the latest news) and answer with the next offset."""
    query = update.inline_query
    if query is None:
        return
    svc = services(context)
    chat = await get_chat(svc.db, query.from_user.id)
    language = (
        chat.language
        if chat
        else pick_language(query.from_user.language_code, svc.settings.language)
    )
    zone = chat.timezone if chat else svc.settings.timezone
    words = query.query.strip()[:MAX_QUERY]
    next_offset: str | None = None
    if words:
        page = await search(svc.db, words, cursor=query.offset or None, limit=PAGE)
        results = [result(hit_view(h), language, zone, plain(h.snippet)) for h in page.items]
        next_offset = page.next_cursor
    elif not query.offset:
        views = await latest_everywhere(svc.db, limit=PAGE)
        results = [result(v, language, zone, v.summary.split("\n", 1)[0]) for v in views]
    else:
        results = []
    try:
        # None, never "": PTB 22.8 with Defaults would send "" as the offset "[]".
        await query.answer(results, next_offset=next_offset or None, cache_time=CACHE_SECONDS)
    except TelegramError as exc:
        log.info("inline answer refused: %s", exc)


def register(app: KabarApp) -> None:
    """Add inline mode."""
    app.add_handler(InlineQueryHandler(on_inline))
