"""Requests per second under load, Despatch beside WordPress and Puput on one machine.

Builds (once) a corpus shaped like ../shared/peers/ — 2,000 posts, 10 comments
each, 3 tags each from 100, 10 authors — starts ``despatch serve`` on it, and
drives each page type with wrk (2 threads, 32 connections, 10 s) through the
peers' own ``measure.sh``, uncached (DESPATCH_PAGE_CACHE=off) and cached, then
reads the resident memory of each granian worker. Then it measures the peers
named by ``--peers`` (set them up first: ``bash ../shared/peers/run_all.sh`` or
each ``setup.sh``) in the same run and prints the ratios: uncached pages against
WordPress and Puput, cached pages against one bare Django view under the same
server (granian). On a shared machine the load drifts within minutes, so with
``ceilings`` among the peers that view is measured again right after each cached
page, and each page is compared with its neighbour.

    uv run python bench/http_load.py [--peers wordpress,puput,ceilings] [--duration 10s]
                                     [--workers 2] [--threads 2]
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
# The ceilings' bare Django view under granian (../shared/peers/ceilings/).
BARE_VIEW = "http://127.0.0.1:8092/"


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


def start_server(
    mode: str, env: dict[str, str], workers: int, threads: int | None = None
) -> subprocess.Popen[bytes]:
    try:
        fetch(f"http://127.0.0.1:{PORTS[mode]}/health/")
    except OSError:
        pass
    else:
        # Its answers would be measured in place of this run's server's.
        raise SystemExit(f"Something already serves port {PORTS[mode]}: stop it first.")
    server_env = {**env, "DESPATCH_PAGE_CACHE": "off" if mode == "uncached" else "on"}
    thread_option = ["--threads", str(threads)] if threads else []
    process = subprocess.Popen(
        [sys.executable, "-m", "despatch.cli", "serve", "--port", str(PORTS[mode]),
         "--workers", str(workers), *thread_option],
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


def worker_memory_mb(server: subprocess.Popen[bytes]) -> list[float]:
    """Resident memory of each granian worker: the ``serve`` processes forked by the server."""
    sizes = []
    for status_file in Path("/proc").glob("[0-9]*/status"):
        try:
            status = dict(
                line.split(":", 1) for line in status_file.read_text().splitlines() if ":" in line
            )
            command = (status_file.parent / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(status["PPid"]) == server.pid and b"serve" in command:
            sizes.append(int(status["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


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


# Which page of the peers each of ours is compared with.
PEER_PAGE = {page: page for page in PAGES} | {"blog": "home"}


def report(memory: dict[str, list[float]]) -> None:
    table = results()
    peers = [
        (label, name)
        for label, name in (("wordpress", "WordPress"), ("puput", "Puput"))
        if any(peer == label for peer, _page in table)
    ]
    ceiling = table.get(("django-granian", "view20k"))
    columns = ["page", "uncached req/s", "p99 ms", "cached req/s", "p99 ms"]
    columns += [f"{name} req/s" for _label, name in peers]
    columns += [f"uncached ÷ {name}" for _label, name in peers]
    if ceiling:
        columns.append("cached ÷ bare Django view (granian)")
    print("\n| " + " | ".join(columns) + " |")
    print("|---" * len(columns) + "|")
    for page in PAGES:
        if not any(("despatch-" + mode, page) in table for mode in ("uncached", "cached")):
            continue
        uncached = table.get(("despatch-uncached", page), {"rps": 0.0, "p99": float("nan")})
        cached = table.get(("despatch-cached", page), {"rps": 0.0, "p99": float("nan")})
        cells = [
            page,
            f"{uncached['rps']:.0f}",
            f"{uncached['p99']:.1f}",
            f"{cached['rps']:.0f}",
            f"{cached['p99']:.1f}",
        ]
        theirs = [table.get((label, PEER_PAGE[page]), {"rps": 0.0})["rps"] for label, _ in peers]
        cells += [f"{rps:.1f}" for rps in theirs]
        cells += [ratio(uncached["rps"], rps) for rps in theirs]
        if ceiling:
            beside = table.get(("django-granian", f"view20k-after-{page}"), ceiling)
            cells.append(f"{cached['rps'] / beside['rps']:.0%} of {beside['rps']:.0f}")
        print("| " + " | ".join(cells) + " |")
    if ceiling:
        rps, p99 = ceiling["rps"], ceiling["p99"]
        print(f"\nbare Django view under granian: {rps:.0f} req/s, p99 {p99:.1f} ms")
    for mode, sizes in memory.items():
        listed = ", ".join(f"{size:.0f}" for size in sizes) or "none found"
        print(f"granian worker resident memory after the {mode} load: {listed} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--peers",
        default="wordpress,puput,ceilings",
        help="Peers to measure in the same run, comma-separated (empty: Despatch only).",
    )
    parser.add_argument("--no-peers", action="store_true", help="Same as --peers ''.")
    parser.add_argument("--pages", default=",".join(PAGES), help="Pages to measure.")
    parser.add_argument("--modes", default="uncached,cached", help="uncached, cached or both.")
    parser.add_argument("--duration", default="10s")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, help="Threads per worker (default: serve's).")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    peers = [] if options.no_peers else [peer for peer in options.peers.split(",") if peer]
    pages = options.pages.split(",")
    env = {**os.environ, "DESPATCH_VAR_DIR": str(DATA), "DESPATCH_SITE_URL": "http://127.0.0.1"}
    build_corpus(env)
    shutil.rmtree(RESULTS, ignore_errors=True)
    memory = {}
    for mode in options.modes.split(","):
        server = start_server(mode, env, options.workers, options.threads)
        try:
            urls = probe_urls(f"http://127.0.0.1:{PORTS[mode]}")
            for page in pages:
                measure(f"despatch-{mode}", {page: urls[page]}, options.duration)
                if mode == "cached" and "ceilings" in peers:
                    beside = {f"view20k-after-{page}": BARE_VIEW}
                    measure("django-granian", beside, options.duration)
            memory[mode] = worker_memory_mb(server)
        finally:
            stop_server(server)
    for peer in peers:
        subprocess.run(["bash", str(PEERS / peer / "measure.sh")], check=True,
                       env={**os.environ, "PEERS_RESULTS": str(RESULTS)})  # fmt: skip
    report(memory)


if __name__ == "__main__":
    main()
