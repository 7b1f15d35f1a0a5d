"""People in every role on two blogs, signed in the way the studio expects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from despatch.accounts.models import Membership, Role
from despatch.accounts.two_factor import requires_two_factor
from despatch.blogs.models import Blog
from despatch.posts.models import PublishingPolicy
from tests.factories import make_author, make_blog, make_user


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    """A studio test makes a dozen accounts; real password hashing would take seconds each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client: Client, user: Any) -> Client:
    """Sign ``user`` in, passing the second step when their role requires one."""
    client.force_login(user)
    if requires_two_factor(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@dataclass
class Team:
    blog: Blog
    other_blog: Blog
    contributor: Any
    author: Any
    editor: Any
    moderator: Any
    admin: Any
    other_editor: Any
    other_author: Any

    def client(self, name: str) -> Client:
        return sign_in(Client(), getattr(self, name))


def member(blog: Blog, role: str, **fields: Any) -> Any:
    user = make_user(**fields)
    Membership.objects.create(user=user, blog=blog, role=role)
    make_author(user=user, display_name=f"{user.username} {role}")
    return user


@pytest.fixture
def team(db) -> Team:
    blog = make_blog(name="Digital diplomacy", slug="digital-diplomacy")
    other_blog = make_blog(name="Human rights", slug="human-rights")
    return Team(
        blog=blog,
        other_blog=other_blog,
        contributor=member(blog, Role.CONTRIBUTOR, username="contributor"),
        author=member(blog, Role.AUTHOR, username="author"),
        editor=member(blog, Role.EDITOR, username="editor"),
        moderator=member(blog, Role.MODERATOR, username="moderator"),
        admin=make_user(username="admin", is_superuser=True, is_staff=True),
        other_editor=member(other_blog, Role.EDITOR, username="othereditor"),
        other_author=member(blog, Role.AUTHOR, username="otherauthor"),
    )


@pytest.fixture
def self_publishing(team: Team) -> Team:
    """The blog lets authors publish their own posts."""
    PublishingPolicy.objects.create(blog=team.blog, authors_may_publish=True)
    return team
