"""search index: FTS5 on SQLite, tsvector + GIN on PostgreSQL

Revision ID: 0002_search
Revises: 0001
Create Date: 2026-11-29 16:00:00

The index holds terms analyzed in Python (kabar.search.analyze), so existing articles are
indexed here with the analyzer of the code that runs the migration.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002_search"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An article's FTS5 rowid: its publication minute times 2^31 plus its id, so the index's own
# order is newest first (kabar.search.sqlite.KEY_SQL is the same expression).
OLD_KEY = "(max(0, CAST(strftime('%s', old.published_at) AS INTEGER)) / 60) * 2147483648 + old.id"

SQLITE = [
    # The table keeps its own copy of the analyzed terms: SQLite 3.40 has no contentless_delete,
    # and deleting from an FTS5 table by rowid needs the terms it indexed.
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, summary, body, tokenize = 'ascii')",
    # Every delete path (ORM, Core retention, ON DELETE CASCADE from feeds) drops the row.
    "CREATE TRIGGER search_articles_deleted AFTER DELETE ON articles BEGIN "
    f"DELETE FROM search_fts WHERE rowid = {OLD_KEY}; END",
    # A change outside the ORM must not leave stale terms; the ORM hook re-adds the row.
    "CREATE TRIGGER search_articles_changed AFTER UPDATE OF "
    "id, title, summary, text, language, published_at ON articles BEGIN "
    f"DELETE FROM search_fts WHERE rowid = {OLD_KEY}; END",
]

POSTGRESQL = [
    "CREATE TABLE search_documents ("
    " article_id integer PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,"
    " published_at timestamptz NOT NULL,"
    " tsv tsvector NOT NULL)",
    "CREATE INDEX search_documents_tsv ON search_documents USING gin (tsv)",
    # Newest first without touching articles: the planner walks this for common words.
    "CREATE INDEX search_documents_published ON search_documents (published_at, article_id)",
    "CREATE FUNCTION search_articles_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN DELETE FROM search_documents WHERE article_id = OLD.id; RETURN NULL; END $$",
    "CREATE TRIGGER search_articles_changed AFTER UPDATE OF "
    "id, title, summary, text, language, published_at "
    "ON articles FOR EACH ROW EXECUTE FUNCTION search_articles_changed()",
]


def upgrade() -> None:
    bind = op.get_bind()
    for statement in SQLITE if bind.dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)
    from kabar.search.sync import index_articles

    ids = [row[0] for row in bind.exec_driver_sql("SELECT id FROM articles ORDER BY id")]
    index_articles(bind, ids)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS search_articles_changed")
        op.execute("DROP TRIGGER IF EXISTS search_articles_deleted")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP TRIGGER IF EXISTS search_articles_changed ON articles")
        op.execute("DROP FUNCTION IF EXISTS search_articles_changed()")
        op.execute("DROP TABLE IF EXISTS search_documents")
