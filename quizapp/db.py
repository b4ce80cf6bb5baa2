"""The database engine: SQLite (default, a file under var/) or PostgreSQL.

SQLite runs in WAL mode with a 30 s busy timeout, and every transaction
begins with BEGIN IMMEDIATE: it takes the write lock up front, waiting its
turn, instead of failing with "database is locked" when a read turns into a
write while another writer is active. The WAL is copied back into the
database by the service's checkpointer (checkpoint_wal, every second, see
web.app), not by whichever request's commit happens to fill it: SQLite's
automatic checkpoint runs in the committing thread, so every thousand pages
one answer save or login would wait for the copy and its fsync. The
automatic checkpoint stays as a backstop at a larger size.

Durability: an answer is acknowledged only after its commit, and a commit
returns only once it is on disk, so an acknowledged answer survives a power
cut, not only a killed process. SQLite runs with synchronous=FULL (in WAL
mode: the WAL is flushed at every commit; NORMAL flushes only at checkpoints
and can lose the last commits when the machine goes down). The save queue
writes a batch of saves in one commit, so it is one flush per batch; the cost
is in bench/RESULTS.md. PostgreSQL's commits wait for the WAL flush
(synchronous_commit=on, its default): a connection whose server, database or
role turned it off gets it back on (any other setting, local or one that
waits for a standby, is left as it is).

PostgreSQL gets a connection pool that checks connections before use, so the
service recovers by itself after the database was unreachable."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine


def sqlalchemy_url(url: str) -> str:
    """postgresql://… uses the psycopg 3 driver."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str, *, immediate: bool = True) -> Engine:
    """``immediate=False`` keeps the sqlite3 driver's own transactions (reads
    outside any transaction, a deferred BEGIN before the first write): for a
    test or tool that holds a session open beside a running server, whose
    reads must neither take the write lock nor keep an old snapshot."""
    url = sqlalchemy_url(url)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS})
        event.listen(engine, "connect", sqlite_pragmas)
        if immediate:
            event.listen(engine, "connect", _driver_autocommit)
            event.listen(engine, "begin", _begin_immediate)
        return engine
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    event.listen(engine, "connect", postgres_durable_commits)
    return engine


BUSY_TIMEOUT_SECONDS = 30
SQLITE_SYNCHRONOUS = "FULL"         # every commit flushed (see above); bench/exam_load.py measures it against NORMAL
WAL_BACKSTOP_PAGES = 20_000         # SQLite checkpoints on commit only past this (80 MB); default 1,000


def sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")
    cursor.close()


def postgres_durable_commits(dbapi_connection, _record) -> None:
    """synchronous_commit=on where the server, database or role has it off:
    a commit (and so an acknowledged save) then waits for the WAL flush."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SHOW synchronous_commit")
        if cursor.fetchone()[0] == "off":
            cursor.execute("SET synchronous_commit TO on")
    finally:
        cursor.close()
    dbapi_connection.commit()        # the SET outlives the transaction it ran in


def checkpoint_wal(engine: Engine) -> tuple[int, int]:
    """A SQLite engine's WAL copied back into the database without waiting
    for readers or writers (a PASSIVE checkpoint, on a connection of its own,
    outside any transaction): (pages in the WAL, pages copied)."""
    connection = engine.raw_connection()
    try:
        driver = connection.driver_connection
        autocommit, driver.isolation_level = driver.isolation_level, None
        try:
            _busy, in_wal, copied = driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            driver.isolation_level = autocommit
        return in_wal, copied
    finally:
        connection.close()


def _driver_autocommit(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None        # the driver's own BEGIN is replaced by _begin_immediate


def _begin_immediate(connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def commit_keeping_loaded(db: Session) -> None:
    """Commit without expiring what the session has loaded (or just written):
    nothing is read again for attributes whose values are known."""
    expire, db.expire_on_commit = db.expire_on_commit, False
    try:
        db.commit()
    finally:
        db.expire_on_commit = expire


def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session
