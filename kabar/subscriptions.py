"""Use cases for what a chat follows: topics and sources from the catalog, and muted sources."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kabar.db import Database
from kabar.db.models import Chat, Feed, Mute, Subscription
from kabar.errors import NotFoundError

GROUP_KINDS = ("topic", "region")


def token(name: str) -> str:
    """A short stable token for a topic or region name, to fit it into button data."""
    return hashlib.blake2b(name.encode(), digest_size=4).hexdigest()


def slug(name: str) -> str:
    """A deep-link-safe form of a topic name ("Sulawesi Selatan" -> "sulawesi-selatan")."""
    out = "".join(c if c.isalnum() and c.isascii() else "-" for c in name.lower())
    return "-".join(part for part in out.split("-") if part)[:40]


@dataclass(frozen=True, slots=True)
class Group:
    """A topic or a region of the catalog, with how many active sources it has."""

    kind: str
    name: str
    feeds: int

    @property
    def token(self) -> str:
        """The name's short token."""
        return token(self.name)


@dataclass(frozen=True, slots=True)
class Source:
    """A feed as a subscriber sees it."""

    id: int
    name: str
    topic: str | None
    region: str | None
    language: str | None


@dataclass(slots=True)
class Following:
    """What one chat follows and mutes."""

    topics: set[str] = field(default_factory=set)
    feed_ids: set[int] = field(default_factory=set)
    muted: set[int] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        """Whether the chat follows nothing yet."""
        return not self.topics and not self.feed_ids


def _active_feeds() -> list[object]:
    return [Feed.paused.is_(False), Feed.disabled.is_(False)]


async def list_groups(db: Database, kind: str) -> list[Group]:
    """Every topic (or region) that has active sources, by name."""
    column = Feed.topic if kind == "topic" else Feed.region
    stmt = (
        select(column, func.count())
        .where(column.is_not(None), column != "", *_active_feeds())  # type: ignore[arg-type]
        .group_by(column)
        .order_by(column)
    )
    async with db.session() as session:
        rows = (await session.execute(stmt)).all()
    return [Group(kind=kind, name=str(name), feeds=int(n)) for name, n in rows]


async def find_group(db: Database, kind: str, group_token: str) -> Group | None:
    """The topic or region whose token is `group_token`, if it still exists."""
    for group in await list_groups(db, kind):
        if group.token == group_token:
            return group
    return None


async def find_topic_by_slug(db: Database, value: str) -> str | None:
    """The topic a deep-link payload names, by slug, any case."""
    wanted = slug(value)
    for group in await list_groups(db, "topic"):
        if slug(group.name) == wanted:
            return group.name
    return None


async def sources_in(db: Database, kind: str, name: str) -> list[Source]:
    """The active sources of one topic or region, by name."""
    column = Feed.topic if kind == "topic" else Feed.region
    stmt = select(Feed).where(column == name, *_active_feeds()).order_by(Feed.id)  # type: ignore[arg-type]
    async with db.session() as session:
        feeds = (await session.scalars(stmt)).all()
    found = [_source(f) for f in feeds]
    return sorted(found, key=lambda s: s.name.lower())


def _source(feed: Feed) -> Source:
    return Source(
        id=feed.id,
        name=feed.display_name,
        topic=feed.topic,
        region=feed.region,
        language=feed.language,
    )


async def get_source(db: Database, feed_id: int) -> Source:
    """One source by id, or NotFoundError (it may have been removed)."""
    async with db.session() as session:
        feed = await session.get(Feed, feed_id)
    if feed is None:
        raise NotFoundError(f"no feed with id {feed_id}")
    return _source(feed)


async def _chat_pk(session: AsyncSession, telegram_id: int) -> int:
    pk = await session.scalar(select(Chat.id).where(Chat.telegram_id == telegram_id))
    if pk is None:
        raise NotFoundError(f"no chat {telegram_id}")
    return pk


async def following(db: Database, telegram_id: int) -> Following:
    """The topics, sources and mutes of one chat."""
    subs_stmt = (
        select(Subscription.topic, Subscription.feed_id)
        .join(Chat, Chat.id == Subscription.chat_id)
        .where(Chat.telegram_id == telegram_id)
    )
    mutes_stmt = (
        select(Mute.feed_id)
        .join(Chat, Chat.id == Mute.chat_id)
        .where(Chat.telegram_id == telegram_id)
    )
    async with db.session() as session:
        subs = (await session.execute(subs_stmt)).all()
        muted = (await session.scalars(mutes_stmt)).all()
        if not subs and not muted:
            await _chat_pk(session, telegram_id)  # NotFoundError for a chat never seen
    result = Following(muted=set(muted))
    for topic, feed_id in subs:
        if topic is not None:
            result.topics.add(topic)
        if feed_id is not None:
            result.feed_ids.add(feed_id)
    return result


async def toggle_topic(db: Database, telegram_id: int, topic: str) -> bool:
    """Follow the topic, or stop following it; returns whether it is followed now."""
    async with db.transaction() as session:
        pk = await _chat_pk(session, telegram_id)
        found = await session.scalar(
            select(Subscription).where(Subscription.chat_id == pk, Subscription.topic == topic)
        )
        if found is not None:
            await session.delete(found)
            return False
        session.add(Subscription(chat_id=pk, topic=topic))
        return True


async def follow_topic(db: Database, telegram_id: int, topic: str) -> None:
    """Follow the topic (a no-op if already followed)."""
    if topic not in (await following(db, telegram_id)).topics:
        await toggle_topic(db, telegram_id, topic)


async def toggle_source(db: Database, telegram_id: int, feed_id: int) -> bool:
    """Follow one source, or stop following it; returns whether it is followed now."""
    async with db.transaction() as session:
        pk = await _chat_pk(session, telegram_id)
        if await session.get(Feed, feed_id) is None:
            raise NotFoundError(f"no feed with id {feed_id}")
        found = await session.scalar(
            select(Subscription).where(Subscription.chat_id == pk, Subscription.feed_id == feed_id)
        )
        if found is not None:
            await session.delete(found)
            return False
        session.add(Subscription(chat_id=pk, feed_id=feed_id))
        # Choosing a source means wanting it: an old mute would silently cancel the choice.
        await session.execute(delete(Mute).where(Mute.chat_id == pk, Mute.feed_id == feed_id))
        return True


async def follow_everything(db: Database, telegram_id: int) -> int:
    """Follow every topic, and every source that has no topic; returns how many were added."""
    topics = [g.name for g in await list_groups(db, "topic")]
    async with db.session() as session:
        loose = (
            await session.scalars(
                select(Feed.id).where(
                    (Feed.topic.is_(None)) | (Feed.topic == ""),
                    *_active_feeds(),  # type: ignore[arg-type]
                )
            )
        ).all()
    current = await following(db, telegram_id)
    added = 0
    async with db.transaction() as session:
        pk = await _chat_pk(session, telegram_id)
        for topic in topics:
            if topic not in current.topics:
                session.add(Subscription(chat_id=pk, topic=topic))
                added += 1
        for feed_id in loose:
            if feed_id not in current.feed_ids:
                session.add(Subscription(chat_id=pk, feed_id=feed_id))
                added += 1
    return added


async def unfollow_everything(db: Database, telegram_id: int) -> None:
    """Follow nothing."""
    async with db.transaction() as session:
        pk = await _chat_pk(session, telegram_id)
        await session.execute(delete(Subscription).where(Subscription.chat_id == pk))


async def mute_source(db: Database, telegram_id: int, feed_id: int) -> Source:
    """Keep this source out of the chat's digests; NotFoundError if the source is gone."""
    async with db.transaction() as session:
        pk = await _chat_pk(session, telegram_id)
        feed = await session.get(Feed, feed_id)
        if feed is None:
            raise NotFoundError(f"no feed with id {feed_id}")
        if await session.get(Mute, (pk, feed_id)) is None:
            session.add(Mute(chat_id=pk, feed_id=feed_id))
        return _source(feed)


async def unmute_source(db: Database, telegram_id: int, feed_id: int) -> None:
    """Let the source back into the chat's digests."""
    async with db.transaction() as session:
        pk = await _chat_pk(session, telegram_id)
        await session.execute(delete(Mute).where(Mute.chat_id == pk, Mute.feed_id == feed_id))


async def muted_sources(db: Database, telegram_id: int) -> list[Source]:
    """The sources this chat muted, by name."""
    async with db.session() as session:
        pk = await _chat_pk(session, telegram_id)
        feeds = (
            await session.scalars(
                select(Feed).join(Mute, Mute.feed_id == Feed.id).where(Mute.chat_id == pk)
            )
        ).all()
    return sorted((_source(f) for f in feeds), key=lambda s: s.name.lower())
