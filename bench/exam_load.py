"""Load benchmark: a province's exam hour against quizapp, on loopback.

Not a test: it prints figures. One command runs every phase against a fresh
database (SQLite file or a PostgreSQL database of its own, dropped and
created anew each run) and a real server started as a subprocess
(``python -m quizapp serve --workers N``). The load generator is one asyncio
process (a minimal asyncio HTTP/1.1 client: see HttpClient). In the exam
hour each examinee has a keep-alive connection of its own, as each browser
has; each closed-loop phase shares one pool of K connections. It
shares the machine's cores with the server (and with PostgreSQL), which the
printed CPU figures make visible.

Phases, in order:

0. prepare   - new database, ``python -m quizapp setup``, N trainees inserted
               in bulk with one argon2 hash, two exams (the hour's exam and a
               second one for the saturation phase), server started.
1. ceiling   - the same server's trivial endpoint (GET /healthz), closed loop
               with K concurrent clients: the framework's ceiling. K is each
               level of --concurrency (32 and 128): a closed loop of 32 does
               not always keep both cores busy, so the ceiling is the best
               level, and so is the save throughput of phase 3.
2. exam hour - the shape of a real exam hour, time-compressed by a factor C:
               the window lasts 3600/C seconds, but the *rates* stay real.
               a) start spike: every examinee logs in, starts the attempt and
                  loads the paper, arrivals spread uniformly over the first
                  --spike-seconds (60 s: "within the same minute"; 0 = burst);
               b) answering: each examinee saves one answer every --save-interval
                  seconds on average (15 s: the real pace, so the aggregate
                  save rate is N/15 per second whatever C is; only the number
                  of saves per examinee shrinks to about 3600/C/15), mostly the
                  next question, sometimes a changed answer; every save's reply
                  carries the clock, and the page asks GET .../state only after
                  --poll-interval (30 s) without one (static/exam.js);
               c) submits, spread uniformly over the last --submit-seconds.
   With --shape waiting (issue 29), instead: the exam's start second is set
               --room-minutes (30) ahead, its waiting room open from now; each
               examinee logs in at a moment of that half hour (most in its last
               third; --late-share of them after the start), enters the room
               (POST start: the paper is drawn then), loads the room page,
               posts its device check and syncs its clock about once a
               minute, and fetches its paper sealed (GET .../sealed-paper,
               within its first minute in the room); at the start second
               plus the delay the room page gives, it asks for the exam's
               key (GET /api/exams/{id}/paper-key), opens the seal and
               unpacks it (quizapp/sealed_paper.py; a room page without the
               seal loads the paper instead: prepared in the room, one read,
               sent gzipped) and reports its opening (POST .../events,
               ``enter``) within the next two minutes, as the page does;
               then b) and c) as above. The room's
               half hour is compressed by --room-compression (arrivals that
               many times denser than real); the time from the start second
               to each paper on screen, and the CPU per examinee for a real
               hour, are reported.
3. saturation - for each level K, K examinees of their own (still logged in)
               start the second exam and save as fast as they can (closed
               loop) for --saturation-seconds: the maximum save throughput.
4. database  - the database's raw commit rate, server idle: pgbench (a one-row
               INSERT per transaction) for PostgreSQL, or a threaded
               BEGIN IMMEDIATE/INSERT/COMMIT loop in WAL mode with
               quizapp/db.py's pragmas (synchronous=FULL, or the one given
               by --sqlite-synchronous) for SQLite.
5. integrity - server stopped; the database must hold exactly the answers
               the server acknowledged as applied (same rows, same response,
               same version), and every attempt must be graded once.
6. handbook  - ``mkdocs build --strict`` timed, and the bytes a phone
               downloads to open one case page (HTML, CSS, JS, fonts, images),
               with and without the search index, raw and gzip-compressed.

Example (see bench/README.md):
    .venv/bin/python bench/exam_load.py --db sqlite --examinees 2000
    .venv/bin/python bench/exam_load.py --db postgres --workers 2 --examinees 2000
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlparse
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quizapp.web.csrf import LOGIN_COOKIE, login_token, token_for  # noqa: E402 - after the path is set
WORK_DIR = ROOT / "bench" / ".var"           # SQLite files and the built site (git-ignored)
PASSWORD = "bench-exam-pass-1"
COOKIE = "zj_session"
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- figures ------------------------------------------------------------------------

@dataclass
class LatencyStats:
    """Latencies of one kind of request, in seconds; percentiles by sorted indexing."""
    name: str
    samples: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.samples.append(seconds)

    @property
    def count(self) -> int:
        return len(self.samples)

    def percentile(self, p: float) -> float:
        if not self.samples:
            return float("nan")
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]

    def row(self, seconds: float | None = None) -> dict:
        """count, rate (per second over ``seconds``), mean and percentiles in ms."""
        ms = lambda v: round(v * 1000, 1)  # noqa: E731
        out = {"name": self.name, "count": self.count}
        if seconds:
            out["rate"] = round(self.count / seconds, 1)
        if self.samples:
            out.update(mean=ms(statistics.fmean(self.samples)), p50=ms(self.percentile(50)),
                       p95=ms(self.percentile(95)), p99=ms(self.percentile(99)), max=ms(max(self.samples)))
        return out


@dataclass
class Recorder:
    """Latencies by operation and errors by kind, shared by every simulated examinee."""
    stats: dict[str, LatencyStats] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    done_at: dict[str, list[float]] = field(default_factory=dict)     # completion times, for windowed rates

    def ok(self, op: str, seconds: float) -> None:
        self.stats.setdefault(op, LatencyStats(op)).add(seconds)
        self.done_at.setdefault(op, []).append(time.monotonic())

    def error(self, op: str, kind: str) -> None:
        self.errors[f"{op}: {kind}"] += 1

    def of(self, op: str) -> LatencyStats:
        return self.stats.get(op, LatencyStats(op))

    def between(self, op: str, start: float, end: float, name: str) -> LatencyStats:
        """The latencies of the requests of ``op`` that completed in [start, end)."""
        done, samples = self.done_at.get(op, []), self.of(op).samples
        return LatencyStats(name, [s for t, s in zip(done, samples) if start <= t < end])


def print_table(title: str, rows: list[dict], columns: list[str]) -> None:
    print(f"\n{title}")
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns} if rows else {}
    print("  " + "  ".join(c.rjust(widths.get(c, len(c))) if c != "name" else c.ljust(widths.get(c, 4))
                           for c in columns))
    for r in rows:
        print("  " + "  ".join(str(r.get(c, "")).rjust(widths[c]) if c != "name" else str(r.get(c, "")).ljust(widths[c])
                               for c in columns))


# --- CPU accounting (to see who used the two cores) --------------------------------

def _proc_ticks(pid: int) -> tuple[int, int, str]:
    """(CPU ticks of the process and of its reaped children, session id, command), from /proc.
    Counting reaped children keeps the CPU of PostgreSQL backends that exited."""
    with open(f"/proc/{pid}/stat") as f:
        raw = f.read()
    comm = raw[raw.index("(") + 1:raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    return sum(int(v) for v in fields[11:15]), int(fields[3]), comm


def cpu_snapshot(server_sid: int | None) -> dict[str, float]:
    """CPU seconds so far of: this process, the server's process session, every
    postgres process, and the whole machine (busy time from /proc/stat)."""
    out = {"client": time.process_time(), "server": 0.0, "postgres": 0.0}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            ticks, sid, comm = _proc_ticks(int(entry))
        except (OSError, ValueError, IndexError):
            continue
        if server_sid is not None and sid == server_sid:
            out["server"] += ticks / CLK_TCK
        elif comm.startswith("postgres") or comm.startswith("postmaster"):
            out["postgres"] += ticks / CLK_TCK
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    out["machine"] = (sum(values[:8]) - idle) / CLK_TCK
    out["wall"] = time.monotonic()
    return out


def cpu_share(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Cores used on average between two snapshots (2.0 = both cores busy)."""
    wall = after["wall"] - before["wall"] or 1e-9
    share = {k: round((after[k] - before[k]) / wall, 2) for k in ("client", "server", "postgres", "machine")}
    share["other"] = round(max(0.0, share["machine"] - share["client"] - share["server"] - share["postgres"]), 2)
    return share


def wait_for_quiet(limit_cores: float, patience: float) -> float:
    """Wait (up to ``patience`` s) until the machine's other work uses less than
    ``limit_cores`` over 5 s (someone's test run would distort the figures);
    returns the last busy figure."""
    deadline = time.monotonic() + patience
    while True:
        before = cpu_snapshot(None)
        time.sleep(5)
        busy = cpu_share(before, cpu_snapshot(None))["machine"]
        if busy < limit_cores or time.monotonic() > deadline:
            return busy
        print(f"[prepare] the machine is busy with other work ({busy:.2f} cores); waiting", flush=True)


# --- database and server ----------------------------------------------------------

@dataclass
class Target:
    kind: str                 # sqlite | postgres
    url: str                  # DATABASE_URL for the server
    admin_url: str = ""       # PostgreSQL: the maintenance database, for DROP/CREATE


def prepare_database(args) -> Target:
    """A fresh, empty database: a new SQLite file, or the PostgreSQL database
    ``args.pg_database`` dropped and created anew (no other database is touched)."""
    if args.db == "sqlite":
        WORK_DIR.mkdir(parents=True, exist_ok=True)
        path = WORK_DIR / "bench_exam.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return Target("sqlite", f"sqlite:///{path}")
    import psycopg
    if args.pg_database in ("postgres", "test", "template0", "template1"):
        raise SystemExit(f"refusing to drop the database {args.pg_database!r}")
    admin = f"{args.pg_server}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.pg_database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.pg_database}"')
    return Target("postgres", f"{args.pg_server}/{args.pg_database}", admin)


def server_env(target: Target) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": target.url, "SITE_DIR": str(WORK_DIR / "no-site"),
            "ADMIN_USERNAME": "bench-instructor", "ADMIN_PASSWORD": "bench-instructor-pass",
            "SWEEP_SECONDS": "30", "NO_MKDOCS_2_WARNING": "1"}


def run_setup(target: Target) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "quizapp", "setup"], env=server_env(target), cwd=ROOT, check=True,
                   capture_output=True)
    return time.monotonic() - started


@dataclass
class Seeded:
    exam_id: int
    saturation_exam_id: int
    usernames: list[str]
    seconds: float


def seed(target: Target, examinees: int, questions: int) -> Seeded:
    """N trainees (one argon2 hash computed once, inserted in one statement) and two exams open to all."""
    from sqlmodel import Session, select

    from quizapp import accounts, exams
    from quizapp.db import make_engine
    from quizapp.models import Role, User, utcnow

    started = time.monotonic()
    engine = make_engine(target.url)
    digest = accounts.hash_password(PASSWORD)
    usernames = [f"examinee{i:05d}" for i in range(1, examinees + 1)]
    now = utcnow()
    rows = [{"username": u, "display_name": f"考生{i}", "unit": f"镇街{i % 120:03d}", "role": Role.trainee.value,
             "password_hash": digest, "must_change_password": False, "active": True, "cert_no": "",
             "created_at": now} for i, u in enumerate(usernames, 1)]
    blueprint = [{"count": questions, "volume": "v1-common"}]
    with Session(engine) as db:
        db.connection().execute(User.__table__.insert(), rows)
        db.commit()
        instructor = db.exec(select(User).where(User.role == Role.instructor.value)).first()
        exam = exams.create_exam(db, title="全省统一考试（压测）", created_by=instructor.id, time_limit_minutes=60,
                                 blueprint=blueprint, cohort_id=None)
        spare = exams.create_exam(db, title="吞吐量测试（压测）", created_by=instructor.id, time_limit_minutes=60,
                                  blueprint=blueprint, cohort_id=None)
        ids = exam.id, spare.id
    engine.dispose()
    return Seeded(ids[0], ids[1], usernames, time.monotonic() - started)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVERS: list["Server"] = []          # started and not yet stopped, for the signal handler


def server_command(target: Target, workers: int) -> list[str]:
    """``python -m quizapp``; with --sqlite-synchronous NORMAL, the same with
    quizapp.db's pragma set to NORMAL first (one worker: uvicorn serves it in
    this very process), to measure what the service's FULL costs."""
    synchronous = getattr(ARGS, "sqlite_synchronous", "FULL")
    if target.kind != "sqlite" or synchronous == "FULL":
        return [sys.executable, "-m", "quizapp"]
    if workers != 1:
        raise SystemExit("--sqlite-synchronous NORMAL: one worker only")
    return [sys.executable, "-c", "import sys, quizapp.db; quizapp.db.SQLITE_SYNCHRONOUS = sys.argv.pop(1); "
            "from quizapp.cli import main; main()", synchronous]


class Server:
    """``python -m quizapp serve`` in a session of its own; stop() ends that whole
    session (the uvicorn supervisor and its workers) by its id."""

    def __init__(self, target: Target, workers: int, port: int):
        SERVERS.append(self)
        self.base = f"http://127.0.0.1:{port}"
        self.log = open(WORK_DIR / "server.log", "w")
        self.proc = subprocess.Popen([*server_command(target, workers), "serve", "--host", "127.0.0.1",
                                      "--port", str(port), "--workers", str(workers)],
                                     env=server_env(target), cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    @property
    def sid(self) -> int:
        return self.proc.pid

    def wait_ready(self, workers: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited ({self.proc.returncode}); see {WORK_DIR / 'server.log'}")
            try:
                with urlopen(f"{self.base}/healthz", timeout=2) as r:
                    if r.status == 200:
                        time.sleep(1.0 if workers > 1 else 0.2)     # let every worker finish its start
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("server did not answer /healthz in time")

    def stop(self) -> None:
        if self not in SERVERS:
            return
        SERVERS.remove(self)
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        else:
            try:                                 # the supervisor is gone; a stray worker must not survive it
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()


# --- HTTP client and the examinee ---------------------------------------------------

class StaleConnection(ConnectionError):
    """A kept-alive connection the server had already closed: nothing was sent back."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]          # lower-case names; repeated headers joined with "\n"
    body: bytes

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def cookie(self, name: str) -> str:
        found = re.search(rf"(?:^|\n){re.escape(name)}=([^;\n]*)", self.headers.get("set-cookie", ""))
        return found.group(1) if found else ""


class HttpClient:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams, one pool for all
    examinees (no cookie jar: each examinee sends its own cookie).

    Why not httpx: on this machine httpx.AsyncClient costs 2 ms of client CPU
    per request alone and over 5 ms with 32 requests in flight (its pool), so
    the load generator, which shares the two cores with the server, would
    measure itself; this client costs about 0.15 ms per request."""

    def __init__(self, base: str, max_connections: int, timeout: float = 120.0, idle_limit: float = 60.0):
        parsed = urlparse(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.slots = asyncio.Semaphore(max_connections)
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        # the server drops idle connections after quizapp.cli.KEEP_ALIVE_SECONDS (75 s)
        self.timeout, self.idle_limit = timeout, idle_limit

    async def __aenter__(self) -> "HttpClient":
        return self

    async def __aexit__(self, *exc) -> None:
        for _, writer, _ in self.idle:
            writer.close()
        self.idle.clear()

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return await self.request("GET", path, headers or {})

    async def post(self, path: str, headers: dict[str, str] | None = None, *, data: dict | None = None,
                   json_body=None) -> Response:
        headers = dict(headers or {})
        body = b""
        if data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        return await self.request("POST", path, headers, body)

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Response:
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Length: {len(body)}\r\n"
                "Accept-Encoding: gzip\r\n")                  # as every browser; the prepared paper comes gzipped
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        message = (head + "\r\n").encode() + body
        async with self.slots:
            for _ in range(2):
                reader, writer, reused = await self._connection()
                try:
                    response, keep = await asyncio.wait_for(self._exchange(reader, writer, message, reused),
                                                            self.timeout)
                except StaleConnection:
                    writer.close()
                    continue                              # the request never reached the server: send it again
                except BaseException:
                    writer.close()
                    raise
                if keep:
                    self.idle.append((reader, writer, time.monotonic()))
                else:
                    writer.close()
                return response
            raise ConnectionError("two stale connections in a row")

    async def _connection(self):
        while self.idle:
            reader, writer, last_used = self.idle.pop()
            if time.monotonic() - last_used < self.idle_limit and not reader.at_eof():
                return reader, writer, True
            writer.close()
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return reader, writer, False

    @staticmethod
    async def _exchange(reader, writer, message: bytes, reused: bool) -> tuple[Response, bool]:
        try:
            writer.write(message)
            await writer.drain()
            raw = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as e:
            if reused and not getattr(e, "partial", b""):
                raise StaleConnection() from e
            raise ConnectionError(f"connection lost ({type(e).__name__})") from e
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                headers[name] = f"{headers[name]}\n{value.strip()}" if name in headers else value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunks.append(await reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(c[:-2] for c in chunks)
        else:
            body = await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        return Response(status, headers, body), headers.get("connection", "").lower() != "close"


def make_client(base: str, max_connections: int) -> HttpClient:
    return HttpClient(base, max_connections)


QUESTION_RE = re.compile(r'data-question="([^"]+)" data-type="([^"]+)"')
INPUT_RE = re.compile(r'<input type="(?:radio|checkbox)" name="([^"]+)"\s+value="([^"]*)"')


@dataclass
class PaperQuestion:
    id: str
    type: str
    options: list[str] = field(default_factory=list)                  # choice, judge, multiple
    parts: dict[str, list[str]] = field(default_factory=dict)         # case: part id -> option keys


def parse_paper(html: str) -> list[PaperQuestion]:
    """The questions of an attempt page: ids and types from the sections, option
    keys from the inputs, whose names are '<question id>:choice' or
    '<question id>:part-<part id>'."""
    paper = {qid: PaperQuestion(qid, qtype) for qid, qtype in QUESTION_RE.findall(html)}
    for name, value in INPUT_RE.findall(html):
        qid, _, slot = name.rpartition(":")
        q = paper.get(qid)
        if q is None:
            continue
        if slot.startswith("part-"):
            q.parts.setdefault(slot.removeprefix("part-"), []).append(value)
        else:
            q.options.append(value)
    return list(paper.values())


def choose_response(q: PaperQuestion, rng: random.Random) -> list[str] | dict[str, list[str]]:
    if q.type == "case":
        return {part: [rng.choice(keys)] for part, keys in q.parts.items()}
    if q.type == "multiple":
        return sorted(rng.sample(q.options, rng.randint(1, min(3, len(q.options)))))
    return [rng.choice(q.options)]


@dataclass
class Examinee:
    username: str
    rng: random.Random
    token: str = ""
    csrf: str = ""
    attempt_id: int = 0
    paper: list[PaperQuestion] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)
    # (attempt, question) -> (version, response) of the last save applied; the version is sent with
    # the next save of the question, as the exam page does (a fresh paper: none saved, version 0)
    acknowledged: dict[tuple[int, str], tuple[int, object]] = field(default_factory=dict)
    submitted: bool = False

    def headers(self) -> dict[str, str]:
        return {"Cookie": f"{COOKIE}={self.token}", "X-CSRF-Token": self.csrf}


def error_kind(response: Response) -> str:
    try:
        detail = response.json().get("detail", "")
    except (ValueError, AttributeError):
        detail = ""
    return f"HTTP {response.status}" + (f" {str(detail)[:60]}" if detail else "")


async def timed(rec: Recorder, op: str, request, also_fine: tuple[int, ...] = ()) -> Response | None:
    """Await one request; record its latency, or the error's kind (a status >= 400 not in also_fine)."""
    started = time.monotonic()
    try:
        response = await request
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as e:
        rec.error(op, "timeout" if isinstance(e, asyncio.TimeoutError) else type(e).__name__)
        return None
    fine = response.status < 400 or response.status in also_fine
    rec.ok(op, time.monotonic() - started) if fine else rec.error(op, error_kind(response))
    return response if fine else None


async def login_form(client: HttpClient) -> dict[str, str]:
    """As a browser does before it logs in: open the login page, for its pre-session
    cookie and the form's CSRF token (web/csrf.py); the headers for the login's POST."""
    nonce = (await client.get("/login")).cookie(LOGIN_COOKIE)
    return {"Cookie": f"{LOGIN_COOKIE}={nonce}", "X-CSRF-Token": login_token(nonce)}


async def log_in(client: HttpClient, ex: Examinee, rec: Recorder, op: str = "login") -> bool:
    try:
        form = await login_form(client)
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as e:
        rec.error(op, type(e).__name__)
        return False
    r = await timed(rec, op, client.post(f"/login", form, data={"username": ex.username, "password": PASSWORD,
                                                                      "next": "/exams/"}))
    if r is None:
        return False
    token = r.cookie(COOKIE)
    if r.status != 303 or not token:
        rec.error(op, f"HTTP {r.status} without session")
        return False
    ex.token, ex.csrf = token, token_for(token)
    return True


async def start_and_load(client: HttpClient, ex: Examinee, exam_id: int, rec: Recorder,
                         prefix: str = "") -> bool:
    r = await timed(rec, prefix + "start", client.post(f"/exams/{exam_id}/start", headers=ex.headers()))
    if r is None:
        return False
    location = r.headers.get("location", "")
    if r.status != 303 or not location.startswith("/attempts/"):
        rec.error(prefix + "start", f"HTTP {r.status} to {location[:40]}")
        return False
    ex.attempt_id = int(location.rsplit("/", 1)[1])
    r = await timed(rec, prefix + "paper", client.get(location, headers=ex.headers()))
    if r is None:
        return False
    ex.paper = parse_paper(r.text)
    ex.answered = []
    if not ex.paper:
        rec.error(prefix + "paper", "no questions on the page")
        return False
    return True


async def save_one(client: HttpClient, ex: Examinee, rec: Recorder, op: str = "save",
                   change_probability: float = 0.2) -> bool:
    """Answer the next question, or (sometimes, and once all are answered) change an earlier answer;
    whether the save was acknowledged with the clock (``remaining``) in its reply."""
    unanswered = len(ex.answered) < len(ex.paper)
    if unanswered and (not ex.answered or ex.rng.random() >= change_probability):
        q = ex.paper[len(ex.answered)]
        ex.answered.append(q.id)
    else:
        again = ex.rng.choice(ex.answered)
        q = next(p for p in ex.paper if p.id == again)
    response = choose_response(q, ex.rng)
    base = ex.acknowledged.get((ex.attempt_id, q.id), (0, None))[0]
    body = {"question_id": q.id, "response": response, "base": base}
    r = await timed(rec, op, client.post(f"/api/attempts/{ex.attempt_id}/answers", json_body=body,
                                         headers=ex.headers()))
    if r is None:
        return False
    reply = r.json()
    if not reply.get("saved"):
        rec.error(op, "saved is not true")
    elif reply.get("applied"):
        ex.acknowledged[(ex.attempt_id, q.id)] = (reply.get("seq"), response)
    else:
        rec.error(op, "acknowledged but not applied")       # never expected: one save at a time per examinee
    return isinstance(reply.get("remaining"), int)


async def submit(client: HttpClient, ex: Examinee, rec: Recorder, op: str = "submit",
                 result_page: bool = False) -> None:
    """交卷: the hand-in is acknowledged graded (a quiet worker) or handed in (``grading``: the grader
    scores it). ``result_page``: then, as static/exam.js does, open the result page (after the reply's
    ``retry`` seconds when it is being graded) and, while it says 正在评分, come back when its Refresh
    header says; "score shown" is from the hand-in to the score on screen."""
    handed_in = time.monotonic()
    r = await timed(rec, op, client.post(f"/api/attempts/{ex.attempt_id}/submit", headers=ex.headers()))
    if r is None:
        return
    status = r.json().get("status")
    if status not in ("graded", "grading"):
        rec.error(op, f"status {status}")
        return
    ex.submitted = True
    if not result_page:
        return
    await asyncio.sleep(float(r.json().get("retry", 0)))
    while True:
        page = await timed(rec, "result", client.get(r.json()["result_url"], headers=ex.headers()))
        if page is None:
            return
        if "refresh" not in page.headers:
            rec.ok("score shown", time.monotonic() - handed_in)
            return
        await asyncio.sleep(float(page.headers["refresh"]))


# --- phase 1: the framework's ceiling ----------------------------------------------------

async def closed_loop(seconds: float, concurrency: int, one_request) -> float:
    """Run ``one_request(worker_index)`` in ``concurrency`` loops for ``seconds``; returns the wall time."""
    stop_at = time.monotonic() + seconds

    async def loop(i: int) -> None:
        while time.monotonic() < stop_at:
            await one_request(i)

    started = time.monotonic()
    await asyncio.gather(*(loop(i) for i in range(concurrency)))
    return time.monotonic() - started


async def healthz_ceiling(base: str, args, sid: int, concurrency: int) -> dict:
    rec = Recorder()
    async with make_client(base, concurrency) as client:
        await closed_loop(2, concurrency, lambda i: timed(rec, "warm-up", client.get("/healthz")))
        before = cpu_snapshot(sid)
        wall = await closed_loop(args.ceiling_seconds, concurrency,
                                 lambda i: timed(rec, "healthz", client.get("/healthz")))
        cpu = cpu_share(before, cpu_snapshot(sid))
    n = max(rec.of("healthz").count, 1)
    return {"concurrency": concurrency, "stats": rec.of("healthz").row(wall), "rate": rec.of("healthz").count / wall,
            "cpu": cpu, "cpu_ms_per_request": {k: round(v * wall / n * 1000, 2) for k, v in cpu.items()},
            "errors": dict(rec.errors)}


# --- phase 2: the exam hour -----------------------------------------------------------------

@dataclass
class HourPlan:
    window: float                # seconds, 3600 / compression
    spike: float                 # arrivals spread over this many seconds (0: all at once)
    submit_window: float         # submits spread over the last this-many seconds
    save_interval: float         # mean seconds between one examinee's saves (the real pace)
    poll_interval: float         # the page's clock sync; 0 = off


async def examinee_hour(base: str, ex: Examinee, exam_id: int, plan: HourPlan,
                        t0: float, rec: Recorder, spike_done: list[float]) -> None:
    """One examinee's hour, on a connection of its own (a browser's): one
    examinee's slow login must not hold up another's save, as a pool shared by
    all examinees would (requests waiting there for a free connection)."""
    arrive = t0 + (ex.rng.uniform(0, plan.spike) if plan.spike else 0.0)
    submit_at = t0 + plan.window - ex.rng.uniform(0, plan.submit_window)
    await asyncio.sleep(max(0.0, arrive - time.monotonic()))
    async with make_client(base, 1) as client:
        await examinee_requests(client, ex, exam_id, plan, submit_at, rec, spike_done)


async def examinee_requests(client: HttpClient, ex: Examinee, exam_id: int, plan: HourPlan, submit_at: float,
                            rec: Recorder, spike_done: list[float]) -> None:
    if not await log_in(client, ex, rec) or not await start_and_load(client, ex, exam_id, rec):
        return
    spike_done.append(time.monotonic())
    await answer_until(client, ex, plan, submit_at, rec)


async def answer_until(client: HttpClient, ex: Examinee, plan: HourPlan, submit_at: float, rec: Recorder,
                       report_at: float | None = None) -> None:
    """The exam page's traffic once the paper is on screen: saves at the real pace, the clock sync, the submit.
    As static/exam.js does, each save's reply resyncs the clock (it carries ``remaining``), and the page asks
    ``/state`` only when ``poll_interval`` seconds have passed without either. ``report_at``: when the page
    reports its opening (POST .../events, ``enter``), if it does (the waiting shape)."""
    opened = time.monotonic()
    next_save = opened + ex.rng.expovariate(1 / plan.save_interval)
    next_poll = opened + plan.poll_interval if plan.poll_interval else float("inf")
    next_report = report_at if report_at is not None else float("inf")
    while True:
        wake = min(next_save, next_poll, next_report, submit_at)
        await asyncio.sleep(max(0.0, wake - time.monotonic()))
        if wake == submit_at:
            break
        if wake == next_report:
            await timed(rec, "opened-event", client.post(
                f"/api/attempts/{ex.attempt_id}/events", headers=ex.headers(),
                json_body={"kind": "enter", "duration_ms": round((time.monotonic() - opened) * 1000)}))
            next_report = float("inf")
        elif wake == next_poll:
            r = await timed(rec, "state", client.get(f"/api/attempts/{ex.attempt_id}/state",
                                                     headers=ex.headers()))
            if r is not None and r.json().get("status") != "open":
                rec.error("state", f"status {r.json().get('status')}")
            next_poll += plan.poll_interval
        else:
            if await save_one(client, ex, rec) and plan.poll_interval:
                next_poll = time.monotonic() + plan.poll_interval         # the reply's clock: no sync needed
            next_save += ex.rng.expovariate(1 / plan.save_interval)      # a Poisson pace per examinee
    await submit(client, ex, rec, result_page=ARGS.result_page == "on")


async def exam_hour(base: str, examinees: list[Examinee], exam_id: int, plan: HourPlan, args, sid: int) -> dict:
    rec = Recorder()
    spike_done: list[float] = []
    t0 = time.monotonic() + 1.0
    before = cpu_snapshot(sid)
    progress = asyncio.create_task(report_progress(rec, t0, plan.window))
    await asyncio.gather(*(examinee_hour(base, ex, exam_id, plan, t0, rec, spike_done) for ex in examinees))
    progress.cancel()
    after = cpu_snapshot(sid)
    end = time.monotonic()
    spike_end = max(spike_done, default=t0)
    # the steady window: after the last paper is loaded, before the first submit can come
    steady_from, steady_to = spike_end, t0 + plan.window - plan.submit_window
    steady_saves = sum(1 for t in rec.done_at.get("save", []) if steady_from <= t < steady_to)
    for op in ("save", "state"):         # the same requests once the start spike is over, before the submits
        rec.stats[f"{op} (steady)"] = rec.between(op, steady_from, steady_to, f"{op} (steady)")
    return {"rec": rec, "wall": end - t0, "cpu": cpu_share(before, after), "t0": t0,
            "spike_seconds": spike_end - t0, "started": len(spike_done),
            "steady_seconds": max(0.0, steady_to - steady_from),
            "steady_save_rate": steady_saves / (steady_to - steady_from) if steady_to > steady_from else float("nan")}


async def report_progress(rec: Recorder, t0: float, window: float) -> None:
    """A line every 30 s, so a long run shows it is alive (and where it struggles)."""
    while True:
        await asyncio.sleep(30)
        saves = rec.of("save")
        recent = saves.samples[-500:]
        p95 = sorted(recent)[int(0.95 * (len(recent) - 1))] * 1000 if recent else float("nan")
        print(f"  t={time.monotonic() - t0:5.0f}/{window:.0f}s  logins={rec.of('login').count}"
              f" papers={rec.of('paper').count + rec.of('paper-key').count} saves={saves.count} (recent p95 {p95:.0f} ms)"
              f" submits={rec.of('submit').count} errors={sum(rec.errors.values())}", flush=True)


# --- phase 2, waiting-room shape (issue 29) ----------------------------------------------------

@dataclass
class RoomPlan:
    pre: float                   # seconds between the room's opening and the start (30 min / --room-compression)
    late_share: float            # the share of examinees who arrive after the start
    late_window: float           # ... within this many seconds of it
    sync_interval: float         # the waiting page's clock sync (static/waiting.js: about once a minute)
    hold: bool = True            # the page asks for the key to be held until the start (static/waiting.js)


def arrival_offset(rng: random.Random, room: RoomPlan) -> float:
    """Seconds after the room opens at which an examinee logs in: most in the
    last third (a real exam's last ten minutes of thirty), a few after the start."""
    if rng.random() < room.late_share:
        return room.pre + rng.uniform(0, room.late_window)
    if rng.random() < 0.7:
        return rng.uniform(room.pre * 2 / 3, room.pre)
    return rng.uniform(0, room.pre * 2 / 3)


DELAY = re.compile(r'data-delay-ms="(\d+)"')
PREPARED = 'data-prepared="1"'       # the page prepared in the room (quizapp/prepared_paper.py)
ENTER_SPREAD = 120.0                  # such a page reports its opening within this (static/exam.js)


def set_start(target: Target, exam_id: int, seconds_from_now: float, room_minutes: int) -> None:
    """The exam's start second (opens_at) that many seconds from now, its room open that many minutes before."""
    from datetime import timedelta

    from sqlalchemy import update

    from quizapp.db import make_engine
    from quizapp.models import Exam, utcnow

    engine = make_engine(target.url, immediate=False)
    with engine.begin() as conn:
        conn.execute(update(Exam.__table__).where(Exam.__table__.c.id == exam_id).values(
            opens_at=utcnow() + timedelta(seconds=seconds_from_now), waiting_minutes=room_minutes))
    engine.dispose()


SEALED = re.compile(r'data-sealed-url="([^"]+)"')
KEY = re.compile(r'data-key-url="([^"]+)"')


def sealed_moment(rng: random.Random, wait: float) -> float:
    """When the room page fetches its sealed paper (static/waiting.js): within its first minute in the
    room, at once when the start is less than 20 s away."""
    return time.monotonic() + (0.0 if wait < 20 else rng.uniform(0, min(60.0, wait - 15)))


async def unseal(client: HttpClient, ex: Examinee, rec: Recorder, sealed: bytes, key_url: str,
                 ask_at: float) -> bytes | None:
    """The start as the page does it: the exam's key at the start second plus the page's delay (asked
    again after 0.5 s while the server says 409), the seal opened and unpacked. None: load the paper."""
    for _ in range(20):
        await asyncio.sleep(max(0.0, ask_at - time.monotonic()))
        r = await timed(rec, "paper-key", client.get(key_url), also_fine=(409,))
        if r is None:
            return None
        if r.status == 200:
            return opened_seal(ex, rec, sealed, r.json()["key"])
        ask_at = time.monotonic() + 0.5             # 409: asked before the server's start second
    return None


def opened_seal(ex: Examinee, rec: Recorder, sealed: bytes, key: str) -> bytes | None:
    """The paper's page from its seal and the exam's key (base64). None: the page loads it from the server."""
    import base64
    import gzip

    from quizapp.sealed_paper import open_seal
    try:
        return gzip.decompress(open_seal(base64.b64decode(key), ex.attempt_id, sealed))
    except Exception:                    # noqa: BLE001 - the page loads its paper from the server then
        rec.error("paper-key", "the key does not open the seal")
        return None


def hold_moment(rng: random.Random, t_start: float) -> float:
    """When the room page asks for the key to be held until the start (static/waiting.js): 10 to 35 s
    before the start, or a second from now when that has passed."""
    return max(time.monotonic() + 1.0, t_start - 10 - rng.uniform(0, 25))


def timeline_marks(window: float) -> list[int]:
    """Seconds after the start at which the CPU is read for the timeline: every 2 s of the first 30, then
    every 30 s within the window."""
    return list(range(0, 30, 2)) + list(range(30, int(window), 30))


async def examinee_with_room(base: str, ex: Examinee, exam_id: int, plan: HourPlan, room: RoomPlan,
                             t_open: float, t_start: float, rec: Recorder, opened: list[float],
                             late: list[float]) -> None:
    """One examinee: log in, enter the room, the page's device check and clock syncs, the paper at the
    start second plus the page's own delay, then the exam page's traffic until the submit."""
    arrive = t_open + arrival_offset(ex.rng, room)
    submit_at = t_start + plan.window - ex.rng.uniform(0, plan.submit_window)
    await asyncio.sleep(max(0.0, arrive - time.monotonic()))
    async with make_client(base, 1) as client:
        if not await log_in(client, ex, rec):
            return
        r = await timed(rec, "enter", client.post(f"/exams/{exam_id}/start", headers=ex.headers()))
        location = r.headers.get("location", "") if r is not None else ""
        if r is None or r.status != 303 or not location.startswith("/attempts/"):
            if r is not None:
                rec.error("enter", f"HTTP {r.status} to {location[:40]}")
            return
        ex.attempt_id = int(location.rsplit("/", 1)[1])
        page = await timed(rec, "room" if time.monotonic() < t_start else "late-paper",
                           client.get(location, headers=ex.headers()))
        if page is None:
            return
        delay = DELAY.search(page.text)
        if delay:                                   # the waiting room: check, wait, sync, then the paper
            await timed(rec, "check", client.post(f"/api/attempts/{ex.attempt_id}/check", json_body={},
                                                  headers=ex.headers()))
            ask_at = t_start + int(delay.group(1)) / 1000
            sealed_url = SEALED.search(page.text)
            key_url = KEY.search(page.text)
            sealed, sealed_at = None, sealed_moment(ex.rng, t_start - time.monotonic()) if sealed_url else None
            hold_at = hold_moment(ex.rng, t_start) if sealed_url and room.hold else None
            key = None
            next_sync = time.monotonic() + ex.rng.uniform(20, 60)
            while (wake := min(next_sync, sealed_at or ask_at, hold_at or ask_at)) < ask_at:
                await asyncio.sleep(max(0.0, wake - time.monotonic()))
                if wake == sealed_at:                   # the paper, sealed (static/waiting.js)
                    r = await timed(rec, "sealed", client.get(sealed_url.group(1), headers=ex.headers()),
                                    also_fine=(409,))           # 409: started meanwhile, none to give
                    sealed, sealed_at = (r.body if r is not None and r.status == 200 else None), None
                elif wake == hold_at and sealed is None:        # the seal not here yet: a second later
                    hold_at = hold_at + 1.0 if t_start - hold_at > 3 else None
                elif wake == hold_at:                   # the key, held by the server until the start second
                    # (the page's clock syncs go on meanwhile on a second connection; left out here)
                    r = await timed(rec, "held-key", client.get(f"{key_url.group(1)}?hold=1"), also_fine=(409,))
                    hold_at = None
                    if r is not None and r.status == 200:
                        key = r.json()["key"]
                        break
                else:
                    await timed(rec, "room-sync", client.get(f"/api/attempts/{ex.attempt_id}/state",
                                                             headers=ex.headers()))
                    next_sync += room.sync_interval
            if key is not None:
                html = opened_seal(ex, rec, sealed, key)
            else:
                html = await unseal(client, ex, rec, sealed, key_url.group(1), ask_at) if sealed else None
            if html is not None:
                page = Response(200, {}, html)
            else:
                for _ in range(20):                 # as the page does: asked too early, it asks again
                    await asyncio.sleep(max(0.0, ask_at - time.monotonic()))
                    page = await timed(rec, "paper", client.get(location, headers=ex.headers()))
                    if page is None or not DELAY.search(page.text):
                        break
                    rec.error("paper", "still the waiting room")
                    ask_at = time.monotonic() + 0.5
            if page is None:
                return
            opened.append(time.monotonic() - t_start)
        else:
            late.append(time.monotonic() - arrive)
        ex.paper = parse_paper(page.text)
        ex.answered = []
        if not ex.paper:
            rec.error("paper", "no questions on the page")
            return
        report_at = time.monotonic() + (ex.rng.uniform(0, ENTER_SPREAD) if PREPARED in page.text else 0.0)
        await answer_until(client, ex, plan, submit_at, rec, report_at)


async def cpu_marks(sid: int, moments: dict[str, float], out: dict[str, dict]) -> None:
    for label, at in sorted(moments.items(), key=lambda kv: kv[1]):
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        out[label] = cpu_snapshot(sid)


async def room_hour(base: str, examinees: list[Examinee], exam_id: int, plan: HourPlan, room: RoomPlan,
                    target: Target, sid: int) -> dict:
    rec = Recorder()
    opened: list[float] = []
    late: list[float] = []
    t_open = time.monotonic() + 2.0
    t_start = t_open + room.pre
    set_start(target, exam_id, t_start - time.monotonic(), int(room.pre // 60) + 2)
    steady_from, steady_to = t_start + 30, t_start + plan.window - plan.submit_window
    marks: dict[str, dict] = {}
    moments = {"open": t_open, "start": t_start, "start+20s": t_start + 20, "steady from": steady_from,
               "steady to": steady_to, **{f"+{a}s": t_start + a for a in timeline_marks(plan.window)}}
    marker = asyncio.create_task(cpu_marks(sid, moments, marks))
    progress = asyncio.create_task(report_progress(rec, t_open, room.pre + plan.window))
    await asyncio.gather(*(examinee_with_room(base, ex, exam_id, plan, room, t_open, t_start, rec, opened, late)
                           for ex in examinees))
    end_snapshot = cpu_snapshot(sid)
    progress.cancel()
    await marker
    marks["end"] = end_snapshot
    for op in ("save", "state"):
        rec.stats[f"{op} (steady)"] = rec.between(op, steady_from, steady_to, f"{op} (steady)")
    steady_saves = sum(1 for t in rec.done_at.get("save", []) if steady_from <= t < steady_to)

    def cpu_seconds(a: str, b: str) -> dict[str, float]:
        return {k: round(marks[b][k] - marks[a][k], 2) for k in ("client", "server", "postgres", "machine")}

    n = len(examinees)
    waiting_cpu, start_cpu = cpu_seconds("open", "start"), cpu_seconds("start", "start+20s")
    steady_cpu, steady_wall = cpu_seconds("steady from", "steady to"), steady_to - steady_from
    busy = lambda c: c["server"] + c["postgres"]          # noqa: E731  the service's CPU, load generator left out
    # an examinee's real hour: everything before the start and the start itself as measured, then an
    # hour of answering at the steady phase's cost per second (saves and clock syncs come at their real rates)
    per_examinee_ms = {
        "waiting room (login, enter, room, check, syncs)": round(busy(waiting_cpu) / n * 1000, 1),
        "the start (first 20 s)": round(busy(start_cpu) / n * 1000, 1),
        "an hour of answering (steady rate x 3600 s)": round(busy(steady_cpu) / steady_wall * 3600 / n * 1000, 1),
    }
    per_examinee_ms["the whole hour"] = round(sum(per_examinee_ms.values()), 1)
    ordered = sorted(opened)
    # where the time goes after the start: each 2 s of the first 30, then each 30 s, the papers and
    # the saves completed in it (count, p50, p95) and the cores used
    timeline = []
    points = timeline_marks(plan.window)
    for a, b in zip(points, points[1:]):
        row = {"from_s": a, "to_s": b, "cores": cpu_share(marks[f"+{a}s"], marks[f"+{b}s"])}
        for op in ("held-key", "paper-key", "paper", "save"):
            w = rec.between(op, t_start + a, t_start + b, op).row()
            if w["count"]:
                row[op] = {k: w[k] for k in ("count", "p50", "p95")}
        timeline.append(row)
    return {"rec": rec, "t0": t_open, "timeline": timeline, "wall": time.monotonic() - t_open,
            "pre_seconds": room.pre,
            "in_room": len(opened), "late_joined": len(late),
            "paper_on_screen": {"count": len(ordered),
                                "p50": round(ordered[len(ordered) // 2], 2) if ordered else None,
                                "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2) if ordered else None,
                                "max": round(ordered[-1], 2) if ordered else None,
                                "within_10s": sum(1 for t in ordered if t <= 10)},
            "cpu_cores": {"waiting": cpu_share(marks["open"], marks["start"]),
                          "start+20s": cpu_share(marks["start"], marks["start+20s"]),
                          "steady": cpu_share(marks["steady from"], marks["steady to"]),
                          "whole": cpu_share(marks["open"], marks["end"])},
            "cpu_ms_per_examinee": per_examinee_ms,
            "steady_seconds": steady_wall,
            "steady_save_rate": steady_saves / steady_wall if steady_wall > 0 else float("nan")}


# --- phase 3: saturation -------------------------------------------------------------------

async def saturation(base: str, examinees: list[Examinee], exam_id: int, args, sid: int) -> dict:
    """K examinees start the second exam, then save back to back (closed loop)."""
    rec = Recorder()
    async with make_client(base, len(examinees)) as client:
        ready = []
        for ex in examinees:                      # still logged in from the hour; log in again if not
            if (ex.token or await log_in(client, ex, rec, "sat-login")) and \
                    await start_and_load(client, ex, exam_id, rec, "sat-"):
                ready.append(ex)
        spy = start_py_spy(sid, args.saturation_seconds, spy_file(args.py_spy, len(examinees), args.concurrency))
        before = cpu_snapshot(sid)
        wall = await closed_loop(args.saturation_seconds, len(ready),
                                 lambda i: save_one(client, ready[i], rec, "sat-save", 0.3))
        cpu = cpu_share(before, cpu_snapshot(sid))
        if spy:
            spy.wait()
        for ex in ready:
            ex.submitted = False
            await submit(client, ex, rec, "sat-submit")
    saves = rec.of("sat-save").count
    return {"rec": rec, "wall": wall, "rate": saves / wall, "cpu": cpu, "examinees": len(ready),
            "concurrency": len(examinees),
            "cpu_ms_per_save": {k: round(v * wall / max(saves, 1) * 1000, 2) for k, v in cpu.items()}}


def spy_file(out: str, level: int, levels: list[int]) -> str:
    """FILE for one concurrency level; FILE with the level before its suffix for several (sat.txt -> sat-128.txt)."""
    if not out or len(levels) == 1:
        return out
    path = Path(out)
    return str(path.with_name(f"{path.stem}-{level}{path.suffix}"))


def start_py_spy(sid: int, seconds: float, out: str) -> subprocess.Popen | None:
    """Sample the server (every worker) during the saturation phase, if asked;
    bench/pyspy_summary.py reads the collapsed stacks."""
    if not out:
        return None
    spy = ROOT / ".venv" / "bin" / "py-spy"
    if not spy.exists():
        raise SystemExit(f"--py-spy: {spy} is missing (.venv/bin/pip install py-spy)")
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen([str(spy), "record", "--pid", str(sid), "--subprocesses", "--gil",
                             "--duration", str(int(seconds)), "--rate", "200", "--format", "raw", "-o", out],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# --- phase 4: the database's raw commit rate --------------------------------------------

def sqlite_commit_ceiling(seconds: float, threads: int, synchronous: str) -> dict:
    """One-row INSERT transactions from several threads, as quizapp/db.py opens
    SQLite: WAL, synchronous (FULL in the service), foreign keys, 30 s busy
    timeout, BEGIN IMMEDIATE."""
    path = WORK_DIR / "commit_ceiling.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        return conn

    connect().execute("CREATE TABLE commits (id INTEGER PRIMARY KEY, at REAL NOT NULL, payload TEXT NOT NULL)")
    counts = [0] * threads
    stop_at = time.monotonic() + seconds

    def loop(i: int) -> None:
        conn = connect()
        while time.monotonic() < stop_at:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO commits (at, payload) VALUES (?, ?)", (time.time(), '["A"]'))
            conn.execute("COMMIT")
            counts[i] += 1
        conn.close()

    wall = in_threads(threads, loop)
    return {"method": f"sqlite3 BEGIN IMMEDIATE/INSERT/COMMIT loop, {threads} threads, WAL, "
                      f"synchronous={synchronous}",
            "rate": sum(counts) / wall}


def in_threads(count: int, loop) -> float:
    """Run loop(0) … loop(count - 1) in threads at once; the seconds until the last one ends."""
    started = time.monotonic()
    pool = [threading.Thread(target=loop, args=(i,)) for i in range(count)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.monotonic() - started


def postgres_commit_ceiling(target: Target, seconds: float, clients: int) -> dict:
    """pgbench with a one-row INSERT per transaction (synchronous_commit as configured)."""
    import psycopg
    with psycopg.connect(target.url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_commits (id bigserial PRIMARY KEY, "
                     "at timestamptz NOT NULL DEFAULT now(), payload jsonb NOT NULL)")
        sync = conn.execute("SHOW synchronous_commit").fetchone()[0]
    pgbench = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
    if Path(pgbench).exists():
        script = WORK_DIR / "commit.sql"
        script.write_text("INSERT INTO bench_commits (payload) VALUES ('[\"A\"]');\n")
        parsed = urlparse(target.url)
        out = subprocess.run([pgbench, "-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432),
                              "-U", parsed.username or "postgres", "-n", "-c", str(clients), "-j", "2",
                              "-T", str(int(seconds)), "-f", str(script), parsed.path.lstrip("/")],
                             capture_output=True, text=True, check=True).stdout
        tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
        return {"method": f"pgbench -c {clients} -j 2, one-row INSERT per transaction, "
                          f"synchronous_commit={sync}", "rate": tps}
    counts = [0] * clients
    stop_at = time.monotonic() + seconds

    def loop(i: int) -> None:
        with psycopg.connect(target.url) as conn:
            while time.monotonic() < stop_at:
                conn.execute("INSERT INTO bench_commits (payload) VALUES ('[\"A\"]')")
                conn.commit()
                counts[i] += 1

    wall = in_threads(clients, loop)
    return {"method": f"psycopg INSERT+COMMIT loop, {clients} threads, synchronous_commit={sync}",
            "rate": sum(counts) / wall}


# --- phase 5: integrity ------------------------------------------------------------------

def integrity(target: Target, examinees: list[Examinee], exam_ids: dict[str, int], graded_within: float) -> dict:
    """Compare what the server acknowledged with what the database holds (once the graders were done:
    ``graded_within`` seconds after the last phase, until_all_graded)."""
    from sqlmodel import Session, select

    from quizapp.db import make_engine
    from quizapp.models import Attempt, AttemptAnswer

    acknowledged: dict[tuple[int, str], tuple[int, object]] = {}
    for ex in examinees:
        acknowledged.update(ex.acknowledged)
    engine = make_engine(target.url, immediate=False)
    out = {}
    with Session(engine) as db:
        for label, exam_id in exam_ids.items():
            attempts = db.exec(select(Attempt).where(Attempt.exam_id == exam_id)).all()
            ids = {a.id for a in attempts}
            rows = db.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id.in_(ids))).all() if ids else []
            expected = {k: v for k, v in acknowledged.items() if k[0] in ids}
            stored = {(r.attempt_id, r.question_id): (r.seq, r.response) for r in rows}
            missing = [k for k in expected if k not in stored]
            unexpected = [k for k in stored if k not in expected]
            different = [k for k in expected if k in stored and stored[k] != expected[k]]
            per_user = Counter(a.user_id for a in attempts)
            out[label] = {
                "waited_for_grading_s": graded_within,
                "attempts": len(attempts),
                "graded": sum(a.status == "graded" for a in attempts),
                "graded_by_trainee": sum(a.ended_by == "trainee" for a in attempts),
                "ungraded_or_unscored": sum(a.status != "graded" or a.score is None or a.submitted_at is None
                                            for a in attempts),
                "users_with_two_attempts": sum(1 for n in per_user.values() if n > 1),
                "acknowledged_answers": len(expected),
                "answer_rows": len(rows),
                "missing_rows": len(missing),
                "unacknowledged_rows": len(unexpected),
                "rows_differing_from_last_ack": len(different),
            }
    engine.dispose()
    return out


def until_all_graded(target: Target, exam_ids: list[int], limit: float = 600.0) -> float:
    """Wait, with the server still running, until no attempt of the exams is handed in and still
    ungraded (the workers' graders score them off the request); the seconds waited (``limit`` at
    most: the integrity check then counts those left)."""
    from sqlmodel import Session, func, select

    from quizapp.db import make_engine
    from quizapp.models import Attempt

    engine = make_engine(target.url, immediate=False)
    started = time.monotonic()
    while time.monotonic() - started < limit:
        with Session(engine) as db:
            left = db.exec(select(func.count()).select_from(Attempt).where(
                Attempt.exam_id.in_(exam_ids), Attempt.status == "grading")).one()
        if not left:
            break
        time.sleep(0.5)
    engine.dispose()
    return round(time.monotonic() - started, 1)


# --- phase 6: the handbook ------------------------------------------------------------------

class AssetLinks(HTMLParser):
    """Everything a browser fetches to show the page: stylesheets, scripts,
    images, icons, preloads."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("href") and set((a.get("rel") or "").split()) & {
                "stylesheet", "icon", "preload", "modulepreload", "manifest"}:
            self.urls.append(a["href"])
        elif tag in ("script", "img", "source") and a.get("src"):
            self.urls.append(a["src"])


def local_file(site: Path, page_url: str, ref: str) -> Path | None:
    if ref.startswith(("http:", "https:", "//", "data:")):
        return None
    path = urlparse(urljoin(page_url, ref)).path
    candidate = site / path.lstrip("/")
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def handbook(args) -> dict:
    out_dir = Path(tempfile.mkdtemp(prefix="bench-site-"))
    try:
        started = time.monotonic()
        build = subprocess.run([str(ROOT / ".venv" / "bin" / "mkdocs"), "build", "--strict", "-q", "-d", str(out_dir)],
                               cwd=ROOT, capture_output=True, text=True,
                               env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        build_seconds = time.monotonic() - started
        if build.returncode != 0:
            return {"build_seconds": build_seconds, "error": build.stderr[-500:]}
        cases = sorted((out_dir / "volumes" / "v1-common" / "cases").glob("*/index.html"))
        page = cases[0]
        page_url = "/" + str(page.relative_to(out_dir).parent) + "/"
        html = page.read_text()
        parser = AssetLinks()
        parser.feed(html)
        files: dict[Path, str] = {page: "html"}
        for ref in parser.urls:
            f = local_file(out_dir, page_url, ref)
            if f:
                files[f] = f.suffix.lstrip(".") or "other"
        for css in [f for f, kind in list(files.items()) if kind == "css"]:       # fonts and images in the CSS
            css_url = "/" + str(css.relative_to(out_dir))
            for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", css.read_text(errors="replace")):
                f = local_file(out_dir, css_url, ref.split("#")[0].split("?")[0])
                if f:
                    files[f] = f.suffix.lstrip(".")
        search = {}
        index = out_dir / "search" / "search_index.json"
        if index.is_file():
            search[index] = "json"
        worker = re.search(r'"search":\s*"([^"]+)"', html)           # Material's search worker, from __config
        if worker and (f := local_file(out_dir, page_url, worker.group(1))):
            search[f] = "js"

        def sizes(group: dict[Path, str]) -> dict:
            raw = sum(f.stat().st_size for f in group)
            gz = sum(len(gzip.compress(f.read_bytes(), compresslevel=6)) for f in group)
            return {"files": len(group), "bytes": raw, "gzip_bytes": gz}

        by_kind: dict[str, dict[Path, str]] = {}
        for f, kind in files.items():
            by_kind.setdefault(kind, {})[f] = kind
        return {"build_seconds": build_seconds, "page": page_url, "site_files": sum(1 for _ in out_dir.rglob("*")),
                "page_only": sizes(files), "search": sizes(search), "with_search": sizes({**files, **search}),
                "by_kind": {k: sizes(v) for k, v in sorted(by_kind.items())},
                "files": sorted(str(f.relative_to(out_dir)) for f in {**files, **search})}
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


# --- the run -------------------------------------------------------------------------------

def machine() -> dict:
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    info = {"nproc": os.cpu_count(), "ram_gib": round(mem_kib / 1024 / 1024, 1), "python": platform.python_version(),
            "cpu": next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                        "?")}
    try:
        import psycopg
        with psycopg.connect(f"{ARGS.pg_server}/postgres", connect_timeout=3) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 - only informative
        info["postgresql"] = "unavailable"
    return info


def print_report(r: dict) -> None:
    cols = ["name", "count", "rate", "mean", "p50", "p95", "p99", "max"]
    a = r["args"]
    print("\n" + "=" * 100)
    print(f"RESULT  db={a['db']} workers={a['workers']} examinees={a['examinees']} compression={a['compression']}"
          f" (window {r['plan']['window']:.0f} s instead of 3600 s; saves every {a['save_interval']} s per examinee,"
          f" offered {a['examinees'] / a['save_interval']:.1f} saves/s)")
    print(f"machine: {r['machine']}")
    print("the load generator runs on the same cores as the server"
          + (" and PostgreSQL" if a["db"] == "postgres" else "")
          + f"; other work used {r['background_cores_before_run']:.2f} cores just before the run"
          + " (cores below: client = this script, other = everything else on the machine)")
    h = r["hour"]
    print_table(f"exam hour (latency in ms; rate = count / the hour's {h['wall']:.0f} s)",
                h["rows"], cols)
    if a.get("shape") == "waiting":
        ps = h["paper_on_screen"]
        print(f"  waiting room: open {h['pre_seconds']:.0f} s before the start; {h['in_room']} waited and had"
              f" their paper {ps['p50']} s (p50), {ps['p95']} s (p95), {ps['max']} s (max) after the start second,"
              f" {ps['within_10s']} of them within 10 s; {h['late_joined']} joined after the start")
        print(f"  cores used on average: {h['cpu_cores']}")
        print("  after the start (seconds: requests completed count p50/p95 ms; cores: server+PostgreSQL, client):")
        for w in h.get("timeline", []):
            done = "; ".join(f"{op} {w[op]['count']} {w[op]['p50']}/{w[op]['p95']}"
                             for op in ("held-key", "paper-key", "paper", "save") if op in w)
            c = w["cores"]
            print(f"    +{w['from_s']}-{w['to_s']} s: {done or 'none'}; cores {round(c['server'] + c['postgres'], 2)}"
                  f", {c['client']}")
        print(f"  CPU ms per examinee (server and PostgreSQL, load generator left out): {h['cpu_ms_per_examinee']}")
    else:
        print(f"  start spike: {h['started']} of {a['examinees']} examinees logged in, started and loaded the paper"
              f" within {h['spike_seconds']:.1f} s")
    if h["steady_seconds"] > 0:
        print(f"  steady save throughput: {h['steady_save_rate']:.1f} saves/s over {h['steady_seconds']:.0f} s"
              f" (offered {a['examinees'] / a['save_interval']:.1f})")
    else:
        print("  steady save throughput: no steady phase (the start spike lasted into the submits)")
    if "cpu" in h:
        print(f"  cores used on average: {h['cpu']}")
    print(f"  errors: {h['errors'] or 'none'}")
    for s in r["saturation_levels"]:
        print_table(f"saturation: {s['examinees']} examinees saving back to back for {s['wall']:.0f} s",
                    s["rows"], cols)
        print(f"  cores used on average: {s['cpu']}")
        print(f"  CPU ms per save: {s['cpu_ms_per_save']}")
        print(f"  errors: {s['errors'] or 'none'}")
    c = r["ceilings"]
    print(f"\nceilings")
    for h in c["healthz_levels"]:
        print(f"  /healthz, {h['concurrency']} concurrent: {h['rate']:.0f} req/s"
              f" (p95 {h['stats'].get('p95')} ms; cores {h['cpu']}; errors {h['errors'] or 'none'})")
        print(f"    CPU ms per request: {h['cpu_ms_per_request']}")
    print(f"  database commits: {c['database']['rate']:.0f}/s ({c['database']['method']})")
    print(f"\nratios (saturation and /healthz: the best of the concurrency levels, each at its own best)")
    for label, value in r["ratios"].items():
        if value == value:                  # not NaN: the hour had a steady phase
            print(f"  {label}: {value:.3f}")
    for s, h in zip(r["saturation_levels"], c["healthz_levels"]):
        print(f"  at {s['concurrency']} concurrent: {s['rate']:.0f} saves/s / {h['rate']:.0f} req/s"
              f" = {s['rate'] / h['rate']:.3f}")
    print(f"\nintegrity")
    for label, figures in r["integrity"].items():
        ok = (figures["missing_rows"] == figures["unacknowledged_rows"] == figures["rows_differing_from_last_ack"]
              == figures["ungraded_or_unscored"] == figures["users_with_two_attempts"] == 0
              and figures["acknowledged_answers"] == figures["answer_rows"])
        print(f"  {label}: {'OK' if ok else 'FAILED'} {figures}")
    hb = r.get("handbook")
    if hb:
        print(f"\nhandbook")
        if "error" in hb:
            print(f"  build failed after {hb['build_seconds']:.1f} s: {hb['error']}")
        else:
            print(f"  mkdocs build --strict: {hb['build_seconds']:.1f} s ({hb['site_files']} files)")
            print(f"  case page {hb['page']}:")
            for label in ("page_only", "search", "with_search"):
                v = hb[label]
                print(f"    {label:12s} {v['files']:3d} files {v['bytes'] / 1024:9.1f} KiB raw"
                      f" {v['gzip_bytes'] / 1024:9.1f} KiB gzip")
            for kind, v in hb["by_kind"].items():
                print(f"      {kind:8s} {v['files']:3d} files {v['bytes'] / 1024:9.1f} KiB raw"
                      f" {v['gzip_bytes'] / 1024:9.1f} KiB gzip")
    print("=" * 100)


def saturation_figures(sat: dict) -> dict:
    srec: Recorder = sat["rec"]
    figures = {k: v for k, v in sat.items() if k != "rec"}
    figures["rows"] = [srec.of("sat-save").row(sat["wall"])] + rows_of(
        srec, ["sat-login", "sat-start", "sat-paper", "sat-submit"], 0)
    figures["errors"] = dict(srec.errors)
    return figures


def rows_of(rec: Recorder, ops: list[str], seconds: float) -> list[dict]:
    # no rate for a windowed row ("save (steady)"): the steady throughput is printed on its own line
    return [rec.of(op).row(None if "(" in op else seconds) for op in ops
            if rec.of(op).count or any(k.startswith(op + ":") for k in rec.errors)]


def lean_client(args) -> None:
    """The load generator spends as little of the shared cores as it can, as 10,000 browsers on devices of
    their own would spend none: uvloop's event loop (uvicorn's, installed with it), and the garbage
    collector set as the server's workers (quizapp/long_lived.py): with Python's defaults, full
    collections walk every examinee's parsed paper while every examinee's request waits for this one
    process. Run G's start had it 0.61 of a core busy (bench/RESULTS.md, change 8). --lean-client off:
    as before 2026-12-07 (runs A-G)."""
    if args.lean_client == "off":
        return
    import uvloop

    from quizapp import long_lived
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    long_lived.settle()


def main() -> None:
    global ARGS
    args = ARGS = parse_args()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    (WORK_DIR / ".gitignore").write_text("*\n")
    workers = args.workers or (1 if args.db == "sqlite" else 2)
    args.workers = workers
    plan = HourPlan(window=3600 / args.compression, spike=args.spike_seconds, submit_window=args.submit_seconds,
                    save_interval=args.save_interval, poll_interval=args.poll_interval)
    if args.shape == "spike" and plan.spike + plan.submit_window >= plan.window:
        raise SystemExit("the window is too short for the spike and the submits: lower --compression")
    if sum(args.concurrency) > args.examinees:
        raise SystemExit(f"--concurrency {args.concurrency}: the saturation levels need {sum(args.concurrency)}"
                         f" examinees of their own, but --examinees is {args.examinees}")
    report: dict = {"date": time.strftime("%Y-%m-%d %H:%M:%S %z"), "machine": machine(), "args": vars(args),
                    "plan": vars(plan), "command": " ".join([".venv/bin/python", *sys.argv])}
    print(f"[prepare] {args.db}, {args.examinees} examinees, {workers} worker(s)", flush=True)
    target = prepare_database(args)
    setup_seconds = run_setup(target)
    seeded = seed(target, args.examinees, args.questions)
    print(f"[prepare] setup {setup_seconds:.1f} s, seeding {seeded.seconds:.1f} s", flush=True)
    rng = random.Random(args.seed)
    examinees = [Examinee(u, random.Random(rng.random())) for u in seeded.usernames]
    lean_client(args)
    report["background_cores_before_run"] = wait_for_quiet(0.3, args.wait_quiet)
    server = Server(target, workers, args.port or free_port())
    try:
        server.wait_ready(workers)
        healthz_levels = []
        for k in args.concurrency:
            print(f"[ceiling] /healthz, {k} concurrent", flush=True)
            healthz_levels.append(asyncio.run(healthz_ceiling(server.base, args, server.sid, k)))
            print(f"[ceiling] /healthz {healthz_levels[-1]['rate']:.0f} req/s", flush=True)
        healthz = max(healthz_levels, key=lambda h: h["rate"])
        if args.shape == "waiting":
            room = RoomPlan(pre=args.room_minutes * 60 / args.room_compression, late_share=args.late_share,
                            late_window=args.late_seconds, sync_interval=args.room_sync, hold=args.hold == "on")
            report["room_plan"] = vars(room)
            print(f"[hour] waiting room {room.pre:.0f} s (compression {args.room_compression}), then window"
                  f" {plan.window:.0f} s (compression {args.compression})", flush=True)
            hour = asyncio.run(room_hour(server.base, examinees, seeded.exam_id, plan, room, target, server.sid))
        else:
            print(f"[hour] window {plan.window:.0f} s (compression {args.compression})", flush=True)
            hour = asyncio.run(exam_hour(server.base, examinees, seeded.exam_id, plan, args, server.sid))
        sat_levels, first = [], 0             # each level has examinees of its own: one attempt each
        for k in args.concurrency:
            print(f"[saturation] {k} examinees for {args.saturation_seconds} s", flush=True)
            sat_levels.append(asyncio.run(saturation(server.base, examinees[first:first + k],
                                                     seeded.saturation_exam_id, args, server.sid)))
            first += k
            print(f"[saturation] {sat_levels[-1]['rate']:.0f} saves/s", flush=True)
        sat = max(sat_levels, key=lambda s: s["rate"])
        print("[grading] until the workers' graders are done", flush=True)
        graded_within = until_all_graded(target, [seeded.exam_id, seeded.saturation_exam_id])
    finally:
        server.stop()
    print("[ceiling] database commit rate", flush=True)
    database = (sqlite_commit_ceiling(args.ceiling_seconds, args.db_threads, args.sqlite_synchronous)
                if target.kind == "sqlite"
                else postgres_commit_ceiling(target, args.ceiling_seconds, args.db_threads))
    print("[integrity]", flush=True)
    checks = integrity(target, examinees, {"exam hour": seeded.exam_id, "saturation": seeded.saturation_exam_id},
                       graded_within)
    rec: Recorder = hour["rec"]
    report["hour"] = {k: v for k, v in hour.items() if k not in ("rec", "t0")}
    report["hour"]["rows"] = rows_of(rec, ["login", "start", "enter", "room", "check", "room-sync", "sealed",
                                           "held-key", "paper-key", "paper",
                                           "late-paper", "opened-event", "save", "state", "submit", "result", "score shown",
                                           "save (steady)", "state (steady)"], hour["wall"])
    report["hour"]["errors"] = dict(rec.errors)
    report["saturation_levels"] = [saturation_figures(s) for s in sat_levels]
    report["saturation"] = saturation_figures(sat)
    report["ceilings"] = {"healthz": healthz, "healthz_levels": healthz_levels, "database": database}
    report["ratios"] = {
        "hour steady saves/s / healthz req/s": hour["steady_save_rate"] / healthz["rate"],
        "hour steady saves/s / db commits/s": hour["steady_save_rate"] / database["rate"],
        "saturation saves/s / healthz req/s": sat["rate"] / healthz["rate"],
        "saturation saves/s / db commits/s": sat["rate"] / database["rate"],
    }
    report["integrity"] = checks
    if not args.no_handbook:
        print("[handbook] mkdocs build", flush=True)
        report["handbook"] = handbook(args)
    print_report(report)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str))
        print(f"figures written to {args.json}")


def concurrency_levels(text: str) -> list[int]:
    """'32' or '32,128' -> [32] or [32, 128]."""
    try:
        levels = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not levels or min(levels) < 1:
        raise argparse.ArgumentTypeError(f"each level must be at least 1: {text!r}")
    return levels


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--workers", type=int, default=0, help="uvicorn workers (0: 1 for sqlite, 2 for postgres)")
    p.add_argument("--examinees", type=int, default=2000)
    p.add_argument("--questions", type=int, default=40, help="questions per paper")
    p.add_argument("--compression", type=float, default=10,
                   help="the hour lasts 3600/C seconds; rates stay real")
    p.add_argument("--shape", choices=["spike", "waiting"], default="spike",
                   help="spike: everyone logs in, starts and loads the paper within --spike-seconds; waiting:"
                        " logins over the waiting room's --room-minutes before the start (most in the last third),"
                        " every paper at the start second, spread by the server over its first seconds")
    p.add_argument("--spike-seconds", type=float, default=60, help="arrivals spread over this (0: one burst)")
    p.add_argument("--room-minutes", type=float, default=30, help="waiting shape: the room opens this long before")
    p.add_argument("--room-compression", type=float, default=3,
                   help="waiting shape: the room's minutes last room-minutes*60/R seconds (arrivals R times denser)")
    p.add_argument("--late-share", type=float, default=0.01, help="waiting shape: share arriving after the start")
    p.add_argument("--late-seconds", type=float, default=60, help="waiting shape: ... within this many seconds")
    p.add_argument("--room-sync", type=float, default=60, help="waiting shape: the room page's clock sync")
    p.add_argument("--hold", choices=("on", "off"), default="on",
                   help="waiting shape: the room asks for the key held until the start (off: at the start, runs A-H)")
    p.add_argument("--submit-seconds", type=float, default=60, help="submits spread over the window's last seconds")
    p.add_argument("--result-page", choices=("on", "off"), default="on",
                   help="after the hand-in, open the result page as the browser does, and again while it says"
                        " 正在评分 (off: the hand-in alone, runs A-K)")
    p.add_argument("--save-interval", type=float, default=15, help="mean seconds between one examinee's saves")
    p.add_argument("--poll-interval", type=float, default=30,
                   help="the page's clock sync after this long without a save's reply (0: off)")
    p.add_argument("--concurrency", type=concurrency_levels, default=[32, 128],
                   help="concurrent clients of the /healthz ceiling and of the saturation phase, one level or"
                        " several (32,128): each is measured, and the ratios take each side's best")
    p.add_argument("--saturation-seconds", type=float, default=30)
    p.add_argument("--ceiling-seconds", type=float, default=10)
    p.add_argument("--db-threads", type=int, default=8, help="threads (clients) of the database commit ceiling")
    p.add_argument("--sqlite-synchronous", choices=["FULL", "NORMAL"], default="FULL",
                   help="SQLite's synchronous pragma for the server (one worker) and the commit ceiling: FULL is"
                        " the service's (every commit flushed); NORMAL measures what that costs")
    p.add_argument("--pg-server", default="postgresql://postgres@127.0.0.1:5432")
    p.add_argument("--pg-database", default="bench_exam", help="dropped and created anew by every run")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--lean-client", choices=("on", "off"), default="on",
                   help="the load generator on uvloop with the server's garbage-collector settings (lean_client)")
    p.add_argument("--wait-quiet", type=float, default=300,
                   help="wait up to this many seconds for other work on the machine to end before the run")
    p.add_argument("--py-spy", default="", metavar="FILE",
                   help="profile the server with py-spy during the saturation phase (collapsed stacks to FILE)")
    p.add_argument("--no-handbook", action="store_true", help="skip the handbook build and page weight")
    p.add_argument("--json", default="", help="also write the figures to this file")
    return p.parse_args()


ARGS: argparse.Namespace


def stop_on_signal(signum, frame) -> None:
    """Ctrl-C or SIGTERM: stop the server at once (an event loop may be running), then leave."""
    for server in list(SERVERS):
        server.stop()
    print(f"\ninterrupted by signal {signum}; the server was stopped", file=sys.stderr, flush=True)
    os._exit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted; the server was stopped", file=sys.stderr)
        sys.exit(130)
