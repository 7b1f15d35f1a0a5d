"""Importing a WordPress export: what arrives, in what state, and that a re-run changes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from despatch.blogs.models import AuthorProfile, Blog
from despatch.conversations.models import Comment
from despatch.migration import importer
from despatch.migration.importer import ImportRefused, wordpress_import
from despatch.migration.models import ImportedItem, LegacyAddress
from despatch.posts.models import ArchiveMonth, Post, Tag, TagUsage
from despatch.search.models import SearchEntry
from tests.factories import make_blog, make_post, make_user

from .conftest import WXR_DIR, wxr_item

pytestmark = pytest.mark.django_db

EMBASSY = WXR_DIR / "embassy-1.2.xml"


def snapshot() -> dict[str, list]:
    """Everything an import writes, to compare before and after a second run."""
    return {
        "blogs": list(Blog.objects.values().order_by("pk")),
        "authors": list(AuthorProfile.objects.values().order_by("pk")),
        "tags": list(Tag.objects.values().order_by("pk")),
        "posts": list(Post.objects.values().order_by("pk")),
        "post_tags": list(Post.tags.through.objects.values("post_id", "tag_id").order_by("pk")),
        "comments": list(Comment.objects.values().order_by("pk")),
        "records": list(ImportedItem.objects.values().order_by("pk")),
        "addresses": list(LegacyAddress.objects.values().order_by("pk")),
    }


def test_import_brings_in_blog_authors_posts_tags_and_comments():
    """M1: the blog, its authors (no accounts), posts, tags and comments all arrive."""
    report = wordpress_import(path=EMBASSY)
    blog = Blog.objects.get()
    assert blog.name == "British Embassy Blog & News"
    assert blog.description == ""  # WordPress's default tagline says nothing
    assert blog.language == "en-gb"
    assert report.blog == blog.slug
    assert {author.display_name for author in blog.authors.all()} == {"Jane Porter", "ليلى حداد"}
    assert not AuthorProfile.objects.filter(user__isnull=False).exists()
    assert Post.objects.count() == 8
    assert Comment.objects.count() == 7
    assert report.total("post", "created") == 8
    assert report.total("comment", "created") == 7


def test_post_statuses_map_onto_published_scheduled_and_draft():
    """publish → published, future → scheduled, draft/pending/private/password → draft."""
    wordpress_import(path=EMBASSY)
    status = dict(Post.objects.values_list("slug", "status"))
    assert status["why-we-blog"] == Post.Status.PUBLISHED
    assert status["coming-next-month"] == Post.Status.SCHEDULED
    assert status["a-draft"] == Post.Status.DRAFT
    assert status["awaiting-review"] == Post.Status.DRAFT
    assert status["staff-only"] == Post.Status.DRAFT
    assert status["protected"] == Post.Status.DRAFT, "a password-protected post must not go public"
    assert "binned-post" not in " ".join(status), "trashed posts are not imported"
    assert len(status) == 8


def test_dates_slugs_excerpts_and_best_bits_are_kept():
    """The GMT date, the slug (decoded), the excerpt or the text before <!--more-->, sticky."""
    wordpress_import(path=EMBASSY)
    first = Post.objects.get(slug="why-we-blog")
    assert first.published_at == datetime(2009, 9, 3, 10, 15, tzinfo=UTC)
    assert first.is_best_bit
    assert first.excerpt.startswith("Diplomacy used to happen behind closed doors.")
    assert "residence garden" not in first.excerpt
    arabic = Post.objects.get(title="محادثات السلام: ما تعلمناه")
    assert arabic.slug == "محادثات-السلام"
    assert arabic.excerpt == "ملخص قصير للمقال"
    assert arabic.author.display_name == "ليلى حداد"
    draft = Post.objects.get(slug="a-draft")
    assert draft.published_at is None
    scheduled = Post.objects.get(slug="coming-next-month")
    assert scheduled.awaiting_announcement, "a scheduled post is still owed its announcement"
    assert not first.awaiting_announcement, "posts published years ago are not announced again"


def test_categories_and_tags_become_tags_and_same_named_categories_are_told_apart():
    """Uncategorized and post formats are dropped; a child “Climate” under Events is qualified."""
    wordpress_import(path=EMBASSY)
    first = Post.objects.get(slug="why-we-blog")
    assert sorted(first.tags.values_list("name", flat=True)) == [
        "Arms Trade Treaty",
        "Climate",
        "Climate (Events)",
    ]
    assert Tag.objects.get(name="السلام").slug == "السلام"
    assert not Tag.objects.filter(name__in=["Uncategorized", "Never used", "Standard"]).exists()
    blog = Blog.objects.get()
    assert TagUsage.objects.filter(blog=blog, tag__name="Climate").get().post_count == 1
    assert ArchiveMonth.objects.filter(blog=blog, year=2009, month=9).get().post_count == 1


def test_comments_keep_status_dates_threading_and_the_authors_badge():
    """Approved/pending/spam/trash map onto our moderation states; replies thread one deep."""
    wordpress_import(path=EMBASSY)
    by_name = {comment.author_name: comment for comment in Comment.objects.all()}
    assert by_name["Amara Okafor"].status == Comment.Status.APPROVED
    assert by_name["Waiting Reader"].status == Comment.Status.PENDING
    assert by_name["Waiting Reader"].decided_at is None
    assert by_name["Cheap Pills"].status == Comment.Status.SPAM
    assert by_name["Binned"].status == Comment.Status.REJECTED
    assert "Another Blog" not in by_name, "pingbacks are not comments"
    reply = by_name["Jane Porter"]
    assert reply.parent == by_name["Amara Okafor"]
    assert reply.badge == Comment.Badge.AUTHOR
    # WordPress nests deeper; Despatch threads are one level, so it joins the thread's start.
    assert by_name["Reader three"].parent == by_name["Amara Okafor"]
    amara = by_name["Amara Okafor"]
    assert amara.submitted_at == datetime(2009, 9, 3, 11, 0, tzinfo=UTC)
    assert amara.author_email == "amara@example.org"
    assert amara.body == (
        "Thank you for writing this.\nIt is good to read more (https://example.org/read) & "
        "learn.\n\nA second paragraph."
    )
    assert "<p>" in amara.body_html
    assert amara.ip_address is None, "IP addresses older than the retention period stay behind"
    post = Post.objects.get(slug="why-we-blog")
    assert post.approved_comment_count == 3


def test_running_the_same_import_again_changes_nothing():
    """Idempotent: the second run writes nothing and reports everything unchanged."""
    wordpress_import(path=EMBASSY)
    before = snapshot()
    with CaptureQueriesContext(connection) as queries:
        report = wordpress_import(path=EMBASSY)
    assert snapshot() == before
    assert report.total("post", "unchanged") == 8
    assert report.total("comment", "unchanged") == 7
    assert report.total("post", "created") == report.total("comment", "created") == 0
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPD"))]
    assert writes == []


def test_an_edited_wordpress_post_updates_its_copy_on_the_next_run(write_wxr):
    """A changed item (new digest) is updated in place: same post, new text, no duplicate."""
    wordpress_import(path=write_wxr(wxr_item(1, content="First version.", comments=2)))
    post = Post.objects.get()
    report = wordpress_import(path=write_wxr(wxr_item(1, content="Second version.", comments=3)))
    assert Post.objects.get().pk == post.pk
    assert "Second version." in Post.objects.get().body_html
    assert report.total("post", "updated") == 1
    assert report.total("comment", "created") == 1
    assert Comment.objects.count() == 3


def test_a_post_deleted_in_despatch_is_not_brought_back(write_wxr):
    """What the team deleted after the import stays deleted when the file is imported again."""
    path = write_wxr(wxr_item(1), wxr_item(2))
    wordpress_import(path=path)
    Post.objects.get(slug="post-1").delete()
    wordpress_import(path=write_wxr(wxr_item(1, content="Changed."), wxr_item(2)))
    assert list(Post.objects.values_list("slug", flat=True)) == ["post-2"]


def test_dry_run_reports_what_would_happen_and_changes_nothing(media_root, uploads):
    """--dry-run: the same counts as a real run, then everything rolled back, no file copied."""
    report = wordpress_import(path=EMBASSY, dry_run=True, media_dir=uploads)
    assert report.dry_run
    assert report.total("post", "created") == 8
    assert report.total("comment", "created") == 7
    assert report.total("media file", "created") == 2
    assert not Blog.objects.exists()
    assert not Post.objects.exists()
    assert not ImportedItem.objects.exists()
    assert not any(media_root.rglob("*.*"))


def test_an_interrupted_import_completes_on_the_next_run_without_duplicates(write_wxr, monkeypatch):
    """Batches are all or nothing: after a crash mid-file, a re-run adds only the rest."""
    path = write_wxr(*(wxr_item(number, comments=3) for number in range(1, 11)))
    monkeypatch.setattr(importer, "NEW_POSTS_PER_BATCH", 3)
    calls = 0
    original = importer._ImportRun._create_posts

    def crash_in_third_batch(run, items):
        nonlocal calls
        calls += 1
        made = original(run, items)
        if calls == 3:
            raise KeyboardInterrupt  # what a kill looks like half-way through a batch
        return made

    monkeypatch.setattr(importer._ImportRun, "_create_posts", crash_in_third_batch)
    with pytest.raises(KeyboardInterrupt):
        wordpress_import(path=path)
    assert Post.objects.count() == 6
    assert Comment.objects.count() == 18
    assert ImportedItem.objects.filter(kind="comment").count() == 18
    # The re-run finds these posts unchanged, so they are indexed by the run that made them.
    assert SearchEntry.objects.count() == 6
    monkeypatch.setattr(importer._ImportRun, "_create_posts", original)
    report = wordpress_import(path=path)
    assert report.total("post", "unchanged") == 6
    assert report.total("post", "created") == 4
    assert Post.objects.count() == 10
    assert Comment.objects.count() == 30
    assert ImportedItem.objects.filter(kind="post").count() == 10


def test_posts_a_killed_run_never_indexed_are_indexed_by_the_next_run(write_wxr):
    """kill -9 skips every ``finally``: the re-run indexes the posts it finds unchanged."""
    path = write_wxr(*(wxr_item(number) for number in range(1, 5)))
    wordpress_import(path=path)
    SearchEntry.objects.filter(post__slug__in=["post-1", "post-2"]).delete()
    report = wordpress_import(path=path)
    assert report.total("post", "unchanged") == 4
    assert SearchEntry.objects.count() == 4
    assert report.indexed_posts == 2


def test_new_posts_and_their_comments_go_in_a_batch_at_a_time(write_wxr):
    """Thirty new posts with ninety comments: a few statements per table, not one per row."""
    path = write_wxr(*(wxr_item(number, comments=3) for number in range(1, 31)))
    with CaptureQueriesContext(connection) as queries:
        report = wordpress_import(path=path)
    assert report.total("post", "created") == 30
    assert report.total("comment", "created") == 90
    inserts = Counter(
        query["sql"].split()[2].strip('"')
        for query in queries.captured_queries
        if query["sql"].startswith("INSERT")
    )
    assert inserts["posts_post"] == 1
    assert inserts["posts_post_tags"] == 1
    assert inserts["conversations_comment"] == 2, "thread starters, then replies"
    assert inserts["migration_legacyaddress"] <= 1
    assert not any(query["sql"].startswith("UPDATE") for query in queries.captured_queries)
    replies = Comment.objects.filter(parent__isnull=False)
    assert replies.count() == 30
    assert all(reply.parent.post_id == reply.post_id for reply in replies)
    assert Post.objects.get(slug="post-7").approved_comment_count == 3


def test_an_item_repeated_in_the_same_batch_updates_its_first_copy(write_wxr):
    """A WordPress number seen twice in a file: one post, with the later item's text."""
    path = write_wxr(
        wxr_item(1, content="First copy.", comments=1),
        wxr_item(2),
        wxr_item(1, content="Second copy.", comments=1),
    )
    report = wordpress_import(path=path)
    assert Post.objects.count() == 2
    assert "Second copy." in Post.objects.get(slug="post-1").body_html
    assert report.total("post", "created") == 2
    assert report.total("post", "updated") == 1
    assert Comment.objects.count() == 1
    assert report.problems == []


def test_a_malformed_item_is_reported_with_its_number_and_the_rest_imported(write_wxr, monkeypatch):
    """An item that fails is rolled back alone, named by its WXR id; the others all arrive."""
    original = importer.post_html_from_wordpress

    def fail_on_two(content, *, context):
        if context.post_id == "2":
            raise ValueError("unreadable body")
        return original(content, context=context)

    monkeypatch.setattr(importer, "post_html_from_wordpress", fail_on_two)
    report = wordpress_import(path=write_wxr(*(wxr_item(n, comments=2) for n in (1, 2, 3))))
    assert sorted(Post.objects.values_list("slug", flat=True)) == ["post-1", "post-3"]
    assert Comment.objects.count() == 4
    assert report.problems == ["item 2 “Post 2”: ValueError: unreadable body — skipped"]
    # The failed batch's own counts were dropped; only the one-by-one writes count.
    assert report.total("post", "created") == 2
    assert report.total("post", "skipped") == 1
    assert report.total("comment", "created") == 4
    assert report.total("old address", "recorded") == 4


def test_a_batch_that_fails_in_the_database_is_written_again_item_by_item(write_wxr, monkeypatch):
    """A batch rolled back by the database keeps none of its rows; each item is then retried."""
    path = write_wxr(*(wxr_item(number, comments=2) for number in range(1, 6)))
    original = importer.insert_rows

    def refuse_batches(model, rows):
        if model is Comment and len({row["post_id"] for row in rows}) > 1:
            raise IntegrityError("refused")
        return original(model, rows)

    monkeypatch.setattr(importer, "insert_rows", refuse_batches)
    report = wordpress_import(path=path)
    assert report.problems == []
    assert report.total("post", "created") == 5
    assert report.total("tag", "created") == 3
    assert Post.objects.count() == 5
    assert Comment.objects.count() == 10
    assert Tag.objects.count() == 3
    assert ImportedItem.objects.filter(kind="comment").count() == 10
    assert sorted(Post.objects.values_list("slug", flat=True)) == [f"post-{n}" for n in range(1, 6)]


def test_the_sqlite_settings_tuned_for_an_import_are_put_back_afterwards():
    """A larger page cache and log during the run; the connection, which outlives it, as before."""
    if connection.vendor != "sqlite":
        pytest.skip("the tuning is SQLite's")
    seen_during: list[tuple[int, int]] = []

    def settings() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            cache = cursor.fetchone()[0]
            cursor.execute("PRAGMA wal_autocheckpoint")
            return cache, cursor.fetchone()[0]

    before = settings()
    wordpress_import(path=EMBASSY, progress=lambda progress: seen_during.append(settings()))
    assert seen_during[-1] == (-importer.IMPORT_PAGE_CACHE_KIB, importer.IMPORT_CHECKPOINT_PAGES)
    assert settings() == before


def test_an_item_without_a_post_number_is_reported_and_skipped():
    """The embassy file's “Broken number” item has no numeric wp:post_id."""
    report = wordpress_import(path=EMBASSY)
    assert any("item abc “Broken number”" in problem for problem in report.problems)
    assert not Post.objects.filter(title="Broken number").exists()


def test_other_item_types_are_listed_with_what_was_done():
    """Pages, attachments and menu entries are counted in the summary, not silently dropped."""
    report = wordpress_import(path=EMBASSY)
    kinds = dict(report.other_items.keys())
    assert kinds["page"].startswith("not imported")
    assert kinds["attachment"].startswith("indexed")
    assert kinds["nav_menu_item"].startswith("not imported")


def test_pages_can_come_in_as_drafts():
    """--pages-as-drafts keeps a page's content, as a draft nobody sees until an editor decides."""
    wordpress_import(path=EMBASSY, pages_as_drafts=True)
    page = Post.objects.get(slug="about")
    assert page.status == Post.Status.DRAFT
    assert LegacyAddress.objects.filter(post=page, path="/?page_id=2").exists()


def test_media_dir_copies_images_rewrites_bodies_and_sets_the_top_image(media_root, uploads):
    """With --media-dir the images are copied into storage and posts point at the copies."""
    report = wordpress_import(path=EMBASSY, media_dir=uploads)
    post = Post.objects.get(slug="why-we-blog")
    copy = "/media/wordpress/blogs.embassy.example/2009/09/residence.jpg"
    assert copy in post.body_html
    assert "/media/wordpress/blogs.embassy.example/2009/09/flag.png" in post.body_html
    assert "blogs.embassy.example/wp-content" not in post.body_html
    assert post.top_image.name == "wordpress/blogs.embassy.example/2009/09/residence.jpg"
    assert (post.top_image_width, post.top_image_height) == (64, 48)
    assert post.top_image_alt == "The residence garden"
    assert (media_root / "wordpress/blogs.embassy.example/2009/09/residence.jpg").is_file()
    assert report.total("media file", "created") == 2
    again = wordpress_import(path=EMBASSY, media_dir=uploads)
    assert again.total("media file", "created") == 0
    assert again.total("post", "unchanged") == 8


def test_hostile_html_is_sanitised_on_import():
    """Scripts, handlers, javascript: links, forms and foreign frames never reach the page."""
    wordpress_import(path=EMBASSY)
    body = Post.objects.get(slug="hostile").body_html
    forbidden = ["<script", "onclick", "onerror", "javascript:", "<form", "<input", "<style"]
    forbidden += ["<iframe", "<object", "<svg", "display: none", "target=", "color:red"]
    for text in forbidden:
        assert text not in body, text
    assert "Safe text" in body
    assert '<a href="https://example.org/ok" rel="noopener nofollow">An ordinary link</a>' in body
    assert Post.objects.get(slug="hostile").title == "Hostile markup test"


def test_importing_into_a_named_blog_and_refusing_an_unrelated_one_by_accident():
    """--blog picks the blog; without it, an existing blog with other posts is not written into."""
    blog = make_blog(slug="embassy")
    wordpress_import(path=EMBASSY, blog_slug="embassy")
    assert Post.objects.filter(blog=blog).count() == 8
    make_post(blog=make_blog(slug="british-embassy-blog-news"))
    Post.objects.filter(blog=blog).delete()
    ImportedItem.objects.all().delete()
    with pytest.raises(ImportRefused, match="already exists"):
        wordpress_import(path=EMBASSY)
    with pytest.raises(ImportRefused, match="cannot be a blog's address"):
        wordpress_import(path=EMBASSY, blog_slug="Not A Slug")


def test_an_author_with_a_users_address_gets_that_users_profile():
    """An imported author whose e-mail belongs to a Despatch user is linked to that user."""
    user = make_user(email="ambassador@embassy.example")
    wordpress_import(path=EMBASSY)
    profile = Post.objects.get(slug="why-we-blog").author
    assert profile.user == user


def test_the_same_file_into_two_blogs_shares_its_authors():
    """Authors are the site's, not the blog's: importing twice does not clone them."""
    wordpress_import(path=EMBASSY, blog_slug="first")
    wordpress_import(path=EMBASSY, blog_slug="second")
    assert AuthorProfile.objects.count() == 2
    assert Post.objects.count() == 16
