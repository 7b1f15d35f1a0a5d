"""``despatch demo``: one command from an empty site to a demo with a login."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from despatch.blogs.models import AuthorProfile, Blog
from despatch.posts.models import Post, Tag
from tests.factories import make_blog

pytestmark = pytest.mark.django_db


def _demo(**options: object) -> str:
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out, **options)
    return out.getvalue()


def _counts() -> tuple[int, ...]:
    return (
        Blog.objects.count(),
        AuthorProfile.objects.count(),
        Post.objects.count(),
        Tag.objects.count(),
        get_user_model().objects.count(),
    )


def test_demo_twice_builds_the_network_once_and_prints_the_login_each_time():
    """A second ``demo --no-serve`` adds nothing; both runs say where to go and how to sign in."""
    first = _demo(host="192.0.2.10", port=8123)
    after_first = _counts()
    second = _demo(host="192.0.2.10", port=8123)
    assert _counts() == after_first
    assert after_first[0] >= 6
    assert "Created 6 blogs" in first
    assert "left as it is" in second
    for output in (first, second):
        assert "http://192.0.2.10:8123/" in output
        assert "“admin”" in output
        assert "“despatch-demo”" in output
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password("despatch-demo")


def test_demo_leaves_a_site_with_blogs_of_its_own_alone():
    """On a site that already has blogs, no demo content is added."""
    make_blog(name="Our own blog", slug="our-own-blog")
    _demo()
    assert list(Blog.objects.values_list("slug", flat=True)) == ["our-own-blog"]
    assert not Post.objects.exists()


def test_demo_password_comes_from_the_environment(monkeypatch):
    """DESPATCH_DEMO_PASSWORD sets the admin's password, and that is what is printed."""
    make_blog()  # the admin account does not depend on the demo network
    monkeypatch.setenv("DESPATCH_DEMO_PASSWORD", "a-longer-local-secret")
    output = _demo()
    assert "“a-longer-local-secret”" in output
    assert get_user_model().objects.get(username="admin").check_password("a-longer-local-secret")


def test_demo_does_not_print_a_password_that_no_longer_works():
    """Once the admin's password is changed, the demo says so instead of printing the old one."""
    make_blog()
    _demo()
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("changed by the person")
    admin.save()
    output = _demo()
    assert "“despatch-demo”" not in output
    assert "no longer the demo password" in output
