"""An exam's save latency while heavy requests arrive: a script that prints figures.

    .venv/bin/python bench/roster_during_exam.py [--examinees 200] [--save-interval 15] [--phase-seconds 20]

Issue 17 asks that a roster bomb, a 4,000-row import and a 12 MB save during
a 200-examinee exam leave the save p95 under 300 ms. This measures it: a
fresh SQLite database and one server worker (as exam_load.py prepares them);
N examinees log in, start the exam and load the paper, then each saves an
answer every S seconds on average (a Poisson pace, as in the exam hour, each
on a connection of its own) through every phase, one after another:

    quiet     saves only, for --phase-seconds
    bomb      an instructor uploads crafted rosters back to back for
              --phase-seconds, in turn: a 5 KB sheet declaring 16,384
              columns and 1,000 rows, a 100,000-row sheet (2.2 MB, 27 MB unpacked), a
              20,000-row sheet (5 MB unpacked: within the size limits, over
              the row limit) and a zip bomb (1 MB declaring 1 GiB unpacked)
    import    two rosters of 2,000 rows (4,000 new trainees: a file holds
              2,000 at most) uploaded to two cohorts, then both confirmed at
              once; the phase lasts until both imports are done
    big save  one examinee sends 12 MB save bodies one after another for
              --phase-seconds, each on a new connection (the request body
              limit answers 413: the status is printed)

For each phase it prints the saves sent during it, however late they were
answered (count, p50, p95, max and errors), the cores used, and what the heavy requests got (status,
message, latency). Figures from this machine are in bench/RESULTS.md
("Heavy requests during an exam").
"""
from __future__ import annotations

import argparse
import asyncio
import contextvars
import io
import json
import random
import re
import sys
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import exam_load as load  # noqa: E402  (the benchmark's database, server, client and examinee steps)

from quizapp.web.csrf import token_for  # noqa: E402  (exam_load has put the repository on the path)

INSTRUCTOR = ("bench-instructor", "bench-instructor-pass")       # exam_load.server_env's first instructor
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["姓名", "单位/镇街", "手机号", "工号", "执法证号"]


# --- the heavy requests' payloads --------------------------------------------------------------

def sheet(rows, *, write_only: bool = False, wide: bool = False) -> bytes:
    from openpyxl import Workbook
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet() if write_only else wb.active
    for row in rows:
        ws.append(row)
    if wide:                                  # <dimension ref="A1:XFD1000">: 16,384 columns, 1,000 rows
        ws.cell(1, 16384, "备注")
        ws.cell(1000, 1, " ")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def trainees(count: int, first: int) -> list[list]:
    return [HEADER] + [[f"学员{i}", f"某镇综合行政执法办公室{i % 40}", f"137{i:08d}", "", ""]
                       for i in range(first, first + count)]


def zip_bomb(declared: int = 1024 ** 3) -> bytes:
    """A valid small roster plus a part of ``declared`` zero bytes, deflated."""
    buf = io.BytesIO(sheet(trainees(3, 90_000_000)))
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/media/image1.png", "w", force_zip64=True) as part:
            chunk = bytes(1024 * 1024)
            for _ in range(declared // len(chunk)):
                part.write(chunk)
    return buf.getvalue()


def bombs() -> list[tuple[str, bytes]]:
    return [("16,384 columns", sheet(trainees(3, 91_000_000), wide=True)),
            ("100,000 rows", sheet(trainees(100_000, 92_000_000), write_only=True)),
            ("20,000 rows", sheet(trainees(20_000, 93_000_000), write_only=True)),
            ("zip bomb 1 GiB", zip_bomb())]


def multipart(filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = f"bench{random.getrandbits(64):016x}"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: {XLSX}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


# --- figures -------------------------------------------------------------------------------

@dataclass
class Heavy:
    """What the heavy requests of a phase got."""
    outcomes: list[dict] = field(default_factory=list)

    def add(self, what: str, started: float, status: int | str, message: str = "") -> None:
        self.outcomes.append({"what": what, "status": status, "seconds": round(time.monotonic() - started, 3),
                              "message": message[:80]})


SAVE_SENT: contextvars.ContextVar[float] = contextvars.ContextVar("save_sent")   # per examinee task


class Saves(load.Recorder):
    """exam_load's recorder, which also keeps when each save was sent: a phase
    counts the saves sent during it, however late they are answered (a save
    held up by a heavy request is answered only after it, maybe after the
    phase)."""

    def __init__(self):
        super().__init__()
        self.sent: list[tuple[float, float]] = []            # (sent at, latency) of each save answered
        self.failed: list[tuple[float, str]] = []            # (sent at, kind) of each save that failed

    def ok(self, op: str, seconds: float) -> None:
        super().ok(op, seconds)
        if op == "save":
            self.sent.append((SAVE_SENT.get(), seconds))

    def error(self, op: str, kind: str) -> None:
        super().error(op, kind)
        if op == "save":
            self.failed.append((SAVE_SENT.get(), kind))

    def sent_between(self, start: float, end: float, name: str) -> tuple[load.LatencyStats, Counter]:
        return (load.LatencyStats(name, [latency for at, latency in self.sent if start <= at < end]),
                Counter(kind for at, kind in self.failed if start <= at < end))


def refusal(response: load.Response) -> str:
    """The Chinese message of a refusal: {"detail"} or the page's alert."""
    try:
        return str(response.json().get("detail", ""))
    except ValueError:
        pass
    found = re.search(r'class="alert error"[^>]*>([^<]+)<', response.text) or re.search(r"<p[^>]*>([^<]*[\u4e00-\u9fff][^<]*)</p>",
                                                                                   response.text)
    return found.group(1).strip() if found else ""


# --- the instructor -----------------------------------------------------------------------

class Instructor:
    def __init__(self, base: str):
        self.base = base
        self.cookie = ""

    def headers(self) -> dict[str, str]:
        return {"Cookie": f"{load.COOKIE}={self.cookie}", "X-CSRF-Token": token_for(self.cookie)}

    async def log_in(self) -> None:
        async with load.make_client(self.base, 1) as client:
            r = await client.post("/login", await load.login_form(client),
                                  data={"username": INSTRUCTOR[0], "password": INSTRUCTOR[1],
                                        "next": "/instructor/"})
        self.cookie = r.cookie(load.COOKIE)
        if r.status != 303 or not self.cookie:
            raise SystemExit(f"the instructor could not log in: HTTP {r.status}")

    async def cohort(self, name: str) -> int:
        async with load.make_client(self.base, 1) as client:
            r = await client.post("/instructor/cohorts/", self.headers(), data={"name": name, "unit": "某县司法局"})
        if r.status != 303:
            raise SystemExit(f"creating a cohort: HTTP {r.status}")
        return int(r.headers["location"].rstrip("/").rsplit("/", 1)[1])

    async def upload(self, cohort_id: int, filename: str, data: bytes) -> load.Response:
        body, content_type = multipart(filename, data)
        async with load.HttpClient(self.base, 1, timeout=300) as client:
            return await client.request("POST", f"/instructor/cohorts/{cohort_id}/roster",
                                        {**self.headers(), "Content-Type": content_type}, body)

    async def confirm(self, upload_path: str) -> load.Response:
        async with load.HttpClient(self.base, 1, timeout=300) as client:
            return await client.post(upload_path + "/confirm", self.headers(), data={})


# --- the phases -----------------------------------------------------------------------------

async def examinee(base: str, ex: load.Examinee, exam_id: int, interval: float, rec: Saves,
                   ready: list, stop: asyncio.Event) -> None:
    async with load.make_client(base, 1) as client:
        if not await load.log_in(client, ex, rec) or not await load.start_and_load(client, ex, exam_id, rec):
            return
        ready.append(ex)
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), ex.rng.expovariate(1 / interval))
            except asyncio.TimeoutError:
                SAVE_SENT.set(time.monotonic())
                await load.save_one(client, ex, rec)


async def bomb_phase(instructor: Instructor, cohort_id: int, payloads, seconds: float, heavy: Heavy) -> None:
    end = time.monotonic() + seconds
    turn = 0
    while time.monotonic() < end:
        what, data = payloads[turn % len(payloads)]
        turn += 1
        started = time.monotonic()
        try:
            r = await instructor.upload(cohort_id, f"{what}.xlsx", data)
            heavy.add(what, started, r.status, refusal(r) if r.status >= 400 else r.headers.get("location", ""))
        except (OSError, asyncio.TimeoutError) as e:
            heavy.add(what, started, type(e).__name__)


async def import_phase(instructor: Instructor, cohort_ids: list[int], heavy: Heavy) -> None:
    uploads = []
    for n, cohort_id in enumerate(cohort_ids):
        data = sheet(trainees(2000, 10_000_000 * (n + 1)), write_only=True)
        started = time.monotonic()
        r = await instructor.upload(cohort_id, f"roster-{n + 1}.xlsx", data)
        heavy.add(f"upload 2,000 rows ({len(data) // 1024} KB)", started, r.status,
                  refusal(r) if r.status >= 400 else "")
        if r.status == 303:
            uploads.append(r.headers["location"])

    async def confirm(path: str) -> None:
        started = time.monotonic()
        try:
            r = await instructor.confirm(path)
            heavy.add("confirm 2,000 rows", started, r.status, refusal(r) if r.status >= 400 else "")
        except (OSError, asyncio.TimeoutError) as e:
            heavy.add("confirm 2,000 rows", started, type(e).__name__)
    await asyncio.gather(*(confirm(path) for path in uploads))


async def big_save_phase(base: str, ex: load.Examinee, size: int, seconds: float, heavy: Heavy) -> None:
    padding = "x" * (size - 200)
    end = time.monotonic() + seconds
    body = json.dumps({"question_id": ex.paper[0].id, "response": [padding]}).encode()   # replaces what is stored
    while time.monotonic() < end:
        started = time.monotonic()
        try:
            async with load.HttpClient(base, 1, timeout=120) as client:
                r = await client.request("POST", f"/api/attempts/{ex.attempt_id}/answers",
                                         {**ex.headers(), "Content-Type": "application/json"}, body)
            heavy.add(f"save body {len(body) / 2 ** 20:.0f} MB", started, r.status, refusal(r) if r.status >= 400
                      else r.text[:80])
        except (OSError, asyncio.TimeoutError) as e:
            heavy.add(f"save body {len(body) / 2 ** 20:.0f} MB", started, type(e).__name__)
        await asyncio.sleep(0.05)


async def run(base: str, sid: int, exam_id: int, examinees: list[load.Examinee], args) -> dict:
    rec, stop, ready = Saves(), asyncio.Event(), []
    instructor = Instructor(base)
    await instructor.log_in()
    bomb_cohort = await instructor.cohort("名单炸弹（压测）")
    import_cohorts = [await instructor.cohort(f"导入 2000 人（压测）{n}") for n in (1, 2)]
    payloads = await asyncio.to_thread(bombs)

    async def arrive(ex: load.Examinee, delay: float) -> None:
        await asyncio.sleep(delay)
        await examinee(base, ex, exam_id, args.save_interval, rec, ready, stop)
    tasks = [asyncio.create_task(arrive(ex, ex.rng.uniform(0, args.spike_seconds))) for ex in examinees]
    deadline = time.monotonic() + args.spike_seconds + 120
    while len(ready) < len(examinees) and time.monotonic() < deadline and not all(t.done() for t in tasks):
        await asyncio.sleep(0.2)
    print(f"[exam] {len(ready)} of {len(examinees)} examinees are answering", flush=True)
    await asyncio.sleep(args.save_interval)              # every examinee's pace under way

    phases = []

    async def phase(name: str, action) -> None:
        print(f"[{name}]", flush=True)
        heavy = Heavy()
        before, started = load.cpu_snapshot(sid), time.monotonic()
        await action(heavy)
        ended = time.monotonic()
        cpu = load.cpu_share(before, load.cpu_snapshot(sid))
        phases.append({"phase": name, "seconds": round(ended - started, 1), "window": (started, ended), "cpu": cpu,
                       "heavy": heavy.outcomes})
        await asyncio.sleep(args.pause)                  # the next phase starts from a settled server

    await phase("quiet", lambda heavy: asyncio.sleep(args.phase_seconds))
    await phase("bomb", lambda heavy: bomb_phase(instructor, bomb_cohort, payloads, args.phase_seconds, heavy))
    await phase("import", lambda heavy: import_phase(instructor, import_cohorts, heavy))
    await phase("big save", lambda heavy: big_save_phase(base, ready[0], args.big_save_mb * 2 ** 20,
                                                          args.phase_seconds, heavy))
    stop.set()
    await asyncio.gather(*tasks)                         # every save sent has its answer now
    for p in phases:
        started, ended = p.pop("window")
        saves, errors = rec.sent_between(started, ended, p["phase"])
        p["saves"], p["save_errors"] = saves.row(ended - started), dict(errors)
    return {"phases": phases, "answering": len(ready), "login_errors": {k: v for k, v in rec.errors.items()
                                                                       if not k.startswith("save")}}


def print_report(report: dict) -> None:
    a = report["args"]
    print("=" * 100)
    print(f"heavy requests during an exam: SQLite, 1 worker, {report['answering']} examinees answering, one save"
          f" every {a['save_interval']} s each on average")
    rows = []
    for p in report["phases"]:
        s = p["saves"]
        rows.append({"name": p["phase"], "seconds": p["seconds"], "count": s["count"], "rate": s.get("rate", ""),
                     "p50": s.get("p50", ""), "p95": s.get("p95", ""), "max": s.get("max", ""),
                     "errors": sum(p["save_errors"].values()), "server cores": p["cpu"]["server"],
                     "other cores": p["cpu"]["other"]})
    load.print_table("saves sent in each phase (latency in ms; cores: the server's processes, and everything"
                     " else on the machine but this script)", rows,
                     ["name", "seconds", "count", "rate", "p50", "p95", "max", "errors", "server cores",
                      "other cores"])
    for p in report["phases"]:
        if p["save_errors"]:
            print(f"  {p['phase']}: save errors {p['save_errors']}")
    print("\nheavy requests (grouped by what, status and message: count, seconds min–max)")
    for p in report["phases"]:
        groups: dict[tuple, list[float]] = {}
        for o in p["heavy"]:
            groups.setdefault((o["what"], o["status"], o["message"]), []).append(o["seconds"])
        for (what, status, message), seconds in groups.items():
            print(f"  {p['phase']:<9} {what:<26} {status!s:>5} ×{len(seconds):<3} {min(seconds):6.2f}–{max(seconds):6.2f} s"
                  f"  {message}")
    if report["login_errors"]:
        print(f"\nerrors before the phases: {report['login_errors']}")
    print("=" * 100)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--examinees", type=int, default=200)
    p.add_argument("--save-interval", type=float, default=15, help="mean seconds between one examinee's saves")
    p.add_argument("--spike-seconds", type=float, default=10, help="logins and starts spread over this")
    p.add_argument("--phase-seconds", type=float, default=20, help="length of the quiet, bomb and big-save phases")
    p.add_argument("--pause", type=float, default=3, help="seconds between phases")
    p.add_argument("--big-save-mb", type=int, default=12)
    p.add_argument("--wait-quiet", type=float, default=300,
                   help="wait up to this many seconds for other work on the machine to end before the run")
    p.add_argument("--json", default="", help="also write the figures to this file")
    args = p.parse_args()
    sys.argv = [sys.argv[0], "--db", "sqlite", "--examinees", str(args.examinees)]
    settings = load.ARGS = load.parse_args()            # exam_load's defaults (questions per paper, work dir)
    load.WORK_DIR.mkdir(parents=True, exist_ok=True)
    (load.WORK_DIR / ".gitignore").write_text("*\n")
    target = load.prepare_database(settings)
    load.run_setup(target)
    seeded = load.seed(target, args.examinees, settings.questions)
    examinees = [load.Examinee(u, random.Random(i)) for i, u in enumerate(seeded.usernames)]
    report = {"date": time.strftime("%Y-%m-%d %H:%M:%S %z"), "args": vars(args),
              "command": " ".join([".venv/bin/python", *sys.orig_argv[1:]])}
    report["background_cores_before_run"] = load.wait_for_quiet(0.3, args.wait_quiet)
    server = load.Server(target, 1, load.free_port())
    try:
        server.wait_ready(1)
        report.update(asyncio.run(run(server.base, server.sid, seeded.exam_id, examinees, args)))
    finally:
        server.stop()
    print_report(report)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str))
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    load.signal.signal(load.signal.SIGTERM, load.stop_on_signal)
    load.signal.signal(load.signal.SIGINT, load.stop_on_signal)
    main()
