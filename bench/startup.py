# ruff: noqa: E402 - the import path is set up before the shared helpers are imported
"""How long a new server worker takes to load, and to answer its first readers.

On the corpus of ``bench/http_load.py`` (seeded once), each round starts a fresh
Python process, as granian does for every worker, and times in it: loading the
WSGI application (``import despatch.wsgi``), then the first and second request
for each page, called straight through WSGI. The first request of a page is
what every reader queued behind it on that worker waits for. Uncached
(``DESPATCH_PAGE_CACHE=off``), so the second request shows the page's steady cost.
Prints the median of the rounds.

    uv run python bench/startup.py [--rounds 5]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on the path; the repository root goes
# there instead, and bench/ after it for the shared helpers.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
sys.path.insert(1, str(Path(__file__).resolve().parent))

import argparse
import json
import os
import statistics
import subprocess

import http_load

PAGES = {
    "home": "/",
    "blog": "/notes-from-montevideo/",
    "tag": "/tags/",
    "search": "/search/?q=embassy",
    "feed": "/feeds/rss/",
}

# Runs in the fresh process: the first thing it does is load the application.
WORKER = """
import io, json, sys, time
started = time.perf_counter()
from despatch.wsgi import application
timings = {"load": time.perf_counter() - started}
for name, address in json.loads(sys.argv[1]).items():
    path, _, query = address.partition("?")
    for attempt in ("first", "second"):
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
        }
        statuses = []
        began = time.perf_counter()
        application(environ, lambda status, headers, exc_info=None: statuses.append(status))
        timings[f"{name} {attempt}"] = time.perf_counter() - began
        assert statuses == ["200 OK"], (address, statuses)
print(json.dumps(timings))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    env = {
        **os.environ,
        "DESPATCH_VAR_DIR": str(http_load.DATA),
        "DESPATCH_SITE_URL": "http://127.0.0.1",
        "DESPATCH_PAGE_CACHE": "off",
    }
    http_load.build_corpus(env)
    http_load.despatch("collectstatic", "--noinput", "-v", "0", env=env)
    rounds = []
    for _round in range(options.rounds):
        finished = subprocess.run(
            [sys.executable, "-c", WORKER, json.dumps(PAGES)],
            cwd=http_load.ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        rounds.append(json.loads(finished.stdout.strip().splitlines()[-1]))
    print(f"median of {options.rounds} fresh processes, ms")
    for measure in rounds[0]:
        print(f"{measure:16} {statistics.median(r[measure] for r in rounds) * 1000:8.1f}")


if __name__ == "__main__":
    main()
