"""Small builders for test data: real rows in the real database, no mocks."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from despatch.accounts.models import User
from despatch.blogs.models import AuthorProfile, Blog
from despatch.posts.models import Post, Tag
from despatch.posts.statistics import refresh_blog_statistics

_sequence = itertools.count(1)


def make_user(**fields: Any) -> User:
    number = next(_sequence)
    fields.setdefault("username", f"user{number}")
    fields.setdefault("email", f"user{number}@example.org")
    password = fields.pop("password", "correct horse battery staple")
    user = User(**fields)
    user.set_password(password)
    user.save()
    return user


def make_author(**fields: Any) -> AuthorProfile:
    number = next(_sequence)
    fields.setdefault("display_name", f"Author {number}")
    fields.setdefault("slug", f"author-{number}")
    fields.setdefault("job_title", "Head of Engagement")
    fields.setdefault("location", "Digital Diplomacy, London")
    return AuthorProfile.objects.create(**fields)


def make_blog(**fields: Any) -> Blog:
    number = next(_sequence)
    authors = fields.pop("authors", [])
    fields.setdefault("name", f"Blog {number}")
    fields.setdefault("slug", f"blog-{number}")
    fields.setdefault("description", "A blog about digital diplomacy.")
    blog = Blog.objects.create(**fields)
    if authors:
        blog.authors.set(authors)
    return blog


def make_tag(name: str) -> Tag:
    tag, _created = Tag.objects.get_or_create(name=name, defaults={"slug": slugify(name)})
    return tag


def make_post(**fields: Any) -> Post:
    """A published post (pass ``status`` to change it), dated an hour ago unless told."""
    number = next(_sequence)
    tags = fields.pop("tags", [])
    fields.setdefault("blog", make_blog())
    fields.setdefault("author", make_author())
    fields.setdefault("title", f"Post number {number}")
    fields.setdefault("slug", slugify(fields["title"]))
    fields.setdefault("body_source", "A paragraph about the **Arms Trade Treaty**.")
    fields.setdefault("status", Post.Status.PUBLISHED)
    if fields["status"] != Post.Status.DRAFT:
        fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
    post = Post.objects.create(**fields)
    if tags:
        post.tags.set([make_tag(tag) if isinstance(tag, str) else tag for tag in tags])
    # Statistics refresh after commit in production; tests run inside a transaction.
    refresh_blog_statistics(blog_ids=[post.blog_id])
    return post


def days_ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)
