"""``despatch search-reindex`` and the seed command's bulk indexing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from despatch.posts.models import Post
from despatch.search.models import SearchEntry, SearchTerm
from despatch.search.seeding import index_posts

from .conftest import search_ids

pytestmark = pytest.mark.django_db


def test_reindex_rebuilds_entries_and_vocabulary(post_about):
    post = post_about("Arms trade treaty", tags=["Arms control"])
    SearchEntry.objects.all().delete()
    SearchTerm.objects.all().delete()
    assert search_ids("treaty") == []
    output = StringIO()
    call_command("search_reindex", stdout=output)
    assert search_ids("treaty") == [post.pk]
    assert SearchTerm.objects.get(term="treaty").document_count == 1
    assert "1 / 1 posts" in output.getvalue()
    assert "Indexed 1 posts" in output.getvalue()


def test_reindex_drops_entries_of_posts_changed_behind_its_back(post_about):
    post = post_about("Arms trade treaty")
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    assert search_ids("treaty") == [post.pk]
    call_command("search_reindex", stdout=StringIO())
    assert search_ids("treaty") == []


def test_reindex_twice_changes_nothing(post_about):
    post_about("Arms trade treaty")
    call_command("search_reindex", stdout=StringIO())
    before = list(SearchEntry.objects.values_list("key", "post_id", "facets"))
    call_command("search_reindex", stdout=StringIO())
    assert list(SearchEntry.objects.values_list("key", "post_id", "facets")) == before


def test_seeded_posts_are_indexed_in_bulk(post_about):
    posts = [post_about(f"Treaty {n}") for n in range(3)]
    SearchEntry.objects.all().delete()
    assert index_posts(posts=Post.objects.order_by("id")) == 3
    assert set(search_ids("treaty")) == {post.pk for post in posts}


def test_dry_run_changes_nothing(post_about):
    post = post_about("Arms trade treaty")
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    output = StringIO()
    call_command("search_reindex", "--dry-run", stdout=output)
    assert "Would index 0 posts" in output.getvalue()
    assert "remove 1 entries" in output.getvalue()
    assert search_ids("treaty") == [post.pk]


def _index_contents() -> list[tuple]:
    """Every entry as the engine stores it, the vector included on PostgreSQL."""
    entries = list(
        SearchEntry.objects.order_by("key").values_list(
            "key", "post_id", "published_at", "title", "tags", "author", "body", "facets"
        )
    )
    if connection.vendor != "postgresql":
        return entries
    with connection.cursor() as cursor:
        cursor.execute("SELECT vector::text FROM search_searchentry ORDER BY key")
        return [
            (*entry, vector) for entry, (vector,) in zip(entries, cursor.fetchall(), strict=True)
        ]


def test_reindex_builds_what_indexing_post_by_post_built(post_about, network):
    """A rebuild from nothing writes exactly the entries that saving each post wrote."""
    post_about("Arms trade treaty", body="The treaty, the *treaty* again.", tags=["Arms"])
    post_about("Sécurité maritime", blog=network["paris"], author=network["pierre"])
    post_about("Report for 2024", body="Numbers: 2024, 1.5 and 3rd.", language="es")
    saved_one_by_one = _index_contents()
    SearchEntry.objects.all().delete()
    call_command("search_reindex", stdout=StringIO())
    assert _index_contents() == saved_one_by_one


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row versions are PostgreSQL's")
def test_reindex_rewrites_only_the_entries_that_changed(post_about):
    """Unchanged entries are recognised without being written again, so a reindex of
    a large network leaves nothing for vacuum but what really changed."""
    same = post_about("Arms trade treaty")
    changed = post_about("Climate notes")
    Post.objects.filter(pk=changed.pk).update(title="Weather notes")

    def row_versions() -> dict[int, str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT post_id, xmin::text FROM search_searchentry")
            return dict(cursor.fetchall())

    before = row_versions()
    call_command("search_reindex", stdout=StringIO())
    after = row_versions()
    assert after[same.pk] == before[same.pk]
    assert after[changed.pk] != before[changed.pk]
    assert search_ids("weather") == [changed.pk]
