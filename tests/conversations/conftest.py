"""Fixtures for the conversation tests: a live post, people, and a filled-in form."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.urls import reverse

from despatch.conversations.forms import STARTED_SALT
from despatch.conversations.models import Comment
from despatch.conversations.moderation import MODERATORS_GROUP
from despatch.conversations.text import fingerprint
from tests.factories import make_author, make_blog, make_post, make_user


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    """Most tests send several comments from one address; the flood tests set their own."""
    settings.DESPATCH_COMMENTS_RATE_LIMITS = {"ip": [(1000, 60)], "email": [(1000, 60)]}


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """E-mail tasks run as soon as they are enqueued, so tests can read the outbox."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def author_user(db):
    return make_user(username="ambassador", email="ambassador@embassy.example", is_staff=True)


@pytest.fixture
def post(db, author_user):
    author = make_author(display_name="Jane Porter", user=author_user)
    blog = make_blog(name="Digital diplomacy", slug="digital-diplomacy", authors=[author])
    return make_post(blog=blog, author=author, title="Closing the treaty conference")


@pytest.fixture
def moderator(db):
    user = make_user(username="mod", email="mod@team.example", is_staff=True)
    user.groups.add(moderators_group())
    return user


def moderators_group() -> Group:
    """The group the data migration makes (made here too when tests skip migrations)."""
    group, _created = Group.objects.get_or_create(name=MODERATORS_GROUP)
    group.permissions.add(
        Permission.objects.get(
            content_type__app_label="conversations", codename="moderate_comments"
        )
    )
    return group


@pytest.fixture
def moderator_client(client, moderator):
    sign_in(client, moderator)
    return client


def sign_in(client, user) -> None:
    """Sign ``user`` in, past the studio's second-factor door when their role needs it."""
    client.force_login(user)
    try:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:  # no two-factor sign-in installed
        return
    device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def started_ago(post, seconds: float = 30) -> str:
    """A signed form timestamp as if the form had been shown ``seconds`` ago."""
    return signing.dumps({"post": post.pk, "at": time.time() - seconds}, salt=STARTED_SALT)


def form_data(post, **fields: Any) -> dict[str, Any]:
    """A valid "Have an opinion?" submission, unless ``fields`` says otherwise."""
    data = {
        "name": "Hannah Okafor",
        "email": "hannah@readers.example",
        "website": "",
        "body": "Thank you for explaining the review so clearly.",
        "started": started_ago(post),
        "subject": "",
        "parent": "",
    }
    data.update(fields)
    return data


def submit(client, post, **fields: Any):
    return client.post(
        reverse("conversations:form", kwargs={"post_id": post.pk}), form_data(post, **fields)
    )


def make_comment(post, **fields: Any) -> Comment:
    """A stored comment (approved unless told), bypassing the form and the spam rules."""
    fields.setdefault("author_name", "A reader")
    fields.setdefault("author_email", f"reader{Comment.objects.count()}@readers.example")
    fields.setdefault("body", f"Comment number {Comment.objects.count() + 1} on the treaty.")
    fields.setdefault("status", Comment.Status.APPROVED)
    fields["fingerprint"] = fingerprint(fields["body"])
    comment = Comment(post=post, **fields)
    comment.save()
    if comment.status == Comment.Status.APPROVED:
        type(post).objects.filter(pk=post.pk).update(
            approved_comment_count=Comment.objects.approved().filter(post=post).count()
        )
    return comment
