#!/usr/bin/env python3
"""The two commands of the README, with nothing but Python 3.11 and git:

    python3 manage.py run     # venv + install, build the handbook, migrate and
                              # seed the SQLite database, start on 127.0.0.1:8000
    python3 manage.py test    # venv + install, run the whole test suite

Also: ``python3 manage.py check`` (content check only), ``python3 manage.py
build`` (handbook only), ``python3 manage.py content <命令> …`` (the content
tools: check, impact, import-excel, export; see quizapp/content/cli.py).
``run`` takes --host, --port and --workers; ``test`` passes further arguments
to pytest. Safe to run again: the virtual
environment is reinstalled only when pyproject.toml changes, and ``setup``
keeps every saved record.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".installed"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*cmd: str | Path, **kw) -> None:
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, **kw)
    if result.returncode:
        sys.exit(result.returncode)


def ensure_venv() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"需要 Python 3.11（当前为 {sys.version.split()[0]}）；请用 python3.11 manage.py …")
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PY.exists() and STAMP.exists() and STAMP.read_text() == want:
        return
    if not PY.exists():
        say("创建虚拟环境 .venv")
        venv.create(VENV, with_pip=True)
    say("安装依赖（pip install -e '.[test]'）")
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", ".[test]")
    STAMP.write_text(want)


def build(pdf_required: bool = True) -> None:
    say("构建手册（mkdocs build --strict）")
    run(BIN / "mkdocs", "build", "--strict", env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    say("生成各卷印刷本 PDF（site/pdf/，WeasyPrint）")
    if subprocess.run([str(PY), "-m", "quizapp.content", "pdf"], cwd=ROOT).returncode != 0:
        if pdf_required:
            sys.exit("生成 PDF 失败（见上方信息）")
        say("未能生成 PDF（WeasyPrint 需要系统的 Pango：apt-get install libpango-1.0-0 libpangoft2-1.0-0；"
            "中文字体：fonts-noto-cjk）。手册与平台照常启动，只是暂无 PDF 下载。")


def main(argv: list[str]) -> None:
    command, rest = (argv[0], argv[1:]) if argv else ("run", [])
    if command not in {"run", "test", "check", "build", "content"}:
        sys.exit(__doc__)
    ensure_venv()
    if command == "test":
        run(PY, "-m", "pytest", *rest)
    elif command == "check":
        run(PY, "-m", "quizapp.content", "check", *rest)
    elif command == "content":
        run(PY, "-m", "quizapp.content", *rest)
    elif command == "build":
        build()
    else:
        import argparse

        parser = argparse.ArgumentParser(prog="manage.py run")
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", default=os.environ.get("WORKERS", "1"))
        args = parser.parse_args(rest)
        build(pdf_required=False)
        say("检查内容、迁移数据库、同步题库")
        run(PY, "-m", "quizapp", "setup")
        os.execv(str(PY), [str(PY), "-m", "quizapp", "serve", "--host", args.host, "--port", args.port,
                           "--workers", args.workers])


if __name__ == "__main__":
    main(sys.argv[1:])
