"""The sender's engine: claim outbox rows, pace them, send them through a transport, record.

One process sends at a time (kabar.leader). Inside it:

    refill   claims due rows (about two seconds' worth) into a priority heap
    dispatch takes the most urgent row whose chat may receive now, waits for the global rate
             and a free in-flight slot, and starts a lane for it
    lane     sends one row and waits until its outcome is committed; only then is its slot
             free, so a crash can lose track of no more messages than are in flight
    writer   commits the lanes' outcomes together (group commit)
    keeper   renews the sender lease and the row leases; puts back rows whose lease ran out

The transport (bot/sender.py) turns a Delivery into an Outcome and knows nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import heapq
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from sqlalchemy import select, update

from kabar import leader, outbox, outcomes
from kabar.db import Database, utcnow
from kabar.db.models import Broadcast, BroadcastStatus, Outbox, OutboxStatus
from kabar.errors import KabarError
from kabar.outcomes import Outcome, Result, RetryPolicy
from kabar.pacing import ChatPacer, GlobalPacer, InFlight
from kabar.state import set_state

log = logging.getLogger(__name__)

# A 429 for a chat we had sent to this recently is that chat's limit; otherwise it is the bot's.
CHAT_429_WINDOW = 3.0
GROUP_429_WINDOW = 60.0


def pacing_window(is_group: bool) -> float:
    """How recent a previous message must be for a 429 to count as that chat's own."""
    return GROUP_429_WINDOW if is_group else CHAT_429_WINDOW


class Transport(Protocol):
    """Sends one delivery; never raises, every failure is an Outcome."""

    async def send(self, delivery: outbox.Delivery) -> Outcome:
        """Send it and say what happened."""
        ...


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    """Knobs of the engine; the defaults suit Telegram."""

    rate: float | None = 25.0  # messages per second across chats; None: unlimited
    max_in_flight: int = 64
    lease: timedelta = timedelta(seconds=60)
    leader_lease: timedelta = timedelta(seconds=15)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    poll_interval: float = 0.5
    buffer_seconds: float = 2.0
    min_buffer: int = 8
    max_buffer: int = 500
    hold_in_memory: float = 5.0  # a chat that must wait longer goes back to the table
    drain_timeout: float = 10.0  # on shutdown, how long lanes may take to finish
    pause_cap: float = 30.0  # longest pause after consecutive 5xx/network errors
    commit_linger: float = 0.002  # how long the writer waits for other lanes' outcomes
    cancel_check: float = 1.0  # seconds between looks for cancelled broadcasts


@dataclass(slots=True)
class Counters:
    """What the engine did since it started (for logs, /stats and benchmarks)."""

    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    global_pauses: int = 0
    uncertain: int = 0
    closed: int = 0
    rejected: int = 0
    migrated: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counters by name."""
        return dataclasses.asdict(self)


class Dispatcher:
    """Drains the outbox through a transport until stopped."""

    def __init__(
        self,
        db: Database,
        transport: Transport,
        config: DispatchConfig | None = None,
        *,
        owner: str | None = None,
    ) -> None:
        self.db = db
        self.transport = transport
        self.config = config or DispatchConfig()
        self.owner = owner or leader.new_owner()
        self.counters = Counters()
        self.pacer = ChatPacer()
        self.globally = GlobalPacer(self.config.rate)
        self.in_flight = InFlight(self.config.max_in_flight, self.config.rate)
        self._seq = itertools.count()
        self._ready: list[tuple[int, float, int, int, outbox.Delivery]] = []
        self._deferred: list[tuple[float, int, outbox.Delivery]] = []
        self._held: dict[int, outbox.Delivery] = {}
        self._closed_chats: set[int] = set()
        self._stopped: set[int] = set()
        self._texts: dict[int, str] = {}
        self._delivered: dict[int, float] = {}  # chat -> last message Telegram accepted
        self._lanes: set[asyncio.Task[None]] = set()
        self._results: asyncio.Queue[tuple[outbox.Delivery, Outcome, asyncio.Future[None]]]
        self._results = asyncio.Queue()
        self._wake = asyncio.Event()
        self._refill_now = asyncio.Event()
        self._failures = 0
        self._last_429_write = 0.0
        self._cancel_checked = 0.0
        self._leading = False
        self._renewed_at = 0.0
        self._stop: asyncio.Event = asyncio.Event()

    # -- life ------------------------------------------------------------------------------

    @property
    def leading(self) -> bool:
        """Whether this engine holds the sender lease now."""
        return self._leading

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; wait for the lease while another sender holds it."""
        self._stop = stop
        try:
            while not stop.is_set():
                if await self._try(leader.acquire(self.db, self.owner, self.config.leader_lease)):
                    self._leading = True
                    self._renewed_at = time.monotonic()
                    log.info("sender %s is sending", self.owner)
                    await self._try(outbox.reclaim(self.db, not_owner=self.owner))
                    await self._serve()
                    self._leading = False
                if not stop.is_set():
                    await _wait(stop, self.config.leader_lease.total_seconds() / 3)
        finally:
            with contextlib.suppress(KabarError):
                await leader.release(self.db, self.owner)

    async def _try(self, work: Awaitable[object]) -> object | None:
        """Run a database step; a storage error is logged and yields None (retry later)."""
        try:
            return await work
        except KabarError as exc:
            log.warning("sender: %s", exc)
            return None

    async def _serve(self) -> None:
        tasks = [
            asyncio.create_task(self._loop(self._refill), name="outbox-refill"),
            asyncio.create_task(self._loop(self._dispatch), name="outbox-dispatch"),
            asyncio.create_task(self._loop(self._keep), name="outbox-keeper"),
        ]
        writer = asyncio.create_task(self._writer(), name="outbox-writer")
        stop_wait = asyncio.create_task(self._stop.wait())
        try:
            await asyncio.wait([stop_wait, *tasks], return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                if task.done() and not task.cancelled() and task.exception() is not None:
                    log.error("sender task %s failed", task.get_name(), exc_info=task.exception())
        finally:
            stop_wait.cancel()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self._lanes:
                await asyncio.wait(set(self._lanes), timeout=self.config.drain_timeout)
            await self._flush_writer(writer)
            await self._give_back()

    async def _loop(self, step: Callable[[], Awaitable[bool]]) -> None:
        """Repeat `step` while leading; errors in one round are logged, not fatal."""
        while not self._stop.is_set():
            try:
                if not await step():
                    return
            except KabarError as exc:
                log.warning("sender (%s): %s", step.__name__, exc)
                await asyncio.sleep(self.config.poll_interval)

    async def _give_back(self) -> None:
        """Return the rows still held (never sent) so the next sender takes them at once."""
        self._ready.clear()
        self._deferred.clear()
        await self._try(outbox.release_owned(self.db, self.owner, keep=self._in_flight_ids()))
        self._held.clear()

    def _in_flight_ids(self) -> set[int]:
        return {i for i, d in self._held.items() if d.extra.get("in_flight")}

    # -- refill ----------------------------------------------------------------------------

    def _target(self) -> int:
        rate = self.config.rate or 1000.0
        want = int(rate * self.config.buffer_seconds)
        return max(self.config.min_buffer, min(self.config.max_buffer, want))

    async def _refill(self) -> bool:
        queued = len(self._ready) + len(self._deferred)
        target = self._target()
        if queued <= target // 2 and await self._anything_due():
            rows = await outbox.claim(self.db, self.owner, target - queued, self.config.lease)
            if rows:
                await self._admit(rows)
        await self._forget_cancelled()
        self._refill_now.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._refill_now.wait(), self.config.poll_interval)
        return True

    async def _anything_due(self) -> bool:
        """A cheap read before the claim's write transaction (idle senders take no lock)."""
        async with self.db.session() as session:
            found = await session.scalar(
                select(Outbox.id)
                .where(Outbox.status == OutboxStatus.PENDING, Outbox.not_before <= utcnow())
                .limit(1)
            )
            return found is not None

    async def _admit(self, rows: list[outbox.Delivery]) -> None:
        missing = {
            r.broadcast_id for r in rows if r.broadcast_id and r.broadcast_id not in self._texts
        }
        if missing:
            self._texts.update(await outbox.broadcast_texts(self.db, missing))
        for d in rows:
            text = d.payload.get("text")
            if not text and d.broadcast_id is not None:
                text = self._texts.get(d.broadcast_id, "")
            d.text = str(text or "")
            self._held[d.id] = d
            self._push(d)
        self._wake.set()

    async def _forget_cancelled(self) -> None:
        """Broadcasts cancelled (by an admin) or stopped while their rows wait here."""
        now = time.monotonic()
        if now - self._cancel_checked < self.config.cancel_check:
            return
        self._cancel_checked = now
        ids = {d.broadcast_id for d in self._held.values() if d.broadcast_id is not None}
        ids -= self._stopped
        if not ids:
            return
        async with self.db.session() as session:
            ended = await session.scalars(
                select(Broadcast.id).where(
                    Broadcast.id.in_(ids),
                    Broadcast.status.in_((BroadcastStatus.CANCELLED, BroadcastStatus.STOPPED)),
                )
            )
            self._stopped.update(ended)

    # -- dispatch --------------------------------------------------------------------------

    def _push(self, d: outbox.Delivery) -> None:
        entry = (d.priority, d.not_before.timestamp(), d.id, next(self._seq), d)
        heapq.heappush(self._ready, entry)

    def _dropped(self, d: outbox.Delivery) -> bool:
        return d.chat_id in self._closed_chats or (
            d.broadcast_id is not None and d.broadcast_id in self._stopped
        )

    def _pop_ready(self) -> outbox.Delivery | None:
        now = time.monotonic()
        while self._deferred and self._deferred[0][0] <= now:
            self._push(heapq.heappop(self._deferred)[2])
        while self._ready:
            d = heapq.heappop(self._ready)[-1]
            if self._dropped(d):
                self._held.pop(d.id, None)  # its row was cancelled in the table already
                continue
            at = self.pacer.ready_at(d.chat_id, d.is_group)
            if at <= now:
                return d
            if at - now > self.config.hold_in_memory:
                self._later(d, at - now)
            else:
                heapq.heappush(self._deferred, (at, next(self._seq), d))
        return None

    def _later(self, d: outbox.Delivery, seconds: float) -> None:
        """Send `d` back to the table until its chat may receive again."""
        self._held.pop(d.id, None)
        not_before = utcnow() + timedelta(seconds=seconds)
        self._spawn(self._try(outbox.release(self.db, self.owner, [d.id], not_before=not_before)))

    def _spawn(self, work: Awaitable[object]) -> None:
        async def run() -> None:
            await work

        task = asyncio.create_task(run())
        self._lanes.add(task)
        task.add_done_callback(self._lanes.discard)

    async def _dispatch(self) -> bool:
        if time.monotonic() - self._renewed_at > self.config.leader_lease.total_seconds():
            # The lease could not be renewed in time: another sender may have taken over.
            log.warning("sender %s could not renew its lease; stopping", self.owner)
            return False
        d = self._pop_ready()
        if d is None:
            await self._idle()
            return True
        await self.in_flight.acquire()
        try:
            await self.globally.wait()
        except BaseException:
            self.in_flight.release()
            self._push(d)
            raise
        # A more urgent row may have arrived while we waited.
        self._push(d)
        d = self._pop_ready()
        if d is None:
            self.in_flight.release()
            return True
        d.extra["previous_send"] = self._delivered.get(d.chat_id)
        self.pacer.note(d.chat_id, d.is_group)
        d.extra["in_flight"] = True
        task = asyncio.create_task(self._lane(d))
        self._lanes.add(task)
        task.add_done_callback(self._lanes.discard)
        return True

    async def _idle(self) -> None:
        """Nothing may go now: ask for more rows and wait for them or the next deferred chat."""
        self._refill_now.set()
        timeout = self.config.poll_interval
        if self._deferred:
            timeout = min(timeout, max(0.0, self._deferred[0][0] - time.monotonic()))
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    # -- lanes -----------------------------------------------------------------------------

    async def _lane(self, d: outbox.Delivery) -> None:
        started = time.monotonic()
        latency: float | None = None
        try:
            try:
                outcome = await self.transport.send(d)
            except Exception as exc:  # a transport must not raise; never lose the row if it does
                log.exception("transport raised while sending row %s", d.id)
                outcome = Outcome(Result.RETRY, error=f"transport error: {exc!r}"[:500])
            await self._handle(d, outcome)
            latency = time.monotonic() - started
        except Exception:
            log.exception("sender lane failed for row %s; it goes back to the queue", d.id)
            d.extra.pop("in_flight", None)
            self._push(d)
        finally:
            self.in_flight.release(latency)
            self._wake.set()

    async def _handle(self, d: outbox.Delivery, outcome: Outcome) -> None:
        match outcome.result:
            case Result.MIGRATED:
                await self._migrate(d, outcome.new_chat_id)
                return
            case Result.RATE_LIMITED:
                if self._rate_limited(d, outcome):
                    return  # waits in memory and goes again
            case Result.UNAUTHORIZED:
                log.critical("Telegram refused the bot token; sending paused for a minute")
                self.globally.pause(60.0)
                d.extra.pop("in_flight", None)
                self._push(d)
                return
            case Result.RETRY:
                self.counters.retried += 1
                self._failures += 1
                pause = self.config.retry.base_seconds * 2 ** min(self._failures - 1, 10)
                self.globally.pause(min(self.config.pause_cap, pause))
            case Result.SENT:
                self.counters.sent += 1
                self._failures = 0
                self._delivered[d.chat_id] = time.monotonic()
            case Result.UNCERTAIN:
                self.counters.uncertain += 1
            case Result.BLOCKED | Result.CHAT_GONE:
                self.counters.closed += 1
            case Result.REJECTED:
                self.counters.rejected += 1
        await self._record(d, outcome)

    async def _migrate(self, d: outbox.Delivery, new_telegram_id: int | None) -> None:
        self.counters.migrated += 1
        if new_telegram_id is None:
            await self._record(d, Outcome(Result.REJECTED, error="migrated without a new id"))
            return
        old = d.chat_id
        chat_id = await outcomes.follow_migration(self.db, old, new_telegram_id)
        if chat_id != old:
            await self._retarget(d.id, chat_id)
        for other in self._held.values():
            if other.chat_id == old:
                other.chat_id, other.telegram_id = chat_id, new_telegram_id
                other.chat_type = "supergroup"
        d.extra.pop("in_flight", None)
        self._push(d)

    async def _retarget(self, row_id: int, chat_id: int) -> None:
        async with self.db.transaction() as session:
            await session.execute(update(Outbox).where(Outbox.id == row_id).values(chat_id=chat_id))

    def _rate_limited(self, d: outbox.Delivery, outcome: Outcome) -> bool:
        """Wait out a 429; True if the row waits in memory, False if it goes to the table."""
        self.counters.rate_limited += 1
        wait = max(outcome.retry_after, 0.5)
        previous = d.extra.get("previous_send")
        window = pacing_window(d.is_group)
        chat_scoped = previous is not None and time.monotonic() - previous <= window
        d.extra.pop("in_flight", None)
        self._note_429(wait, "chat" if chat_scoped else "global", d.telegram_id)
        if not chat_scoped:
            # Nothing we sent explains a limit on this chat: the bot as a whole is limited.
            self.counters.global_pauses += 1
            self.globally.pause(wait)
            self._push(d)
            return True
        until = self.pacer.hold(d.chat_id, wait)
        if wait <= self.config.hold_in_memory:
            heapq.heappush(self._deferred, (until, next(self._seq), d))
            return True
        return False

    def _note_429(self, wait: float, scope: str, chat: int) -> None:
        now = time.monotonic()
        if now - self._last_429_write < 1.0:
            return
        self._last_429_write = now
        value = {"at": utcnow().isoformat(), "retry_after": wait, "scope": scope, "chat": chat}
        self._spawn(self._try(set_state(self.db, outbox.LAST_429_KEY, value)))

    async def _record(self, d: outbox.Delivery, outcome: Outcome) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._results.put_nowait((d, outcome, future))
        await future
        self._held.pop(d.id, None)

    # -- writer ----------------------------------------------------------------------------

    async def _writer(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._results.get()]
            # Other lanes are about to finish: wait a moment so one commit records them all.
            deadline = loop.time() + self.config.commit_linger
            while len(batch) < min(self.in_flight.active, 500):
                if self._results.empty():
                    left = deadline - loop.time()
                    if left <= 0:
                        break
                    with contextlib.suppress(TimeoutError):
                        batch.append(await asyncio.wait_for(self._results.get(), left))
                    continue
                batch.append(self._results.get_nowait())
            await self._commit(batch)

    async def _commit(
        self, batch: list[tuple[outbox.Delivery, Outcome, asyncio.Future[None]]]
    ) -> None:
        items = [(d, o) for d, o, _ in batch]
        while True:
            try:
                effects = await outcomes.record(self.db, items, self.config.retry)
                break
            except KabarError as exc:
                # The outcome of a send must not be lost: keep trying until the database answers.
                log.warning("sender could not record %d outcomes (%s); retrying", len(items), exc)
                await asyncio.sleep(0.5)
        self._closed_chats |= effects.closed_chats
        self._stopped |= effects.stopped_broadcasts
        for _, _, future in batch:
            if not future.done():
                future.set_result(None)
            self._results.task_done()

    async def _flush_writer(self, writer: asyncio.Task[None]) -> None:
        if not writer.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._results.join(), self.config.drain_timeout)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer

    # -- keeper ----------------------------------------------------------------------------

    async def _keep(self) -> bool:
        await _wait(self._stop, self.config.leader_lease.total_seconds() / 3)
        if self._stop.is_set():
            return False
        if not await leader.acquire(self.db, self.owner, self.config.leader_lease):
            log.warning("sender %s lost the sender lease; stopping", self.owner)
            return False
        self._renewed_at = time.monotonic()
        await outbox.renew(self.db, self.owner, list(self._held), self.config.lease)
        await outbox.reclaim(self.db)
        self.pacer.prune()
        horizon = time.monotonic() - GROUP_429_WINDOW
        self._delivered = {c: t for c, t in self._delivered.items() if t > horizon}
        return True


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
