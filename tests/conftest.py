"""Shared fixtures: a migrated database on SQLite and, when configured, on PostgreSQL; the local
Bot API server (tests/botapi/fixtures.py)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from kabar.db import Database
from kabar.db.migrate import upgrade

pytest_plugins = ["tests.botapi.fixtures"]

POSTGRES_URL = os.environ.get("KABAR_TEST_POSTGRES_URL", "").strip()
SKIP_PG_REASON = "PostgreSQL suite skipped: set KABAR_TEST_POSTGRES_URL to run it"


def _pg_admin(statements: list[str]) -> None:
    """Run maintenance statements (CREATE/DROP DATABASE) outside any transaction."""
    import asyncpg

    async def go() -> None:
        conn = await asyncpg.connect(_libpq(POSTGRES_URL))
        try:
            for sql in statements:
                await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(go())


def _libpq(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _with_database(url: str, name: str) -> str:
    base, _, _query = url.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A PostgreSQL database with every migration applied, cloned by each test."""
    if not POSTGRES_URL:
        pytest.skip(SKIP_PG_REASON)
    name = f"kabar_tpl_{os.getpid()}"
    _pg_admin([f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"])
    url = _with_database(_asyncpg(POSTGRES_URL), name)

    async def migrate() -> None:
        db = Database(url)
        try:
            await upgrade(db)
        finally:
            await db.dispose()

    asyncio.run(migrate())
    yield name
    _pg_admin([f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])


def _asyncpg(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def fresh_pg_database(template: str | None) -> str:
    """Create an empty (or template-cloned) database and return its async URL."""
    name = f"kabar_t_{uuid.uuid4().hex[:12]}"
    clause = f" TEMPLATE {template}" if template else ""
    _pg_admin([f"CREATE DATABASE {name}{clause}"])
    return _with_database(_asyncpg(POSTGRES_URL), name)


def drop_pg_database(url: str) -> None:
    """Drop a database made by fresh_pg_database."""
    name = url.rsplit("/", 1)[1]
    _pg_admin([f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An async URL of a migrated, empty database, once per engine."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'kabar.db'}"
        db = Database(url)
        asyncio.run(_upgrade_and_close(db))
        yield url
        return
    template = request.getfixturevalue("pg_template")
    url = fresh_pg_database(template)
    yield url
    drop_pg_database(url)


async def _upgrade_and_close(db: Database) -> None:
    try:
        await upgrade(db)
    finally:
        await db.dispose()


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """A migrated Database on each engine."""
    database = Database(db_url)
    yield database
    await database.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of a not-yet-created SQLite file."""
    return f"sqlite+aiosqlite:///{tmp_path / 'kabar.db'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a PostgreSQL URL, mark the PostgreSQL tests skipped with a plain reason."""
    if POSTGRES_URL:
        return
    if os.environ.get("KABAR_REQUIRE_POSTGRES"):
        pytest.exit("KABAR_REQUIRE_POSTGRES is set but KABAR_TEST_POSTGRES_URL is not", 2)
    skip = pytest.mark.skip(reason=SKIP_PG_REASON)
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly, at the end of the run, whether the PostgreSQL suite ran."""
    if POSTGRES_URL:
        terminalreporter.write_line("PostgreSQL suite: ran against KABAR_TEST_POSTGRES_URL")
    else:
        terminalreporter.write_line(
            "PostgreSQL suite: SKIPPED (KABAR_TEST_POSTGRES_URL is not set; "
            "`.ci/run` sets it, or export it yourself)",
            yellow=True,
            bold=True,
        )
