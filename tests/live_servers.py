"""Real ``despatch serve`` processes for tests of what crosses process boundaries.

Each server runs in its own process against a PostgreSQL database made for the
test (and Redis, where the test asks for it), exactly as app servers run in
production. Nothing here is mocked.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "root"}
REDIS = ("127.0.0.1", 6379)


def _reachable(address: tuple[str, int]) -> bool:
    with suppress(OSError), socket.create_connection(address, timeout=1):
        return True
    return False


def require_services(*, redis: bool = False) -> None:
    """Skip when PostgreSQL (or Redis) is not running here — but never in CI.

    These tests make their own databases, so they run once, in the pass of the
    suite that runs on PostgreSQL.
    """
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("Runs in the PostgreSQL pass of the suite (DATABASE_URL=postgres://…).")
    missing = [
        name
        for name, address, wanted in (
            ("PostgreSQL", (POSTGRES["host"], POSTGRES["port"]), True),
            ("Redis", REDIS, redis),
        )
        if wanted and not _reachable(address)
    ]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} must run in CI for this test.")
        pytest.skip(f"{', '.join(missing)} not running on this machine.")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for the duration of the block; yields its URL."""
    import psycopg

    def admin(statement: str) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **POSTGRES) as connection:
            connection.execute(statement)

    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{name}"
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def despatch(*arguments: str, env: dict[str, str], stdin: str | None = None) -> str:
    """Run a ``despatch`` command to completion and return what it printed."""
    finished = subprocess.run(
        [sys.executable, "-m", "despatch.cli", *arguments],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return finished.stdout


def run_python(code: str, *, env: dict[str, str]) -> dict:
    """Run Django code in the servers' database and return the JSON it prints last."""
    output = despatch("shell", "--no-imports", "-c", code, env=env)
    return json.loads(output.strip().splitlines()[-1])


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """A ``despatch serve`` process; yields its base URL and stops it afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "despatch.cli", "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/health/", timeout=2).read()
                break
            except (OSError, urllib.error.URLError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stderr.read().decode()[-3000:]) from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


class Browser:
    """A cookie-keeping HTTP client, enough to sign in and send forms like a reader."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, url: str) -> tuple[int, dict[str, str], str]:
        """GET ``url``; header names come back in lower case, as HTTP/2 and granian send them."""
        try:
            with self.opener.open(url, timeout=30) as response:
                status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read()
        return status, {name.lower(): value for name, value in headers.items()}, body.decode()

    def post_form(self, url: str, fields: dict[str, str | list[str]]) -> tuple[int, str]:
        """Send a form from ``url`` with its CSRF token, as a browser would."""
        _status, _headers, page = self.get(url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, f"no form on {url}"
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token.group(1)}, True)
        parts = urllib.parse.urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        request = urllib.request.Request(
            url, data=data.encode(), headers={"Referer": url, "Origin": origin}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class TcpProxy:
    """Forwards a local port to PostgreSQL, and can cut every connection: an outage."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []

    def start(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def stop(self) -> None:
        """Refuse new connections and break the open ones."""
        if self._listener is not None:
            # Closing alone leaves a thread blocked in accept() still accepting.
            with suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        for sock in self._sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)
