"""The index follows every publish, edit, unpublish and delete, whichever path made it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from despatch.posts.bulk import posts_changed_in_bulk
from despatch.posts.models import Post
from despatch.posts.publishing import post_publish, post_unpublish
from despatch.search.documents import document_for, posts_for_indexing
from despatch.search.indexing import search_index_in_bulk
from despatch.search.models import SearchEntry, SearchTerm
from tests.factories import make_tag

from .conftest import search_ids

pytestmark = pytest.mark.django_db


def test_publishing_a_draft_makes_it_findable(post_about):
    post = post_about("Arms trade treaty", status=Post.Status.DRAFT)
    assert search_ids("treaty") == []
    post_publish(post=post)
    assert search_ids("treaty") == [post.pk]


def test_scheduling_indexes_the_post_for_its_time(post_about):
    post = post_about("Arms trade treaty", status=Post.Status.DRAFT)
    when = timezone.now() + timedelta(days=1)
    post_publish(post=post, at=when)
    assert SearchEntry.objects.get(post=post).published_at == when
    assert search_ids("treaty") == []
    assert search_ids("treaty", now=when + timedelta(seconds=1)) == [post.pk]


def test_editing_replaces_the_old_words(post_about):
    post = post_about("Arms trade treaty", body="First thoughts.")
    post.title = "Climate accord"
    post.body_source = "Second thoughts."
    post.save()
    assert search_ids("treaty") == []
    assert search_ids("first") == []
    assert search_ids("climate second") == [post.pk]


def test_changing_the_date_moves_the_entry(post_about):
    post = post_about("Treaty")
    post.published_at = timezone.now() - timedelta(days=400)
    post.save()
    entry = SearchEntry.objects.get(post=post)
    assert entry.published_at == post.published_at
    assert SearchEntry.objects.count() == 1


def test_unpublishing_removes_the_post(post_about):
    post = post_about("Arms trade treaty")
    post_unpublish(post=post)
    assert search_ids("treaty") == []
    assert not SearchEntry.objects.filter(post=post).exists()


def test_deleting_removes_the_post(post_about):
    post = post_about("Arms trade treaty")
    keep = post_about("Another treaty")
    post.delete()
    assert search_ids("treaty") == [keep.pk]


def test_tags_added_and_removed_are_followed(post_about):
    post = post_about("Weekly notes")
    tag = make_tag("Arms control")
    post.tags.add(tag)
    assert search_ids("control") == [post.pk]
    assert search_ids("", tag_id=tag.pk) == [post.pk]
    post.tags.remove(tag)
    assert search_ids("control") == []
    post.tags.add(tag)
    tag.posts.clear()
    assert search_ids("control") == []


def test_tagging_from_the_tag_side_is_followed(post_about):
    post = post_about("Weekly notes")
    tag = make_tag("Disarmament")
    tag.posts.add(post)
    assert search_ids("disarmament") == [post.pk]


def test_a_bulk_block_defers_indexing_to_its_owner(post_about):
    """Inside a bulk write posts are only noted; the block's owner indexes them once."""
    post = post_about("Weekly notes")
    tag = make_tag("Disarmament")
    with posts_changed_in_bulk() as changes:
        post.title = "Arms trade treaty"
        post.save()
        tag.posts.add(post)
        assert search_ids("treaty") == []
        assert search_ids("disarmament") == []
        assert post.pk in changes.post_ids
    search_index_in_bulk(post_ids=sorted(changes.post_ids))
    assert search_ids("treaty disarmament") == [post.pk]


def test_renaming_an_author_reindexes_their_posts(
    post_about, network, django_capture_on_commit_callbacks
):
    post = post_about("Notes", author=network["jane"])
    with django_capture_on_commit_callbacks(execute=True):
        network["jane"].display_name = "Jane Whitcombe"
        network["jane"].save()
    assert search_ids("whitcombe") == [post.pk]
    assert search_ids("marlow") == []


def test_renaming_and_deleting_a_tag_reindexes_its_posts(
    post_about, django_capture_on_commit_callbacks
):
    post = post_about("Notes", tags=["Arms control"])
    tag = post.tags.get()
    with django_capture_on_commit_callbacks(execute=True):
        tag.name = "Arms regulation"
        tag.save()
    assert search_ids("regulation") == [post.pk]
    with django_capture_on_commit_callbacks(execute=True):
        tag.delete()
    assert search_ids("regulation") == []


def test_changing_a_blogs_language_changes_its_posts_language(
    post_about, network, django_capture_on_commit_callbacks
):
    post = post_about("Notes", blog=network["paris"])
    with django_capture_on_commit_callbacks(execute=True):
        network["paris"].language = "es"
        network["paris"].save()
    assert search_ids("notes", language="es") == [post.pk]


def test_saving_other_fields_does_not_reindex(post_about):
    """Comment counts and best-bit orders change often and touch no searched words."""
    post = post_about("Treaty")
    Post.objects.filter(pk=post.pk).update(title="Changed behind the index's back")
    post.refresh_from_db()
    post.save(update_fields=["approved_comment_count"])
    assert search_ids("treaty") == [post.pk]
    post.save(update_fields=["title"])
    assert search_ids("changed") == [post.pk]


def test_new_words_join_the_vocabulary(post_about):
    post_about("Zanzibar convention")
    assert SearchTerm.objects.filter(term__in=["zanzibar", "convention"]).count() == 2


def test_a_document_holds_folded_words_not_markup(post_about):
    """Both engines index the same folded words: titles as written, bodies without HTML."""
    post = post_about("L’Été chaud", body="**Bold** and [a link](https://example.org/x).")
    document = document_for(posts_for_indexing([post.pk]).get())
    assert document.title == "l ete chaud"
    assert document.body == "bold and a link"
    assert document.author == "jane marlow"
    assert "post" in document.facets
    assert SearchEntry.objects.get(post=post).key == document.key


def test_kept_search_results_are_retired_after_the_vocabulary_is_recounted(post_about, monkeypatch):
    """Ranking weighs words by the vocabulary's counts, so results kept from before a
    recount must not outlive it."""
    from despatch.search import indexing
    from despatch.search.backends import get_backend

    post = post_about("Arms trade treaty")
    events: list[str] = []
    backend = get_backend()
    rebuild = backend.rebuild_vocabulary

    def recount() -> int:
        events.append("recount")
        return rebuild()

    monkeypatch.setattr(indexing, "get_backend", lambda: backend)
    monkeypatch.setattr(backend, "rebuild_vocabulary", recount)
    monkeypatch.setattr(indexing, "invalidate_surrogate_keys", lambda keys: events.append("retire"))
    search_index_in_bulk(post_ids=[post.pk], recount_vocabulary=True)
    assert events[-2:] == ["recount", "retire"]
