"""Requests per second under load, Despatch beside WordPress and Puput on one machine.

Builds (once) a corpus shaped like ../shared/peers/ — 2,000 posts, 10 comments
each, 3 tags each from 100, 10 authors — starts ``despatch serve`` on it, and
drives each page type with wrk (2 threads, 32 connections, 10 s) through the
peers' own ``measure.sh``, uncached (DESPATCH_PAGE_CACHE=off) and cached. Then,
unless ``--no-peers``, it measures the peers (which must be set up first:
``bash ../shared/peers/run_all.sh`` or each ``setup.sh``) in the same run and
prints the ratios.

    uv run python bench/http_load.py [--no-peers] [--duration 10s] [--workers 2]
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT.parent / "shared" / "peers"
DATA = Path(os.environ.get("BENCH_DATA", "/tmp/despatch-bench-http"))  # noqa: S108
RESULTS = Path(os.environ.get("PEERS_RESULTS", "/tmp/despatch-bench-results"))  # noqa: S108
PORTS = {"uncached": 8101, "cached": 8102}
PAGES = ("home", "blog", "post", "tag", "feed", "search")


def despatch(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "despatch.cli", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


def build_corpus(env: dict[str, str]) -> None:
    marker = DATA / "seeded"
    if marker.exists():
        return
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    print("Seeding 2,000 posts with 10 comments each (once)…", flush=True)
    despatch("migrate", "--verbosity", "0", env=env)
    despatch(
        "seed", "--blogs", "5", "--posts", "2000", "--comments-per-post", "10",
        "--authors", "10", "--tags", "100", "--tags-per-post", "3", env=env,
    )  # fmt: skip
    despatch("search_reindex", env=env)
    marker.write_text("ok")


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


def probe_urls(base: str) -> dict[str, str]:
    """Pick the pages to measure the way the peers do: a post, a 60-post tag, a search."""
    home = fetch(base + "/")
    post = re.search(r'href="(/[\w-]+/\d{4}/\d{2}/[^"#]+/)"', home).group(1)
    blog = "/" + post.split("/")[1] + "/"
    tag = re.search(r'href="(/tags/[^"/]+/)"', fetch(base + "/tags/")).group(1)
    return {
        "home": base + "/",
        "blog": base + blog,
        "post": base + post,
        "tag": base + tag,
        "feed": base + "/feeds/rss/",
        "search": base + "/search/?q=embassy",
    }


def start_server(mode: str, env: dict[str, str], workers: int) -> subprocess.Popen[bytes]:
    server_env = {**env, "DESPATCH_PAGE_CACHE": "off" if mode == "uncached" else "on"}
    process = subprocess.Popen(
        [sys.executable, "-m", "despatch.cli", "serve", "--port", str(PORTS[mode]),
         "--workers", str(workers)],
        cwd=ROOT, env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    for _attempt in range(600):
        try:
            fetch(f"http://127.0.0.1:{PORTS[mode]}/health/")
        except OSError:
            time.sleep(0.2)
        else:
            return process
    process.kill()
    raise SystemExit(f"despatch serve ({mode}) did not start")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def measure(label: str, urls: dict[str, str], duration: str) -> None:
    env = {**os.environ, "PEERS_RESULTS": str(RESULTS), "WRK_DURATION": duration}
    subprocess.run(
        ["bash", str(PEERS / "common" / "measure.sh"), label,
         *(f"{name}={url}" for name, url in urls.items())],
        check=True, env=env,
    )  # fmt: skip


def results() -> dict[tuple[str, str], dict[str, float]]:
    table: dict[tuple[str, str], dict[str, float]] = {}
    with (RESULTS / "results.tsv").open() as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            table[(row["peer"], row["endpoint"])] = {
                "rps": float(row["rps"]),
                "p99": float(row["p99_ms"]),
                "errors": float(row["err_non2xx3xx"]) + float(row["err_timeout"]),
            }
    return table


def ratio(ours: float, theirs: float) -> str:
    """``ours`` as a multiple of ``theirs``; a peer that completed nothing in time has none."""
    return f"{ours / theirs:.1f}×" if theirs else "peer answered nothing"


def report(measured_peers: bool) -> None:
    table = results()
    print("\n| page | uncached req/s | p99 ms | cached req/s | p99 ms |", end="")
    print(
        " WordPress req/s | Puput req/s | uncached ÷ WP | uncached ÷ Puput |"
        if measured_peers
        else ""
    )
    print("|---" * (9 if measured_peers else 5) + "|")
    peer_page = {
        "home": "home",
        "blog": "home",
        "post": "post",
        "tag": "tag",
        "feed": "feed",
        "search": "search",
    }
    for page in PAGES:
        uncached = table.get(("despatch-uncached", page))
        cached = table.get(("despatch-cached", page))
        if not uncached or not cached:
            continue
        line = (
            f"| {page} | {uncached['rps']:.0f} | {uncached['p99']:.1f} | "
            f"{cached['rps']:.0f} | {cached['p99']:.1f} |"
        )
        if measured_peers:
            wordpress = table.get(("wordpress", peer_page[page]), {"rps": float("nan")})
            puput = table.get(("puput", peer_page[page]), {"rps": float("nan")})
            line += (
                f" {wordpress['rps']:.1f} | {puput['rps']:.1f} | "
                f"{ratio(uncached['rps'], wordpress['rps'])} | "
                f"{ratio(uncached['rps'], puput['rps'])} |"
            )
        print(line)
    for label in ("django-gunicorn", "django-granian"):
        ceiling = table.get((label, "view20k"))
        if ceiling:
            cached_post = table[("despatch-cached", "post")]["rps"]
            print(f"cached post ÷ {label}: {cached_post / ceiling['rps']:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-peers", action="store_true", help="Measure Despatch only.")
    parser.add_argument("--duration", default="10s")
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    env = {**os.environ, "DESPATCH_VAR_DIR": str(DATA), "DESPATCH_SITE_URL": "http://127.0.0.1"}
    build_corpus(env)
    shutil.rmtree(RESULTS, ignore_errors=True)
    for mode in ("uncached", "cached"):
        server = start_server(mode, env, options.workers)
        try:
            measure(
                f"despatch-{mode}", probe_urls(f"http://127.0.0.1:{PORTS[mode]}"), options.duration
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    if not options.no_peers:
        for peer in ("wordpress", "puput", "ceilings"):
            subprocess.run(["bash", str(PEERS / peer / "measure.sh")], check=True,
                           env={**os.environ, "PEERS_RESULTS": str(RESULTS)})  # fmt: skip
    report(measured_peers=not options.no_peers)


if __name__ == "__main__":
    main()
