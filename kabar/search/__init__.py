"""Keyword search over the archive: one analyzer, SQLite FTS5 or PostgreSQL tsvector behind it.

    page = await search(db, 'banjir "jakarta utara" -hoax', filters=Filters(topic="nasional"))
    page.items        # SearchHit: article_id, title, url, feed_name, published_at, snippet, summary
    page.next_cursor  # pass back as cursor= for the next page; None on the last page

`matches(query, {"title", "summary", "text"}, language)` decides an alert without the database;
`matching_alerts(session, article)` finds the saved alerts a new article matches. Importing this
package installs the ORM hook that keeps the index in sync (kabar.search.sync).
"""

from kabar.search.alerts import matches, matching, matching_alerts
from kabar.search.model import Filters, Order, SearchHit, SearchPage
from kabar.search.service import search
from kabar.search.sync import install, reindex

install()

__all__ = [
    "Filters",
    "Order",
    "SearchHit",
    "SearchPage",
    "matches",
    "matching",
    "matching_alerts",
    "reindex",
    "search",
]
