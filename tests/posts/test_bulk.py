"""Bulk changes: the posts app's follow-up work is deferred to the block's end and done once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models.signals import post_save
from django.utils import timezone

from despatch.posts import bulk, signals
from despatch.posts.bulk import posts_changed_in_bulk, posts_create_in_bulk
from despatch.posts.models import ArchiveMonth, Post, TagUsage
from despatch.posts.statistics import refresh_blog_statistics
from tests.factories import make_author, make_blog, make_post, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def follow_ups(monkeypatch):
    """Record each recount and each invalidation, from the receivers and from the block's end."""
    calls: dict[str, list] = {"recounts": [], "invalidations": []}

    def recount(*, blog_ids):
        calls["recounts"].append(sorted(blog_ids))
        refresh_blog_statistics(blog_ids=blog_ids)

    def invalidate(keys):
        calls["invalidations"].append(set(keys))

    monkeypatch.setattr(bulk, "refresh_blog_statistics", recount)
    monkeypatch.setattr(bulk, "invalidate_surrogate_keys", invalidate)
    monkeypatch.setattr(signals, "invalidate_surrogate_keys", invalidate)
    monkeypatch.setattr(signals, "refresh_blog_statistics", recount)
    return calls


def forget(follow_ups) -> None:
    """Start recording afresh, once a test's own rows are in place."""
    for calls in follow_ups.values():
        calls.clear()


def new_post(blog, author, number: int, **fields) -> Post:
    fields.setdefault("status", Post.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - timedelta(days=number))
    fields.setdefault("slug", f"imported-{number}")
    return Post(
        blog=blog,
        author=author,
        title=f"Imported {number}",
        body_source=f"<p>Body of post {number}, about the <b>treaty</b>.</p>",
        body_format="html",
        **fields,
    )


def test_saves_in_a_block_are_recounted_and_invalidated_once_at_its_end(follow_ups):
    """Ten saved posts: no work while the block runs, then one recount and one invalidation."""
    blog, author, tag = make_blog(), make_author(), make_tag("Climate")
    forget(follow_ups)
    with posts_changed_in_bulk() as changes:
        for number in range(10):
            post = new_post(blog, author, number)
            post.save()
            post.tags.add(tag)
        assert follow_ups == {"recounts": [], "invalidations": []}
        assert not TagUsage.objects.filter(blog=blog).exists()
    assert follow_ups["recounts"] == [[blog.pk]]
    assert len(follow_ups["invalidations"]) == 1
    keys = follow_ups["invalidations"][0]
    assert {"posts", f"blog-{blog.pk}-posts", f"author-{author.pk}-posts"} <= keys
    assert f"tag-{tag.pk}-posts" in keys
    assert len(changes.post_ids) == 10
    assert TagUsage.objects.get(blog=blog, tag=tag).post_count == 10


def test_a_changed_post_invalidates_its_own_page_and_a_new_one_only_its_listings(follow_ups):
    """No page can have shown a post made in the block, so its own key is not bumped."""
    existing = make_post()
    forget(follow_ups)
    with posts_changed_in_bulk():
        existing.title = "Edited"
        existing.save()
        created = new_post(existing.blog, existing.author, 1)
        created.save()
    keys = follow_ups["invalidations"][0]
    assert f"post-{existing.pk}" in keys
    assert f"post-{created.pk}" not in keys
    assert f"blog-{existing.blog_id}-posts" in keys


def test_comments_added_in_a_block_refresh_every_page_counting_them(follow_ups):
    """Summaries show a post's comment count, and "recent comments" show up everywhere."""
    existing = make_post()
    forget(follow_ups)
    with posts_changed_in_bulk() as changes:
        changes.comments_changed(post_id=existing.pk, blog_id=existing.blog_id)
    keys = follow_ups["invalidations"][0]
    assert {
        "comments",
        f"post-{existing.pk}",
        f"post-{existing.pk}-comments",
        f"blog-{existing.blog_id}-comments",
    } <= keys


def test_a_rolled_back_block_drops_its_follow_up_work(follow_ups):
    """A dry run leaves caches and counts alone: nothing it did will be committed."""
    blog, author = make_blog(), make_author()
    forget(follow_ups)
    with posts_changed_in_bulk(rolled_back=True):
        new_post(blog, author, 1).save()
    assert follow_ups == {"recounts": [], "invalidations": []}


def test_a_block_inside_another_leaves_the_work_to_the_outer_one(follow_ups):
    """Nested blocks share one set of changes, brought up to date once, by the outer block."""
    blog, author = make_blog(), make_author()
    forget(follow_ups)
    with posts_changed_in_bulk() as outer:
        with posts_changed_in_bulk() as inner:
            new_post(blog, author, 1).save()
        assert inner is outer
        assert follow_ups["recounts"] == []
    assert follow_ups["recounts"] == [[blog.pk]]


def test_outside_a_block_each_save_does_its_own_work(
    follow_ups, django_capture_on_commit_callbacks
):
    """The everyday path is unchanged: one save, one recount and one invalidation."""
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post()
    assert [post.blog_id] in follow_ups["recounts"]
    assert any(f"post-{post.pk}" in keys for keys in follow_ups["invalidations"])
    assert bulk.bulk_changes() is None


def test_posts_created_in_bulk_are_rendered_as_a_save_renders_them(follow_ups):
    """Body, excerpt and tags as Post.save() would make them, no signal sent, work done once."""
    blog, author, tag = make_blog(), make_author(), make_tag("Trade")
    saved = new_post(blog, author, 99, slug="saved-one")
    saved.save()
    forget(follow_ups)
    sent = []

    def record(instance, **kwargs):
        sent.append(instance)

    post_save.connect(record, sender=Post, dispatch_uid="tests.posts.bulk")
    try:
        with posts_changed_in_bulk() as changes:
            posts = [new_post(blog, author, number) for number in range(3)]
            posts_create_in_bulk(posts=[(post, [tag.pk]) for post in posts])
    finally:
        post_save.disconnect(sender=Post, dispatch_uid="tests.posts.bulk")
    assert sent == []
    stored = Post.objects.get(slug="imported-0")
    assert stored.body_html == saved.body_html.replace("99", "0")
    assert stored.excerpt == saved.excerpt.replace("99", "0")
    assert list(stored.tags.all()) == [tag]
    assert changes.created_post_ids == {post.pk for post in posts}
    assert follow_ups["recounts"] == [[blog.pk]]
    assert TagUsage.objects.get(blog=blog, tag=tag).post_count == 3
    assert ArchiveMonth.objects.filter(blog=blog).exists()


def test_posts_created_in_bulk_come_back_as_saved_rows():
    """Each instance has its key and the stored timestamps, and saves as an update."""
    blog, author = make_blog(), make_author()
    posts = [new_post(blog, author, number) for number in range(2)]
    with posts_changed_in_bulk():
        posts_create_in_bulk(posts=[(post, []) for post in posts])
    for post in posts:
        stored = Post.objects.get(pk=post.pk)
        assert (post.created_at, post.updated_at) == (stored.created_at, stored.updated_at)
        assert not post._state.adding
        post.title = "Changed"
        post.save()
    assert Post.objects.count() == 2
    assert set(Post.objects.values_list("title", flat=True)) == {"Changed"}


def test_posts_are_created_in_bulk_only_inside_a_block():
    """Without a block nobody would do the follow-up work, so the call is refused."""
    post = new_post(make_blog(), make_author(), 1)
    with pytest.raises(RuntimeError, match="posts_changed_in_bulk"):
        posts_create_in_bulk(posts=[(post, [])])
    assert not Post.objects.exists()
