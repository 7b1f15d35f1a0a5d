"""Several app servers share PostgreSQL and Redis, and stay correct together (O3)."""

from __future__ import annotations

import os

import pytest
import redis

from tests.live_servers import (
    REDIS,
    Browser,
    TcpProxy,
    despatch,
    postgres_database,
    require_services,
    run_python,
    serving,
)

pytestmark = pytest.mark.slow

SETUP = """
import json
from django.contrib.auth.models import Permission
from despatch.accounts.models import User
from despatch.blogs.models import AuthorProfile, Blog
from despatch.conversations.models import Comment
from despatch.posts.models import Post
from despatch.posts.publishing import post_publish
author = AuthorProfile.objects.create(slug="jane", display_name="Jane Porter")
blog = Blog.objects.create(name="Digital diplomacy", slug="digital")
post = post_publish(post=Post.objects.create(
    blog=blog, author=author, title="Arms Trade Treaty talks", slug="att",
    body_source="The treaty text is agreed."))
comment = Comment.objects.create(
    post=post, author_name="Reader", author_email="reader@example.org",
    body="A thoughtful question about the treaty.", status=Comment.Status.PENDING)
moderator = User.objects.create_user("moderator", password="a long moderation password")
moderator.user_permissions.add(Permission.objects.get(codename="moderate_comments"))
print(json.dumps({"post": post.get_absolute_url(), "comment": comment.pk}))
"""


@pytest.fixture
def shared_environment(tmp_path):
    require_services(redis=True)
    client = redis.Redis(host=REDIS[0], port=REDIS[1], db=14)
    client.flushdb()
    with postgres_database(f"despatch_scale_{os.getpid()}") as database_url:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CACHE_URL": f"redis://{REDIS[0]}:{REDIS[1]}/14",
            "DESPATCH_VAR_DIR": str(tmp_path),
            "DESPATCH_PAGE_CACHE": "on",
            "DESPATCH_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "DEBUG": "false",
        }
        despatch("migrate", "--verbosity", "0", env=env)
        yield env, run_python(SETUP, env=env)
    client.flushdb()


def test_comment_approved_on_one_server_refreshes_the_page_cached_by_another(
    shared_environment,
):
    """A page cached by server A is refreshed when a moderator approves on server B."""
    env, data = shared_environment
    with serving(env) as first, serving(env) as second:
        reader = Browser()
        reader.get(first + data["post"])
        _status, headers, page = reader.get(first + data["post"])
        assert headers.get("x-despatch-cache") == "hit"
        assert "A thoughtful question" not in page

        moderator = Browser()
        moderator.post_form(
            second + "/studio/sign-in/",
            {"username": "moderator", "password": "a long moderation password"},
        )
        assert any(cookie.name == "sessionid" for cookie in moderator.cookies), "not signed in"
        status, _page = moderator.post_form(
            second + "/studio/moderation/", {"action": f"approve:{data['comment']}"}
        )
        assert status == 200

        _status, headers, page = Browser().get(first + data["post"])
        assert headers.get("x-despatch-cache") != "hit"
        assert "A thoughtful question about the treaty." in page


def test_database_outage_gives_503_and_the_server_recovers_by_itself(shared_environment):
    """With PostgreSQL cut off, a page that needs it answers 503 + Retry-After, and what the
    server already holds in memory is still served; service resumes when it returns."""
    env, data = shared_environment
    proxy = TcpProxy(("127.0.0.1", 5432))
    proxy.start()
    proxied = {
        **env,
        "DATABASE_URL": env["DATABASE_URL"].replace(":5432/", f":{proxy.port}/"),
        "DESPATCH_PAGE_CACHE": "off",
    }
    with serving(proxied) as server:
        reader = Browser()
        search = server + "/search/?q=treaty"
        assert reader.get(server + data["post"])[0] == 200
        proxy.stop()
        status, headers, page = reader.get(search)
        assert status == 503
        assert headers["retry-after"] == "30"
        assert "Traceback" not in page
        # The post's fragments (the post itself, its thread, the comment rules) are
        # kept in this server's memory under versions held in Redis: still current.
        assert reader.get(server + data["post"])[0] == 200
        proxy.start()
        assert reader.get(search)[0] == 200
