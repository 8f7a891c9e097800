"""The tables of Kabar's whole domain: sources, articles, chats, alerts and deliveries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kabar.db.types import UTCDateTime, utcnow

# Stable constraint names, so migrations can refer to them on both engines.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the shared naming convention."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class OutboxStatus(StrEnum):
    """Where an outbox row is in its life."""

    PENDING = "pending"  # waiting to be claimed (maybe not before `not_before`)
    SENDING = "sending"  # claimed under a lease
    SENT = "sent"
    UNCERTAIN = "uncertain"  # the request went out but no answer came; never resent blindly
    FAILED = "failed"  # a permanent error for this chat (e.g. 400 on one message)
    BLOCKED = "blocked"  # the chat blocked the bot, was deactivated or kicked it (403)
    DEAD = "dead"  # retried too often
    CANCELLED = "cancelled"  # chat blocked the bot, or the broadcast was cancelled


class OutboxKind(StrEnum):
    """What an outbox row delivers; the priority follows from it."""

    REPLY = "reply"
    NOTICE = "notice"
    ALERT = "alert"
    DIGEST = "digest"
    BROADCAST = "broadcast"


PRIORITY = {
    OutboxKind.REPLY: 0,
    OutboxKind.NOTICE: 1,
    OutboxKind.ALERT: 2,
    OutboxKind.DIGEST: 3,
    OutboxKind.BROADCAST: 4,
}


class BroadcastStatus(StrEnum):
    """A broadcast's state, from draft to its final report."""

    DRAFT = "draft"
    QUEUED = "queued"
    RUNNING = "running"
    CANCELLED = "cancelled"
    STOPPED = "stopped"  # an error that would fail for everyone stopped it
    DONE = "done"


class Feed(Base):
    """A news source and its fetch state."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    site_url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str | None] = mapped_column(String(500))
    name: Mapped[str | None] = mapped_column(String(200))  # operator's display name
    language: Mapped[str | None] = mapped_column(String(16))
    topic: Mapped[str | None] = mapped_column(String(64), index=True)
    region: Mapped[str | None] = mapped_column(String(64))
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    ttl_minutes: Mapped[int | None] = mapped_column(Integer)
    next_check_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_checked_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_warning: Mapped[str | None] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)  # by failures or 410
    paused: Mapped[bool] = mapped_column(Boolean, default=False)  # by an admin
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def display_name(self) -> str:
        """What users see as the source's name."""
        return self.name or self.title or self.url


class Article(Base):
    """One item from a feed, with its text, summary and dedup keys."""

    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("feed_id", "guid", name="uq_articles_feed_guid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    guid: Mapped[str] = mapped_column(String(1024))
    url: Mapped[str | None] = mapped_column(String(2048))
    canonical_url: Mapped[str | None] = mapped_column(String(2048), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime] = mapped_column(index=True)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    language: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str | None] = mapped_column(Text)  # sentences joined by "\n"
    image_url: Mapped[str | None] = mapped_column(String(2048))
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    simhash: Mapped[int | None] = mapped_column(BigInteger)
    story_id: Mapped[int | None] = mapped_column(Integer, index=True)


class Chat(Base):
    """A private chat, group or channel the bot serves, with its settings."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    type: Mapped[str] = mapped_column(String(16), default="private")
    title: Mapped[str | None] = mapped_column(String(256))
    username: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="id")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Jakarta")
    digest_times: Mapped[list[str]] = mapped_column(JSON, default=list)  # ["06:00", "18:00"]
    summary_sentences: Mapped[int] = mapped_column(SmallInteger, default=3)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)  # forum topic to post in
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    onboarded: Mapped[bool] = mapped_column(Boolean, default=False)
    last_digest_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Subscription(Base):
    """A chat following one feed or one topic."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint("(feed_id IS NULL) <> (topic IS NULL)", name="feed_xor_topic"),
        Index(
            "uq_subscriptions_chat_feed",
            "chat_id",
            "feed_id",
            unique=True,
            sqlite_where=text("feed_id IS NOT NULL"),
            postgresql_where=text("feed_id IS NOT NULL"),
        ),
        Index(
            "uq_subscriptions_chat_topic",
            "chat_id",
            "topic",
            unique=True,
            sqlite_where=text("topic IS NOT NULL"),
            postgresql_where=text("topic IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    topic: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Mute(Base):
    """A source a chat does not want in its digests."""

    __tablename__ = "mutes"

    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    feed_id: Mapped[int] = mapped_column(
        ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Alert(Base):
    """A saved keyword query; new matching articles are pushed to the chat."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("chat_id", "query", name="uq_alerts_chat_query"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    query: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_matched_at: Mapped[datetime | None]


class Broadcast(Base):
    """An admin's message to many chats, and its progress."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by: Mapped[int] = mapped_column(BigInteger)  # Telegram user id of the admin
    text: Mapped[str] = mapped_column(Text)  # Telegram HTML, validated before queueing
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=BroadcastStatus.DRAFT)
    total: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class Outbox(Base):
    """One message to one chat, written before it is sent; the sender works from these rows."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "priority", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(SmallInteger)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True
    )
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)


class QueryPage(Base):
    """A search shown in a chat and the cursor of each page seen, for its paging buttons."""

    __tablename__ = "query_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)  # the Telegram chat id
    query: Mapped[str] = mapped_column(Text)
    cursors: Mapped[list[str | None]] = mapped_column(JSON, default=list)  # by page number
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AppState(Base):
    """Small named values the processes share: heartbeats, last 429, catalog imported."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
