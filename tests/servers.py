"""Real platform processes for the tests that TestClient cannot stand in for:
several workers on one database, a worker killed with SIGKILL, a database
behind a proxy that can be cut. Each server is ``python -m quizapp serve`` (as
``manage.py run`` and the e2e tests start it) on a free port; its output goes
to a log file that a failing test names."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import httpx

from quizapp.content import ROOT
from quizapp.web.csrf import HEADER, LOGIN_COOKIE, login_token, token_for
from quizapp.web.deps import COOKIE

TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    """Until ``url`` answers 200; RuntimeError with the process's log if it
    exits or does not answer within ``seconds``."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s:\n{log.read_text()}")


class Server:
    """One worker process: ``start()`` returns at once, ``wait_ready()`` waits for /healthz."""

    def __init__(self, database_url: str, log: Path, *, sweep_seconds: int = 1, site_dir: Path | None = None,
                 env: dict[str, str] | None = None):
        self.database_url, self.log, self.sweep_seconds = database_url, log, sweep_seconds
        self.extra_env = env or {}
        self.site_dir = site_dir or ROOT / "no-site"
        self.proc: subprocess.Popen | None = None
        self.base = ""

    def start(self) -> Server:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "DATABASE_URL": self.database_url, "SITE_DIR": str(self.site_dir),
               "SWEEP_SECONDS": str(self.sweep_seconds), **self.extra_env}
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "quizapp", "serve", "--port", str(port)], env=env,
                                         cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        return self

    @contextmanager
    def running(self):
        """Start, wait until ready, yield the base address; stopped on the way out."""
        self.start()
        try:
            yield self.wait_ready().base
        finally:
            self.stop()

    def wait_ready(self, seconds: float = 30) -> Server:
        try:
            wait_for(f"{self.base}/healthz", self.proc, self.log, seconds)
        except RuntimeError:
            self.stop()
            raise
        return self

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self) -> None:
        """kill -9: no shutdown handler runs, no connection is closed politely."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def login_form(base: str) -> dict:
    """What a browser posts with a login besides the form's fields: the login
    page's pre-session cookie and its CSRF token (web/csrf.py)."""
    page = httpx.get(f"{base}/login", timeout=TIMEOUT)
    nonce = page.cookies[LOGIN_COOKIE]
    return {"cookies": {LOGIN_COOKIE: nonce}, "headers": {HEADER: login_token(nonce)}}


class Trainee:
    """A browser's session cookie, sent to whichever worker a request goes to,
    with the CSRF header the exam page's script adds to every POST."""

    def __init__(self, cookie: str):
        self.cookie = cookie

    @classmethod
    def log_in(cls, base: str, username: str, password: str) -> Trainee:
        r = httpx.post(f"{base}/login", data={"username": username, "password": password, "next": "/exams/"},
                       timeout=TIMEOUT, **login_form(base))
        assert r.status_code == 303, r.text
        return cls(r.cookies[COOKIE])

    def headers(self, post: bool) -> dict[str, str]:
        h = {"Cookie": f"{COOKIE}={self.cookie}"}
        if post:
            h[HEADER] = token_for(self.cookie)
        return h

    def get(self, base: str, path: str) -> httpx.Response:
        return httpx.get(base + path, headers=self.headers(False), timeout=TIMEOUT)

    def post(self, base: str, path: str, **kwargs) -> httpx.Response:
        return httpx.post(base + path, headers=self.headers(True), timeout=TIMEOUT, **kwargs)

    def start(self, base: str, exam_id: int) -> int:
        r = self.post(base, f"/exams/{exam_id}/start")
        assert r.status_code == 303, r.text
        return attempt_id(r)

    def save(self, base: str, aid: int, qid: str, response, version: int | None = None) -> httpx.Response:
        """A save made on ``version`` of the stored answer (the page's base); None: replace whatever is stored."""
        body = {"question_id": qid, "response": response}
        if version is not None:
            body["base"] = version
        return self.post(base, f"/api/attempts/{aid}/answers", json=body)


def attempt_id(start_response: httpx.Response) -> int:
    return int(re.fullmatch(r"/attempts/(\d+)", start_response.headers["location"]).group(1))


def at_once(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released together by a barrier; their results in order.
    An exception in a call is re-raised here."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(n: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[n] = call()
        except BaseException as e:  # noqa: BLE001 - handed to the test
            errors.append(e)

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    if errors:
        raise errors[0]
    return results


class TcpProxy:
    """A TCP proxy on 127.0.0.1:port in front of the database. ``cut()`` closes
    every open connection and the listening socket (new connections are
    refused, as when the database host is down); ``restore()`` listens again
    on the same port."""

    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> TcpProxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    restore = start

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return                          # cut
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                if listener is not self._listener:          # cut meanwhile
                    client.close()
                    upstream.close()
                    return
                self._conns |= {client, upstream}
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                _close(s)
            with self._lock:
                self._conns -= {src, dst}

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            conns, self._conns = set(self._conns), set()
        if listener is not None:
            _close(listener)
        for s in conns:
            _close(s)

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._conns) // 2


def _close(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()
