# ruff: noqa: E402 - the import path is set up before the shared helpers are imported
"""Sixty seconds of load while moderators approve comments: no errors, no stale pages.

Starts ``despatch serve`` (page cache on) on a fresh copy of the benchmark corpus
of ``bench/http_load.py`` (the benchmark's own stays as seeded, and every run
starts from the same data), drives a mix of pages with wrk at 64 connections for
60 s, and meanwhile a second process approves a new comment on a post every half
second — the shape of a news spike with a busy moderation desk — and a new reader
arrives every second on a connection of their own. Afterwards it checks that wrk
saw only 2xx/3xx answers and no socket errors, that every new reader was answered
(wrk's own connections say nothing of readers the server never accepts), and that
every approved comment is on its post page: a page cached before an approval must
not outlive it. It prints one line per criterion, the workers' resident memory,
and the verdict; the exit status is 1 when the soak failed.

    uv run python bench/soak.py [--duration 60s] [--connections 64]
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
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request

import http_load

SOAK_DATA = http_load.DATA.with_name(http_load.DATA.name + "-soak")

APPROVER = """
import json, sys, time
from despatch.accounts.models import User
from despatch.conversations.models import Comment
from despatch.conversations.services import comment_moderate
from despatch.posts.models import Post
moderator = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
    "soak-moderator", "soak@example.org", "soak-moderator-password")
posts = list(Post.objects.published().order_by("-published_at")[:20])
approved = []
deadline = time.monotonic() + DURATION
number = 0
while time.monotonic() < deadline:
    post = posts[number % len(posts)]
    text = f"Soak comment {number} at {time.time():.3f}"
    comment = Comment.objects.create(
        post=post, author_name="Soak", author_email=f"soak{number}@example.org",
        body=text, status=Comment.Status.PENDING)
    comment_moderate(comment_ids=[comment.pk], to=Comment.Status.APPROVED, by=moderator)
    approved.append([post.get_absolute_url(), text])
    number += 1
    time.sleep(0.5)
print(json.dumps(approved))
"""

WRK_SCRIPT = """
local paths = {PATHS}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT\\t%d\\t%d\\t%d\\t%.1f\\n", summary.requests,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, latency:percentile(99) / 1000))
end
"""


def fresh_corpus(env: dict[str, str]) -> dict[str, str]:
    """Copy the seeded benchmark corpus for this run; return the environment that uses it."""
    http_load.build_corpus(env)
    shutil.rmtree(SOAK_DATA, ignore_errors=True)
    shutil.copytree(http_load.DATA, SOAK_DATA)
    return {**env, "DESPATCH_VAR_DIR": str(SOAK_DATA)}


def stale_pages(base: str, approved: list[list[str]]) -> list[str]:
    """The post pages that, after the load, do not show a comment approved during it."""
    stale = []
    for path, text in approved:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            if text not in response.read().decode():
                stale.append(path)
    return stale


class NewReaders(threading.Thread):
    """Every second until stopped, one reader opens a connection and asks for ``url``."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stopped = threading.Event()
        self.seconds: list[float] = []
        self.failures: list[str] = []

    def run(self) -> None:
        while not self.stopped.wait(1):
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=10) as response:
                    response.read()
            except OSError as error:
                self.failures.append(str(error))
            else:
                self.seconds.append(time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", default="60s")
    parser.add_argument("--connections", type=int, default=64)
    options = parser.parse_args()
    seconds = int(options.duration.rstrip("s"))
    env = fresh_corpus(
        {
            **os.environ,
            "DESPATCH_VAR_DIR": str(http_load.DATA),
            "DESPATCH_SITE_URL": "http://127.0.0.1",
        }
    )
    server = http_load.start_server("cached", env, workers=2)
    base = f"http://127.0.0.1:{http_load.PORTS['cached']}"
    try:
        urls = http_load.probe_urls(base)
        home = http_load.fetch(base + "/")
        posts = re.findall(r'href="(/[\w-]+/\d{4}/\d{2}/[^"#]+/)"', home)
        paths = [url.removeprefix(base) for url in urls.values()] + posts
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(
                WRK_SCRIPT.replace("{PATHS}", "{" + ", ".join(json.dumps(p) for p in paths) + "}")
            )
        readers = NewReaders(urls["post"])
        readers.start()
        approver = subprocess.Popen(
            [sys.executable, "-m", "despatch.cli", "shell", "--no-imports", "-c",
             APPROVER.replace("DURATION", str(seconds))],
            cwd=http_load.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        load = subprocess.run(
            ["wrk", "-t2", f"-c{options.connections}", f"-d{options.duration}", "--timeout", "10s",
             "-s", script.name, base + "/"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        readers.stopped.set()
        readers.join()
        approver_output, approver_errors = approver.communicate(timeout=120)
        memory = http_load.worker_memory_mb(server)
        result = next(line for line in load.stdout.splitlines() if line.startswith("RESULT"))
        _tag, requests, non_2xx_3xx, socket_errors, p99 = result.split("\t")
        failures = []
        print(f"requests: {requests} in {options.duration} at {options.connections} connections")
        print(f"p99: {p99} ms")
        print(f"non-2xx/3xx responses: {non_2xx_3xx} (must be 0)")
        if int(non_2xx_3xx):
            failures.append("error responses")
        print(f"socket errors (connect, read, write, timeout): {socket_errors} (must be 0)")
        if int(socket_errors):
            failures.append("socket errors")
        slowest = max(readers.seconds, default=0) * 1000
        print(
            f"new readers during the load: {len(readers.seconds)} answered (slowest "
            f"{slowest:.0f} ms), {len(readers.failures)} not answered in 10 s (must be 0)"
        )
        if readers.failures or not readers.seconds:
            failures.append("new readers not answered")
        warnings = [line for line in approver_errors.splitlines() if "WARNING" in line]
        print(f"warnings from the approver: {len(warnings)} (must be 0)")
        for line in warnings[:5]:
            print(f"  {line}")
        if warnings:
            failures.append("approver warnings")
        if approver.returncode == 0:
            approved = json.loads(approver_output.strip().splitlines()[-1])
            stale = stale_pages(base, approved)
            print(f"comments approved during the load: {len(approved)}")
            print(f"post pages missing an approved comment after it: {len(stale)} (must be 0)")
            if stale:
                failures.append("stale pages")
        else:
            reason = (approver_errors.strip().splitlines() or ["no output"])[-1]
            print(f"the approver failed: {reason}")
            failures.append("approver failed")
        print("granian worker resident memory: " + ", ".join(f"{size:.0f} MB" for size in memory))
        if failures:
            print(f"soak: FAILED ({', '.join(failures)})")
            raise SystemExit(1)
        print("soak: PASSED")
    finally:
        http_load.stop_server(server)


if __name__ == "__main__":
    main()
