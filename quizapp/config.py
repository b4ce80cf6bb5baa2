"""Settings, read once from the environment (and .env if present)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .content import QUESTION_BANK, ROOT


class SettingsError(ValueError):
    """A setting is unusable; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{ROOT / 'var' / 'zhenjie.db'}"
    site_dir: Path = ROOT / "site"
    question_bank: Path = QUESTION_BANK   # QUESTION_BANK=… loads another bank folder
    session_days: int = 14              # absolute session time-out
    session_idle_minutes: int = 180     # a session unused this long ends
    timezone: str = "Asia/Shanghai"     # how times are shown and entered on the pages
    paper_spread_seconds: float = 5.0   # 候考: pages ask for their paper over this many seconds after the start
    sweep_seconds: int = 30             # how often attempts past their deadline are graded (0: only on access)
    # 交卷: up to this many hand-ins a second in a worker each is graded in its request; beyond, the
    # worker's grader scores them off the request (quizapp/grader.py; 0: always the grader)
    grade_in_request_per_second: float = 5.0
    cookie_secure: bool = False         # true: every cookie Secure (over HTTPS they are anyway: web/headers.py)
    trusted_proxies: str = "127.0.0.1"  # addresses whose X-Forwarded-Proto/-For are believed (comma-separated)
    admin_username: str = "instructor"  # first instructor account, created by `setup`
    admin_password: str = ""            # empty: a random password is printed once

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
            raise SettingsError(
                f"DATABASE_URL 无效：{value!r}；应为 sqlite:///路径 或 postgresql://用户@主机:端口/库名")
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
