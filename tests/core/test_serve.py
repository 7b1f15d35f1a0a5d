"""``despatch serve``: refuses clearly without a database, and serves the site with granian."""

from __future__ import annotations

import gzip
import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from despatch.core.management.commands.serve import port_in_use

ROOT = Path(__file__).resolve().parents[2]


def despatch(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "despatch.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def scratch_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment of a fresh embedded site under ``tmp_path``, whatever the test run uses."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DESPATCH_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'var' / 'despatch.sqlite3'}",
        CACHE_URL="locmemcache://serve-test",
        DEBUG="false",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(overrides)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_without_a_reachable_database_fails_in_one_clear_line(tmp_path: Path) -> None:
    """An unreachable PostgreSQL gives a non-zero exit and a message naming DATABASE_URL."""
    env = scratch_env(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    result = despatch("serve", "--port", str(free_port()), env=env)

    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_serve_with_an_unopenable_sqlite_file_fails_in_one_clear_line(tmp_path: Path) -> None:
    """A SQLite path in a folder that does not exist is reported, not traced back."""
    env = scratch_env(tmp_path, DATABASE_URL="sqlite:////nonexistent-folder/despatch.sqlite3")
    result = despatch("serve", "--port", str(free_port()), env=env)

    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.fixture
def served_site(tmp_path: Path) -> Iterator[str]:
    """A migrated scratch site served by ``despatch serve`` on a free port."""
    env = scratch_env(tmp_path)
    migrated = despatch("migrate", "--no-input", env=env, timeout=300)
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "despatch.cli", "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health/", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError) as error:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read() if server.stdout else ""
                    raise AssertionError(f"despatch serve did not start:\n{output}") from error
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_serve_answers_through_granian_with_compressed_static_files(served_site: str) -> None:
    """The health check answers from granian, and WhiteNoise serves gzip-compressed static files."""
    with urllib.request.urlopen(f"{served_site}/health/", timeout=5) as response:
        assert response.status == 200
        assert response.headers["Server"] == "granian"
        assert b'"status": "ok"' in response.read()

    request = urllib.request.Request(
        f"{served_site}/static/admin/css/base.css", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert b"body" in gzip.decompress(response.read())


def test_serve_answers_more_keep_alive_connections_than_it_has_threads(served_site: str) -> None:
    """Connections beyond the worker's threads are accepted and answered, not left
    waiting in the listen queue while the first ones stay open."""
    host, port = served_site.removeprefix("http://").split(":")
    connections = [http.client.HTTPConnection(host, int(port), timeout=10) for _ in range(6)]
    try:
        for connection in connections:
            connection.request("GET", "/health/")
            response = connection.getresponse()
            assert response.status == 200
            response.read()
    finally:
        for connection in connections:
            connection.close()


def test_a_second_server_on_a_port_in_use_refuses_to_start(
    served_site: str, tmp_path: Path
) -> None:
    """Granian shares a port with any server already on it (SO_REUSEPORT): a second
    ``despatch serve`` there would take half the readers to another site, silently."""
    port = served_site.rsplit(":", 1)[1]
    result = despatch("serve", "--port", port, env=scratch_env(tmp_path / "second"))

    assert result.returncode != 0
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    with urllib.request.urlopen(f"{served_site}/health/", timeout=5) as response:
        assert response.status == 200


def test_port_in_use_tells_a_listener_from_a_free_port() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        busy = listener.getsockname()[1]
        assert port_in_use("127.0.0.1", busy)
    assert not port_in_use("127.0.0.1", free_port())
