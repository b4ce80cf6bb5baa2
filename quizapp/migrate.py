"""Run the Alembic migrations from code (setup, tests)."""
from __future__ import annotations

from alembic import command
from alembic.config import Config

from .content import ROOT


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
