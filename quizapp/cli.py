"""Command line: python -m quizapp setup | serve | create-user | backup | restore."""
from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, delete, select

from . import accounts, backup, migrate
from .bank import sync_bank
from .config import Settings, get_settings
from .content.check import check
from .content.site import Site
from .db import make_engine
from .domain.errors import DomainError
from .models import LoginSession, Role, User


class Fail(SystemExit):
    """Stop with a one-line message on stderr."""

    def __init__(self, message: str, code: int = 1):
        print(message, file=sys.stderr)
        super().__init__(code)


def load_settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as e:
        err = e.errors()[0]
        raise Fail(str(err.get("ctx", {}).get("error") or err["msg"]), 2) from None


def connect(settings: Settings):
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except SQLAlchemyError as e:
        reason = str(e.orig if getattr(e, "orig", None) else e).strip().splitlines()[0]
        raise Fail(f"无法连接 DATABASE_URL 指定的数据库（{settings.database_url}）：{reason}", 2) from None
    return engine


def setup(settings: Settings) -> None:
    """Check the content, migrate, load the bank, make sure an instructor exists.
    Safe to run again: nothing is duplicated, saved records are kept."""
    engine = connect(settings)
    site = Site(bank=settings.question_bank)
    report = check(site)
    if report.errors:
        for p in report.errors:
            print(p, file=sys.stderr)
        raise Fail(f"内容检查未通过（{len(report.errors)} 处错误），数据库未作任何改动。", 1)
    migrate.upgrade(settings.database_url)
    with Session(engine) as db:
        print(sync_bank(db, site.questions, site.corpus))
        ensure_instructor(db, settings)
    engine.dispose()


def ensure_instructor(db: Session, settings: Settings) -> None:
    if db.exec(select(User).where(User.role == Role.instructor.value)).first():
        return
    password = settings.admin_password or secrets.token_urlsafe(9)
    accounts.create_user(db, username=settings.admin_username, password=password, display_name="培训教员",
                         role=Role.instructor, must_change_password=not settings.admin_password)
    print("已创建首个教员账号（只显示这一次，请妥善保存）：")
    print(f"  用户名：{settings.admin_username}")
    print(f"  密码：  {password}" if not settings.admin_password else "  密码：  取自环境变量 ADMIN_PASSWORD")


def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    print(f"镇街综合行政执法教程已启动：http://{host}:{port}/  （手册；练习与考试：http://{host}:{port}/practice/）",
          flush=True)
    uvicorn.run("quizapp.web.main:app", host=host, port=port, workers=workers, log_level="warning",
                access_log=False,                          # the reverse proxy keeps the access log
                proxy_headers=False,     # the app reads X-Forwarded-* itself, from TRUSTED_PROXIES only (web/headers.py)
                timeout_keep_alive=KEEP_ALIVE_SECONDS)


# An examinee's page saves every few seconds (and asks the clock after 30 s without a save): a
# connection kept this long is reused by all of them, where uvicorn's default
# (5 s) would have a phone open a new connection (and TLS handshake) for nearly
# every save. Longer than nginx's upstream keepalive_timeout (60 s), so nginx,
# not the worker, closes an idle upstream connection.
KEEP_ALIVE_SECONDS = 75


def reset_password(settings: Settings, username: str) -> None:
    """The way back in for an account nobody on the platform can reset (the first
    instructor whose initial password expired unused): a new initial password,
    printed once, recorded in the audit log."""
    from .audit import record
    engine = connect(settings)
    with Session(engine) as db:
        user = db.exec(select(User).where(User.username == username)).first()
        if user is None:
            raise Fail(f"用户 {username} 不存在")
        password = accounts.reset_password(db, user)
        record(db, None, "account.reset_password", f"user:{user.id}", username=user.username, via="command line")
        db.commit()
    print(f"已为 {username} 生成新的初始密码（只显示这一次，首次登录须修改）：{password}")


def end_sessions(settings: Settings, username: str | None) -> None:
    """Log one user, or everyone, out at once (a lost phone, a suspected leak):
    every session row goes, so every worker refuses the token at its next request."""
    from .audit import record
    engine = connect(settings)
    with Session(engine) as db:
        if username is None:
            ended = db.exec(delete(LoginSession)).rowcount
            record(db, None, "account.end_sessions", "all", ended=ended, via="command line")
        else:
            user = db.exec(select(User).where(User.username == username)).first()
            if user is None:
                raise Fail(f"用户 {username} 不存在")
            ended = db.exec(delete(LoginSession).where(LoginSession.user_id == user.id)).rowcount
            record(db, None, "account.end_sessions", f"user:{user.id}", username=username, ended=ended,
                   via="command line")
        db.commit()
    print(f"已结束{'所有用户' if username is None else f' {username} '}的 {ended} 个登录会话，须重新登录")


def create_user(settings: Settings, args) -> None:
    engine = connect(settings)
    with Session(engine) as db:
        try:
            accounts.create_user(db, username=args.username, password=args.password,
                                 display_name=args.name or args.username, role=Role(args.role), unit=args.unit,
                                 must_change_password=args.role == "trainee")
        except DomainError as e:
            raise Fail(e.message) from None
    print(f"已创建用户 {args.username}（{args.role}）")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m quizapp")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="检查内容、迁移数据库、同步题库、创建首个教员账号")
    p = sub.add_parser("serve", help="启动服务")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p = sub.add_parser("create-user", help="创建用户")
    p.add_argument("username")
    p.add_argument("password")
    p.add_argument("--role", choices=[r.value for r in Role], default="trainee")
    p.add_argument("--name", default="")
    p.add_argument("--unit", default="")
    p = sub.add_parser("reset-password", help="为用户生成新的初始密码（只显示一次；首次登录须修改，14 天未使用即失效）")
    p.add_argument("username")
    p = sub.add_parser("end-sessions", help="立即结束某用户（或 --all：所有用户）的全部登录会话")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("username", nargs="?")
    who.add_argument("--all", action="store_true")
    p = sub.add_parser("backup", help="备份数据库到文件（SQLite 在线备份；PostgreSQL 用 pg_dump）")
    p.add_argument("file")
    p = sub.add_parser("restore", help="用备份文件恢复数据库（先停止服务）")
    p.add_argument("file")
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.command == "setup":
        setup(settings)
    elif args.command == "serve":
        serve(args.host, args.port, args.workers)
    elif args.command == "create-user":
        create_user(settings, args)
    elif args.command == "reset-password":
        reset_password(settings, args.username)
    elif args.command == "end-sessions":
        end_sessions(settings, None if args.all else args.username)
    elif args.command in ("backup", "restore"):
        try:
            if args.command == "backup":
                print(f"已备份到 {backup.backup(settings.database_url, Path(args.file))}")
            else:
                backup.restore(settings.database_url, Path(args.file))
                print(f"已从 {args.file} 恢复数据库")
        except DomainError as e:
            raise Fail(e.message) from None
