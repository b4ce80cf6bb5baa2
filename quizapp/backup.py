"""Backup and restore of the platform's database.

SQLite: the online backup API copies a consistent snapshot while the service
keeps running (readers and writers wait a moment at most), and restore copies
a backup file back the same way. PostgreSQL: ``pg_dump --format=custom`` and
``pg_restore --clean --if-exists``, the server's own tools, which must be on
PATH (Debian: postgresql-client) and of the server's major version.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from .domain.errors import DomainError


def _sqlite_path(database_url: str) -> Path:
    return Path(database_url.removeprefix("sqlite:///"))


def _libpq_url(database_url: str) -> str:
    """The URL as pg_dump reads it (no SQLAlchemy driver suffix)."""
    url = make_url(database_url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DomainError(f"找不到 {name}：请安装与数据库服务器同一大版本的 PostgreSQL 客户端（Debian：postgresql-client）")
    return path


def backup(database_url: str, target: Path) -> Path:
    """Write a consistent copy of the database to ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if database_url.startswith("sqlite:///"):
        source = _sqlite_path(database_url)
        if not source.is_file():
            raise DomainError(f"数据库文件不存在：{source}")
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return target
    result = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}",
                             _libpq_url(database_url)], capture_output=True, text=True)
    if result.returncode != 0:
        raise DomainError(f"pg_dump 失败：{result.stderr.strip()}")
    return target


def restore(database_url: str, source: Path) -> None:
    """Replace the database's contents with the backup at ``source``.
    Stop the service first: sessions and open attempts come back as they were
    at the time of the backup."""
    source = Path(source)
    if not source.is_file():
        raise DomainError(f"备份文件不存在：{source}")
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(source) as src:
            try:
                intact = src.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            except sqlite3.DatabaseError:
                intact = False
            if not intact:
                raise DomainError(f"备份文件已损坏或不是 SQLite 数据库：{source}；数据库未作改动")
            target = _sqlite_path(database_url)
            target.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(target) as dst:
                src.backup(dst)
        return
    result = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                             f"--dbname={_libpq_url(database_url)}", str(source)], capture_output=True, text=True)
    if result.returncode != 0:
        raise DomainError(f"pg_restore 失败：{result.stderr.strip()}")
