"""``despatch search-reindex`` and the seed command's bulk indexing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

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
