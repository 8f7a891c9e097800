"""Storage: tables, the engine and its sessions, and Alembic migrations."""

from kabar.db.engine import Database
from kabar.db.types import utcnow

__all__ = ["Database", "utcnow"]
