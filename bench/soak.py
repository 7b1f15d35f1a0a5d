# ruff: noqa: E402 - the import path is set up before the shared helpers are imported
"""Sixty seconds of load while moderators approve comments: no errors, no stale pages.

Starts ``despatch serve`` (page cache on) on the benchmark corpus of
``bench/http_load.py``, drives a mix of pages with wrk at 64 connections for
60 s, and meanwhile a second process approves a new comment on a post every
half second — the shape of a news spike with a busy moderation desk. Afterwards
it checks wrk saw only 2xx/3xx answers and that every approved comment is on
its post page: a page cached before an approval must not outlive it.

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
import subprocess
import tempfile
import urllib.request

import http_load

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", default="60s")
    parser.add_argument("--connections", type=int, default=64)
    options = parser.parse_args()
    seconds = int(options.duration.rstrip("s"))
    env = {
        **os.environ,
        "DESPATCH_VAR_DIR": str(http_load.DATA),
        "DESPATCH_SITE_URL": "http://127.0.0.1",
    }
    http_load.build_corpus(env)
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
        approver = subprocess.Popen(
            [sys.executable, "-m", "despatch.cli", "shell", "--no-imports", "-c",
             APPROVER.replace("DURATION", str(seconds))],
            cwd=http_load.ROOT, env=env, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        load = subprocess.run(
            ["wrk", "-t2", f"-c{options.connections}", f"-d{options.duration}", "--timeout", "10s",
             "-s", script.name, base + "/"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        approved = json.loads(approver.communicate(timeout=120)[0].strip().splitlines()[-1])
        result = next(line for line in load.stdout.splitlines() if line.startswith("RESULT"))
        _tag, requests, non_2xx_3xx, socket_errors, p99 = result.split("\t")
        stale = []
        for path, text in approved:
            with urllib.request.urlopen(base + path, timeout=30) as response:
                if text not in response.read().decode():
                    stale.append(path)
        print(f"requests: {requests} in {options.duration} at {options.connections} connections")
        print(f"non-2xx/3xx responses: {non_2xx_3xx}; socket errors: {socket_errors}; p99 {p99} ms")
        print(
            f"comments approved during the load: {len(approved)}; "
            f"stale pages after it: {len(stale)}"
        )
        if int(non_2xx_3xx) or int(socket_errors) or stale:
            raise SystemExit("soak: FAILED")
        print("soak: passed")
    finally:
        http_load.stop_server(server)


if __name__ == "__main__":
    main()
