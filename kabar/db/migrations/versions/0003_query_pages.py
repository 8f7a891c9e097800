"""query pages: a chat's search and its page cursors, for paging buttons

Revision ID: 0003_query_pages
Revises: 0002_search
Create Date: 2026-11-29 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kabar.db.types

revision: str = "0003_query_pages"
down_revision: str | None = "0002_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "query_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("cursors", sa.JSON(), nullable=False),
        sa.Column("created_at", kabar.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_query_pages")),
    )
    with op.batch_alter_table("query_pages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_query_pages_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("query_pages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_query_pages_created_at"))
    op.drop_table("query_pages")
