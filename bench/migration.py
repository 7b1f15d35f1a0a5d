"""Time a WordPress import: 10,000 posts and 100,000 comments into a fresh SQLite site.

    .venv/bin/python bench/migration.py [--posts 10000] [--comments-per-post 10] [--keep DIR]

Writes a synthetic WXR 1.2 export (classic and block-editor bodies, shortcodes,
embeds, categories and tags, threaded comments in every moderation state),
migrates a new SQLite database, runs ``despatch import-wordpress`` on the file
in a child process, and prints the import's wall time and the child's peak
memory (its maximum resident set size), and how much of the time went on
bringing the search index up to date at the end. A second run of the same
import shows what re-running costs when nothing has changed. Target (issue 7):
at most 60 s and 300 MB on SQLite, search indexing included.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60
TARGET_MEGABYTES = 300
# The import's summary line for its last step (see the import_wordpress command).
INDEXING_LINE = re.compile(r"search index +[\d,]+ posts brought up to date in ([\d.]+) s")

WORDS = [
    "diplomacy", "embassy", "treaty", "talks", "climate", "trade", "partnership", "dialogue",
    "minister", "summit", "security", "development", "cooperation", "region", "conference",
    "delegation", "citizens", "culture", "exchange", "students", "youth", "peace", "agreement",
    "negotiation", "review", "council",
]  # fmt: skip
COMMENT_STATES = ["1"] * 7 + ["0", "spam", "trash"]


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


def body(rng: random.Random, number: int) -> str:
    """A post body as WordPress stores it: classic text or blocks, with the usual extras."""
    paragraphs = [" ".join(sentence(rng, rng.randint(8, 18)) for _ in range(4)) for _ in range(5)]
    if number % 2:
        extras = [
            f'[caption id="attachment_{number}" width="600"]<img src="https://old.example/'
            f'wp-content/uploads/2012/05/photo-{number}.jpg" alt="Photo {number}" /> '
            f"A caption for post {number}[/caption]",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ" if number % 10 == 1 else "",
            "<ul>\n<li>One point</li>\n<li>Another point</li>\n</ul>",
        ]
        return "\n\n".join(paragraphs[:3] + [extra for extra in extras if extra] + paragraphs[3:])
    blocks = [
        f"<!-- wp:paragraph -->\n<p>{text}</p>\n<!-- /wp:paragraph -->" for text in paragraphs
    ]
    blocks.insert(2, "<!-- wp:heading -->\n<h2>A heading</h2>\n<!-- /wp:heading -->")
    return "\n\n".join(blocks)


def comment(rng: random.Random, post: int, index: int, first_id: int) -> str:
    number = first_id + index
    parent = first_id + rng.randrange(index) if index and rng.random() < 0.3 else 0
    when = f"2012-05-{post % 28 + 1:02d} {index % 24:02d}:{rng.randrange(60):02d}:00"
    return f"""
		<wp:comment>
			<wp:comment_id>{number}</wp:comment_id>
			<wp:comment_author>{cdata(f"Reader {number % 5000}")}</wp:comment_author>
			<wp:comment_author_email>reader{number}@example.org</wp:comment_author_email>
			<wp:comment_author_url>https://reader{number % 97}.example.org/</wp:comment_author_url>
			<wp:comment_author_IP>192.0.2.{number % 250}</wp:comment_author_IP>
			<wp:comment_date>{when}</wp:comment_date>
			<wp:comment_date_gmt>{when}</wp:comment_date_gmt>
			<wp:comment_content>{cdata(sentence(rng, rng.randint(6, 40)))}</wp:comment_content>
			<wp:comment_approved>{rng.choice(COMMENT_STATES)}</wp:comment_approved>
			<wp:comment_type>comment</wp:comment_type>
			<wp:comment_parent>{parent}</wp:comment_parent>
			<wp:comment_user_id>0</wp:comment_user_id>
		</wp:comment>"""


def write_export(path: Path, *, posts: int, comments_per_post: int, seed: int = 7) -> None:
    """Write a WXR 1.2 file with ``posts`` posts of ``comments_per_post`` comments each."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0"\n'
            '\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
            '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
            '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            '\txmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            "\t<title>Benchmark embassy</title>\n\t<link>https://old.example</link>\n"
            "\t<language>en</language>\n\t<wp:wxr_version>1.2</wp:wxr_version>\n"
            "\t<wp:base_site_url>https://old.example</wp:base_site_url>\n"
            "\t<wp:base_blog_url>https://old.example</wp:base_blog_url>\n"
        )
        for author in range(1, 21):
            out.write(
                f"\t<wp:author><wp:author_id>{author}</wp:author_id>"
                f"<wp:author_login>author{author}</wp:author_login>"
                f"<wp:author_email>author{author}@old.example</wp:author_email>"
                f"<wp:author_display_name>{cdata(f'Author {author}')}</wp:author_display_name>"
                "</wp:author>\n"
            )
        comment_id = 1
        for number in range(1, posts + 1):
            month = number % 12 + 1
            when = f"{2008 + number % 12}-{month:02d}-{number % 28 + 1:02d} 10:{number % 60:02d}:00"
            slug = f"post-{number}"
            status = "publish" if number % 20 else "draft"
            terms = "".join(
                f'\n\t\t<category domain="{domain}" nicename="{kind}-{value}">'
                f"{cdata(f'{kind.title()} {value}')}</category>"
                for domain, kind, value in [
                    ("category", "topic", number % 40),
                    ("post_tag", "tag", number % 300),
                    ("post_tag", "tag", (number * 7) % 300),
                ]
            )
            replies = "".join(
                comment(rng, number, index, comment_id) for index in range(comments_per_post)
            )
            comment_id += comments_per_post
            out.write(
                f"""	<item>
		<title>{escape(sentence(rng, 6)[:-1])} {number}</title>
		<link>https://old.example/{when[:4]}/{month:02d}/{slug}/</link>
		<dc:creator>author{number % 20 + 1}</dc:creator>
		<guid isPermaLink="false">https://old.example/?p={number}</guid>
		<content:encoded>{cdata(body(rng, number))}</content:encoded>
		<excerpt:encoded><![CDATA[]]></excerpt:encoded>
		<wp:post_id>{number}</wp:post_id>
		<wp:post_date>{when}</wp:post_date>
		<wp:post_date_gmt>{when}</wp:post_date_gmt>
		<wp:post_name>{slug}</wp:post_name>
		<wp:status>{status}</wp:status>
		<wp:post_parent>0</wp:post_parent>
		<wp:post_type>post</wp:post_type>
		<wp:post_password></wp:post_password>
		<wp:is_sticky>0</wp:is_sticky>{terms}{replies}
	</item>
"""
            )
        out.write("</channel>\n</rss>\n")


@dataclass
class Measured:
    """One run of the import: wall and CPU time (s), peak memory (MB), status and output."""

    seconds: float
    cpu: float
    megabytes: float
    status: int
    output: str

    @property
    def indexing_seconds(self) -> float:
        """The part of ``seconds`` the final search indexing took, as the summary reports it."""
        match = INDEXING_LINE.search(self.output)
        return float(match.group(1)) if match else 0.0


def run_measured(command: list[str], env: dict[str, str]) -> Measured:
    """Run ``command`` and measure it, keeping what it printed."""
    with tempfile.TemporaryFile(mode="w+") as output:
        started = time.monotonic()
        child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output)
        _pid, status, usage = os.wait4(child.pid, 0)
        elapsed = time.monotonic() - started
        output.seek(0)
        printed = output.read()
    cpu = usage.ru_utime + usage.ru_stime
    return Measured(
        elapsed, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), printed
    )


def machine_speed() -> float:
    """Milliseconds for a fixed loop: compare runs made on a busy and on a quiet machine."""
    started = time.process_time()
    sum(range(3_000_000))
    return (time.process_time() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments-per-post", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="Keep the file and database in this folder.")
    options = parser.parse_args()

    folder = options.keep or Path(tempfile.mkdtemp(prefix="despatch-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    export = folder / "export.xml"
    started = time.monotonic()
    write_export(export, posts=options.posts, comments_per_post=options.comments_per_post)
    print(
        f"wrote {export.stat().st_size / 1e6:,.1f} MB of WXR: {options.posts:,} posts, "
        f"{options.posts * options.comments_per_post:,} comments "
        f"in {time.monotonic() - started:.1f} s"
    )
    env = {
        **os.environ,
        "DESPATCH_VAR_DIR": str(folder / "var"),
        "DATABASE_URL": f"sqlite:///{folder / 'var' / 'bench.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "despatch.settings",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    command = [python, "manage.py", "import_wordpress", str(export), "--blog", "bench"]
    load = os.getloadavg()[0]
    speed = machine_speed()
    first = run_measured(command, env)
    print(
        f"import: {first.seconds:.1f} s wall, {first.cpu:.1f} s CPU, "
        f"peak memory {first.megabytes:,.0f} MB, exit status {first.status} "
        f"(load average {load:.1f} on {os.cpu_count()} cores; reference loop {speed:.0f} ms)"
    )
    print(
        f"        {first.seconds - first.indexing_seconds:.1f} s of it importing, "
        f"{first.indexing_seconds:.1f} s bringing the search index up to date"
    )
    print(
        f"        {options.posts / first.seconds:,.0f} posts/s, "
        f"{options.posts * options.comments_per_post / first.seconds:,.0f} comments/s"
    )
    again = run_measured(command, env)
    print(
        f"re-run (nothing changed): {again.seconds:.1f} s wall, {again.cpu:.1f} s CPU, "
        f"peak memory {again.megabytes:,.0f} MB"
    )
    passed = first.seconds <= TARGET_SECONDS and first.megabytes <= TARGET_MEGABYTES
    verdict = "PASS" if passed else "FAIL"
    print(
        f"migration: import {first.seconds:.1f} s / {TARGET_SECONDS} s, "
        f"{first.megabytes:,.0f} MB / {TARGET_MEGABYTES} MB: {verdict}"
    )
    if options.keep is None:
        shutil.rmtree(folder)
    return 0 if passed and first.status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
