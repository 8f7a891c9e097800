"""End to end: /search and /cari paged in place forward and back, plain-text search, and
inline mode paged with next_offset."""

from __future__ import annotations

from datetime import timedelta

from kabar.db import Database, utcnow
from tests.bot.conftest import Kabar
from tests.bot.factories import add_article, add_feed
from tests.bot.helpers import tap


async def _flood_news(db: Database, n: int) -> None:
    kompas = await add_feed(db, "Kompas")
    for i in range(n):
        await add_article(
            db,
            kompas,
            f"Banjir rendam kampung nomor {i}",
            summary=f"Air setinggi {i} meter merendam rumah warga.\nWarga mengungsi.",
            published=utcnow() - timedelta(minutes=i),
        )
    await add_article(db, kompas, "Harga beras naik lagi")


def _titles(text: str) -> set[str]:
    return {line for line in text.splitlines() if line.startswith("Banjir rendam")}


async def test_search_pages_forward_and_back_in_place(kabar_any: Kabar) -> None:
    kabar = kabar_any
    await _flood_news(kabar.db, 12)
    user = kabar.botapi.create_user("Sari", language_code="id")
    await user.send("/cari banjir")
    results = await user.next_message()
    page1 = results.text
    assert "halaman 1" in page1 and len(_titles(page1)) == 5
    assert "Harga beras" not in page1
    assert any(e["type"] == "bold" for e in results.entities)  # matched words marked

    await tap(user, results, "▶")
    page2 = (await user.chat.next_edit()).text
    await tap(user, results, "▶")
    page3 = (await user.chat.next_edit()).text
    assert "halaman 3" in page3 and "▶" not in results.button_texts
    seen = _titles(page1) | _titles(page2) | _titles(page3)
    assert len(seen) == 12  # every result once, no gaps, no repeats
    await tap(user, results, "◀")
    assert (await user.chat.next_edit()).text == page2
    await tap(user, results, "◀")
    assert (await user.chat.next_edit()).text == page1
    assert len(user.messages) == 1  # paging edited the one message


async def test_no_results_usage_and_plain_text(kabar: Kabar) -> None:
    await _flood_news(kabar.db, 2)
    user = kabar.botapi.create_user("Budi", language_code="en")
    await user.send("/search gempa bumi")
    assert "Nothing found for “gempa bumi”" in (await user.next_message()).text
    await user.send("/search")
    assert "/search banjir jakarta" in (await user.next_message()).text
    await user.send('banjir -"nomor 1"')  # plain text in a private chat is a search
    found = await user.next_message()
    assert "Banjir rendam kampung nomor 0" in found.text and "nomor 1\n" not in found.text
    for hostile in ('"unbalanced', "NEAR(a b)", "* ^ OR", "x' OR 1=1 --", "😀" * 2000):
        await user.send(f"/search {hostile}")
        assert (await user.next_message()).text  # results or "nothing found", never an error


async def test_inline_query_pages_with_next_offset(kabar: Kabar) -> None:
    await _flood_news(kabar.db, 60)
    user = kabar.botapi.create_user("Ayu", language_code="id")
    first = await user.inline_query("banjir")
    assert len(first.ids()) == 50 and first.next_offset
    assert len(first.next_offset.encode()) <= 64
    second = await user.inline_query("banjir", first.next_offset)
    assert len(second.ids()) == 10
    assert second.raw_next_offset is None  # the last page says so with no offset at all
    assert not set(first.ids()) & set(second.ids())
    chosen = second.ids()[0]
    posted = await user.choose(second, chosen)
    assert posted is not None and "Banjir rendam kampung" in posted.text
    assert "Air setinggi" in posted.text and "Kompas" in posted.text

    latest = await user.inline_query("")  # an empty query shows the latest news
    assert latest.ids() and latest.raw_next_offset is None
    junk = await user.inline_query("banjir", "[]")  # a client that kept PTB's "[]"
    assert junk.ids() == [] and junk.raw_next_offset is None
