"""/search and /cari (and plain text in a private chat): results paged by buttons in place."""

from __future__ import annotations

from telegram.ext import CommandHandler

from bot.cb import as_int, pack
from bot.context import KabarApp
from bot.dispatch import StaleButton, command, register_buttons
from bot.filters import COMMANDS
from bot.handlers.fallback import on_plain_text
from bot.keyboards import markup, pager
from bot.turn import Turn
from bot.views.settings import Screen
from kabar import search_pages
from kabar.render import article_html, clip
from kabar.render import pack as pack_items
from kabar.search_pages import hit_view


def results_screen(turn: Turn, page: search_pages.ResultPage) -> Screen:
    """A page of results (title, source, date, excerpt) with ◀ ▶ buttons; or what to try."""
    if not page.hits:
        key = "search.none" if page.number == 0 else "search.no_more"
        return Screen(turn.t(key, query=clip(page.query, 100)), None)
    zone = turn.chat.timezone if turn.chat else turn.svc.settings.timezone
    items = [
        article_html(hit_view(h), language=turn.language, zone=zone, snippet_html=h.snippet)
        for h in page.hits
    ]
    header = turn.t("search.header", query=clip(page.query, 100), page=page.number + 1)
    text = pack_items(items, header=header)[0]  # five items always fit; never more than one
    pages = page.number + (2 if page.has_next else 1)
    row = pager(page.number, pages, lambda n: pack("sp", page.ref, n))
    return Screen(text, markup([row]))


async def search_text(turn: Turn, words: str) -> None:
    """Search for `words` and send the first page."""
    if not words.strip():
        await turn.say(turn.t("search.usage"))
        return
    page = await search_pages.first_page(turn.svc.db, words)
    screen = results_screen(turn, page)
    await turn.say(screen.text, screen.markup)
    await search_pages.remember(turn.svc.db, turn.chat_id, page)  # after the reply: see module


async def search_command(turn: Turn) -> None:
    """/search words, /cari kata."""
    await search_text(turn, " ".join(turn.context.args or []))


async def on_page(turn: Turn, fields: list[str]) -> None:
    """sp:<ref>:<page> shows another page of a stored search in place."""
    ref = as_int(fields[0], high=search_pages.MAX_REF)
    number = as_int(fields[1], high=search_pages.MAX_PAGES)
    if ref is None or number is None:
        raise StaleButton(fields)
    page = await search_pages.page_of(turn.svc.db, turn.chat_id, ref, number)
    screen = results_screen(turn, page)
    await turn.answer()
    await turn.edit(screen.text, screen.markup)
    await search_pages.remember(turn.svc.db, turn.chat_id, page)


def register(app: KabarApp) -> None:
    """Add /search, /cari, their paging buttons, and plain-text search in private chats."""
    app.add_handler(CommandHandler(["search", "cari"], command(search_command), COMMANDS))
    register_buttons(app.bot_data, {"sp": on_page})
    on_plain_text(app, search_text)
