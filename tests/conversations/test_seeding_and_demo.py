"""Bulk comments for the synthetic corpus, and the demo network's conversations."""

from __future__ import annotations

import random

import pytest
from django.contrib.auth import authenticate

from despatch.conversations import demo
from despatch.conversations.models import Comment
from despatch.conversations.seeding import seed_comments
from despatch.posts.models import Post
from tests.factories import make_author, make_blog, make_post

pytestmark = pytest.mark.django_db


def test_seed_comments_inserts_approved_comments_and_keeps_counts(post):
    other = make_post(blog=post.blog)
    created = seed_comments(posts=[post, other], per_post=7, rng=random.Random(4))
    assert created == 14
    assert Comment.objects.approved().filter(post=post).count() == 7
    assert Post.objects.get(pk=other.pk).approved_comment_count == 7
    comment = Comment.objects.filter(post=post).first()
    assert comment.body_html.startswith("<p>") and comment.blog_id == post.blog_id
    assert comment.submitted_at >= post.published_at
    assert seed_comments(posts=[post], per_post=0, rng=random.Random(1)) == 0


def test_demo_conversations_are_realistic_multilingual_and_idempotent(post, monkeypatch):
    monkeypatch.setenv("DESPATCH_DEMO_PASSWORD", "a-demo-password")
    french = make_blog(name="Le blog", slug="le-blog", language="fr")
    arabic = make_blog(name="مدونة", slug="arabic-blog", language="ar")
    french_post = make_post(blog=french, author=make_author())
    arabic_post = make_post(blog=arabic, author=make_author())

    result = demo.build_demo_conversations()
    assert result.comments_created > 10
    assert result.moderator_username == "moderator"
    assert result.moderator_password == "a-demo-password"
    moderator = authenticate(username="moderator", password="a-demo-password")
    assert moderator is not None and moderator.has_perm("conversations.moderate_comments")

    statuses = set(Comment.objects.values_list("status", flat=True))
    assert {"approved", "pending", "spam"} <= statuses
    assert Comment.objects.filter(badge=Comment.Badge.AUTHOR, parent__isnull=False).exists()
    assert "Merci" in " ".join(
        Comment.objects.filter(post=french_post).values_list("body", flat=True)
    )
    assert "شكراً" in " ".join(
        Comment.objects.filter(post=arabic_post).values_list("body", flat=True)
    )
    spam = Comment.objects.filter(status=Comment.Status.SPAM).first()
    assert spam.spam_reasons and spam.spam_score >= 0.9
    approved_here = Comment.objects.approved().filter(post=post).count()
    assert Post.objects.get(pk=post.pk).approved_comment_count == approved_here

    total = Comment.objects.count()
    again = demo.build_demo_conversations()
    assert again.comments_created == 0 and Comment.objects.count() == total
