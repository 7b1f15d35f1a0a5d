#!/usr/bin/env python
"""Median in-process render time of every public page type, at 1k and at 100k posts.

Each corpus is made once by ``despatch seed --blogs 5 --posts N --comments-per-post 10``
into a scratch database and kept under ``bench/.data`` (SQLite files, and one
PostgreSQL database per size when DATABASE_URL points at PostgreSQL), so a
second run starts measuring at once. Every page is requested through Django's
test client in a fresh process per database and size: warm-up requests first,
then the median of many. The whole-page cache is switched off, so these are
uncached renders: the quality bar is a post page (with its 10 comments) in at
most 10 ms, and every page at 100k posts within 1.3 times its time at 1k.

    uv run python bench/pages.py                       # SQLite, 1k and 100k posts
    DATABASE_URL=postgres://root@127.0.0.1:5432/test uv run python bench/pages.py
    uv run python bench/pages.py --sizes 1000 10000 --iterations 50 --pages post network-home
    uv run python bench/pages.py --check               # exit 1 when a target is missed
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = ROOT / "bench" / ".data"
SEED_BLOGS = 5
SEED_COMMENTS_PER_POST = 10
POST_PAGE_TARGET_MS = 10.0
GROWTH_TARGET = 1.3


# --- Preparing the corpora (parent process) -----------------------------------


def despatch(*args: str, env: dict[str, str]) -> None:
    """Run a ``despatch`` management command in a child process, its output shown as it runs."""
    completed = subprocess.run([sys.executable, "-m", "despatch.cli", *args], cwd=ROOT, env=env)
    if completed.returncode != 0:
        sys.exit(f"`despatch {' '.join(args)}` failed (exit {completed.returncode}).")


def base_env(var_dir: Path, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="despatch.settings",
        DESPATCH_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        DEBUG="false",
        LOG_LEVEL="ERROR",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        # Measure rendering, not the whole-page cache, and without collectstatic.
        DESPATCH_PAGE_CACHE="off",
        DESPATCH_STATIC_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
    )
    return env


def postgres_database_url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def ensure_postgres_database(server_url: str, name: str) -> int | None:
    """Create database ``name`` on the server of ``server_url`` if needed; return its post count."""
    import psycopg

    with psycopg.connect(
        server_url.replace("postgres://", "postgresql://", 1), autocommit=True
    ) as db:
        exists = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            db.execute(f'CREATE DATABASE "{name}"')
            return None
    url = postgres_database_url(server_url, name).replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url) as db:
        table = db.execute("SELECT to_regclass('posts_post')").fetchone()
        if not table or table[0] is None:
            return None
        row = db.execute("SELECT count(*) FROM posts_post").fetchone()
        return int(row[0]) if row else None


def analyze_postgres(url: str) -> None:
    """Give PostgreSQL's planner the statistics autovacuum would gather on a live site
    (a corpus seeded a moment ago has none, and plans made blind sort every post)."""
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        db.execute("VACUUM ANALYZE")


def prepare(database: str, size: int, data_dir: Path) -> dict[str, str]:
    """Return the environment of a scratch database of ``size`` posts, seeding it if needed."""
    var_dir = data_dir / f"{database}-{size}"
    var_dir.mkdir(parents=True, exist_ok=True)
    marker = var_dir / "seeded.json"
    if database == "sqlite":
        url = f"sqlite:///{var_dir / 'despatch.sqlite3'}"
        seeded = marker.exists()
        if not seeded:
            for stale in var_dir.glob("despatch.sqlite3*"):
                stale.unlink()
    else:
        server_url = os.environ["DATABASE_URL"]
        name = f"{urlsplit(server_url).path.lstrip('/') or 'despatch'}_bench_{size}"
        url = postgres_database_url(server_url, name)
        count = ensure_postgres_database(server_url, name)
        seeded = marker.exists() and count == size
        if not seeded and count:
            sys.exit(
                f"Database {name} holds {count} posts but was not seeded by this script; "
                f"drop it (dropdb {name}) and run again."
            )
    env = base_env(var_dir, url)
    if not seeded:
        print(f"Seeding {size:,} posts into {database} ({var_dir}); done once.", file=sys.stderr)
        started = time.monotonic()
        despatch("migrate", "--no-input", "-v", "0", env=env)
        despatch(
            "seed",
            "--blogs",
            str(SEED_BLOGS),
            "--posts",
            str(size),
            "--comments-per-post",
            str(SEED_COMMENTS_PER_POST),
            env=env,
        )
        if database != "sqlite":
            analyze_postgres(url)
        marker.write_text(json.dumps({"posts": size, "seconds": time.monotonic() - started}))
    return env


# --- Measuring (child process, one per database and size) ---------------------


def sample_paths() -> dict[str, str]:
    """Pick the newest live post (with comments if any) and derive every page from it."""
    from django.urls import reverse

    from despatch.posts.models import Post
    from tests.validity.pages import Corpus, page_paths

    live = Post.objects.published().select_related("blog", "author").order_by("-published_at")
    post = live.filter(approved_comment_count__gt=0).first() or live.first()
    if post is None:
        sys.exit("The bench database has no live post.")
    tag = post.tags.first()
    if tag is None:
        sys.exit(f"Post {post.pk} has no tag; the tag pages cannot be measured.")
    paths = page_paths(Corpus(blog=post.blog, author=post.author, tag=tag, rich_post=post))
    # The sitemap index only links its pages; the first page of posts is where a
    # request's cost is, and it must not grow with the network either.
    paths["sitemap-posts"] = reverse("sitemap-section", kwargs={"section": "posts"})
    return paths


def measure(keys: list[str], iterations: int, warmup: int) -> dict[str, dict[str, float]]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.validity.pages import HTML_PAGE_KEYS, MACHINE_PAGE_KEYS, expected_status

    keys = keys or [*HTML_PAGE_KEYS, *MACHINE_PAGE_KEYS, "sitemap-posts"]
    paths = sample_paths()
    client = Client()
    results: dict[str, dict[str, float]] = {}
    for key in keys:
        path = paths[key]
        for _ in range(max(1, warmup)):
            response = client.get(path)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        # Read now: the next request empties the connection's query log.
        query_count = len(queries.captured_queries)
        timings = []
        cpu_timings = []
        for _ in range(iterations):
            started = time.perf_counter()
            cpu_started = time.process_time()
            client.get(path)
            cpu_timings.append((time.process_time() - cpu_started) * 1000)
            timings.append((time.perf_counter() - started) * 1000)
        results[key] = {
            "median_ms": statistics.median(timings),
            # CPU time spent by this process: on a shared machine it moves far less
            # than wall time, which includes waiting for a core.
            "median_cpu_ms": statistics.median(cpu_timings),
            "p90_ms": statistics.quantiles(timings, n=10)[-1],
            "queries": query_count,
            "status": response.status_code,
            "expected_status": expected_status(key),
        }
    return results


def run_child(env: dict[str, str], keys: list[str], iterations: int, warmup: int) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--measure",
        "--iterations",
        str(iterations),
        "--warmup",
        str(warmup),
    ]
    if keys:
        command += ["--pages", *keys]
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    # What the site logged while being measured (a 404 per request, say) is kept
    # beside the database rather than flooding the terminal.
    log = Path(env["DESPATCH_VAR_DIR"]) / "measure.log"
    log.write_text(completed.stderr)
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr[-5000:])
        sys.exit(f"Measuring failed (exit {completed.returncode}); the log is in {log}.")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- Report -------------------------------------------------------------------


def report(
    results: dict[str, dict[int, dict[str, Any]]], sizes: list[int], keys: list[str]
) -> list[str]:
    """Print one table per database; return the targets that were missed."""
    missed: list[str] = []
    small, large = min(sizes), max(sizes)
    for database, by_size in results.items():
        print(
            f"\n{database}: median ms per request (p90), median CPU ms (c), queries; "
            "uncached, in-process"
        )
        header = f"{'page':<16}" + "".join(f"{f'{size:,} posts':>28}" for size in sizes)
        header += f"{f'{large // 1000}k/{small // 1000}k':>10}" if len(sizes) > 1 else ""
        print(header)
        for key in keys:
            row = f"{key:<16}"
            for size in sizes:
                figures = by_size[size][key]
                cell = (
                    f"{figures['median_ms']:.2f} ({figures['p90_ms']:.1f}) "
                    f"{figures['median_cpu_ms']:.1f}c q{figures['queries']}"
                )
                row += f"{cell:>28}"
            flags = []
            if len(sizes) > 1:
                ratio = by_size[large][key]["median_ms"] / by_size[small][key]["median_ms"]
                row += f"{ratio:>10.2f}"
                if ratio > GROWTH_TARGET:
                    flags.append(f"grows x{ratio:.2f} > {GROWTH_TARGET}")
            if key == "post":
                slowest = max(by_size[size]["post"]["median_ms"] for size in sizes)
                if slowest > POST_PAGE_TARGET_MS:
                    flags.append(f"{slowest:.1f} ms > {POST_PAGE_TARGET_MS:.0f} ms")
            for size in sizes:
                figures = by_size[size][key]
                if figures["status"] != figures["expected_status"]:
                    flags.append(f"answered {figures['status']} at {size:,} posts")
            if flags:
                missed += [f"{database} {key}: {flag}" for flag in flags]
                row += "   << " + "; ".join(flags)
            print(row)
    print(
        f"\nTargets: post page median <= {POST_PAGE_TARGET_MS:.0f} ms; "
        f"{large:,}/{small:,} ratio <= {GROWTH_TARGET} for every page."
    )
    print("Missed: " + ("; ".join(missed) if missed else "none"))
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument(
        "--pages", nargs="+", default=[], help="page keys (default: every public page type)"
    )
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        print(json.dumps(measure(args.pages, args.iterations, args.warmup)))
        return

    args.data_dir.mkdir(parents=True, exist_ok=True)
    (args.data_dir / ".gitignore").write_text("*\n")
    databases = ["sqlite"]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        databases.append("postgresql")
    results: dict[str, dict[int, dict[str, Any]]] = {}
    for database in databases:
        for size in args.sizes:
            env = prepare(database, size, args.data_dir)
            print(f"Measuring {database} at {size:,} posts…", file=sys.stderr)
            results.setdefault(database, {})[size] = run_child(
                env, args.pages, args.iterations, args.warmup
            )
    first = next(iter(next(iter(results.values())).values()))
    missed = report(results, sorted(args.sizes), list(first))
    if args.check and missed:
        sys.exit(1)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
