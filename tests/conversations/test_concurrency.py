"""No comment is lost or duplicated when many readers send at once (PRODUCT reliability).

A real server runs in its own process against its own database — a SQLite file
in WAL mode when the suite runs on SQLite, a fresh PostgreSQL database when it
runs on PostgreSQL — and 20 threads send 200 comments through HTTP, each with
its own cookies and CSRF token, as browsers would. Then a moderator walks the
queue page by page and must find every comment exactly once.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import environ
import pytest
from django.conf import settings

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
THREADS = 20
COMMENTS_PER_THREAD = 10

SETUP = """
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from despatch.accounts.models import User
from despatch.blogs.models import AuthorProfile, Blog
from despatch.posts.models import Post

author = AuthorProfile.objects.create(slug="live-author", display_name="Live Author")
blog = Blog.objects.create(name="Live blog", slug="live-blog")
post = Post.objects.create(
    blog=blog, author=author, title="Under load", slug="under-load", body_source="Text.",
    status=Post.Status.PUBLISHED, published_at=timezone.now(),
)
moderator = User.objects.create_user("live-moderator", "mod@live.example", "not-used-here")
group, _ = Group.objects.get_or_create(name="Moderators")
group.permissions.add(Permission.objects.get(codename="moderate_comments"))
moderator.groups.add(group)
session = SessionStore()
session["_auth_user_id"] = str(moderator.pk)
session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
session["_auth_user_hash"] = moderator.get_session_auth_hash()
session.create()
print(f"POST={post.pk} SESSION={session.session_key}")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture
def live_database(tmp_path) -> Iterator[dict[str, str]]:
    """Environment for a server with a database of its own, like the suite's engine."""
    env = {
        **os.environ,
        "DESPATCH_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "concurrency-test-" + "x" * 40,
        "DESPATCH_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DESPATCH_PAGE_CACHE": "off",
        "DESPATCH_SERVE_WITH_WORKER": "off",
        # All threads share one address and none waits: this test is about concurrency,
        # not the spam defence, which has its own tests.
        "DESPATCH_COMMENTS_IP_PER_MINUTE": "100000",
        "DESPATCH_COMMENTS_IP_PER_HOUR": "100000",
        "DESPATCH_COMMENTS_MIN_FILL_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
        # The development server starts a thread per request; a connection kept per
        # thread would pile up until PostgreSQL refuses more clients.
        "DATABASE_CONN_MAX_AGE": "0",
        # Templates name static files; without collectstatic, serve them unhashed.
        "DESPATCH_STATIC_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        env.pop("DATABASE_URL", None)  # the embedded default: a WAL-mode file under VAR_DIR
        env.pop("CACHE_URL", None)
        yield env
        return
    if engine != "django.db.backends.postgresql":
        pytest.skip(f"no live-server set-up for {engine}")
    import psycopg

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    name = f"despatch_live_{uuid.uuid4().hex[:10]}"
    admin = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "dbname": "postgres",  # the maintenance database, which always exists
        "autocommit": True,
    }
    with psycopg.connect(**admin) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    env["DATABASE_URL"] = urllib.parse.urlunsplit(url._replace(path=f"/{name}"))
    try:
        yield env
    finally:
        with psycopg.connect(**admin) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
    )


def fetch(
    client: urllib.request.OpenerDirector, url: str, data: dict | None = None, cookie: str = ""
):
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    headers = {"Referer": url, **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with client.open(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} field in the form"
    return match.group(1)


def send_comments(base: str, post_id: int, thread: int) -> list[int]:
    """One reader: load the form once, then send ten comments with its token."""
    client = opener()
    form_url = f"{base}/comments/{post_id}/"
    status, html = fetch(client, form_url)
    assert status == 200, html[-2000:]
    token, started = hidden(html, "csrfmiddlewaretoken"), hidden(html, "started")
    statuses = []
    for number in range(COMMENTS_PER_THREAD):
        status, _body = fetch(
            client,
            form_url,
            {
                "csrfmiddlewaretoken": token,
                "started": started,
                "name": f"Reader {thread}",
                "email": f"reader{thread}-{number}@live.example",
                "body": f"Under load: marker-{thread}-{number}, a comment of my own.",
            },
        )
        statuses.append(status)
    return statuses


def test_200_comments_from_20_threads_are_all_in_the_queue_exactly_once(live_database, tmp_path):
    env = live_database
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")
    setup = manage(env, "shell", "-c", SETUP)
    post_id, session_key = re.search(r"POST=(\d+) SESSION=(\w+)", setup).groups()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(opener(), f"{base}/health/")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()[-3000:]
            time.sleep(0.3)

        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            results = list(
                pool.map(lambda thread: send_comments(base, int(post_id), thread), range(THREADS))
            )
        statuses = Counter(status for thread in results for status in thread)
        assert statuses == {302: THREADS * COMMENTS_PER_THREAD}, (
            statuses,
            (tmp_path / "server.log").read_text()[-3000:],
        )

        moderator = opener()
        signed_in = f"{settings.SESSION_COOKIE_NAME}={session_key}"
        seen_ids: list[int] = []
        markers: Counter[str] = Counter()
        url = f"{base}/studio/moderation/?status=pending"
        while url:
            status, html = fetch(moderator, url, cookie=signed_in)
            assert status == 200, html[:500]
            seen_ids += [int(pk) for pk in re.findall(r'id="queue-(\d+)"', html)]
            markers.update(re.findall(r"marker-\d+-\d+", html))
            following = re.search(r'rel="next" href="([^"]+)"', html)
            url = (
                f"{base}/studio/moderation/{following.group(1).replace('&amp;', '&')}"
                if following
                else ""
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    expected = {f"marker-{t}-{n}" for t in range(THREADS) for n in range(COMMENTS_PER_THREAD)}
    assert len(seen_ids) == len(set(seen_ids)) == THREADS * COMMENTS_PER_THREAD
    assert set(markers) == expected
    assert set(markers.values()) == {1}
