"""Importing a WordPress export: what arrives, in what state, and that a re-run changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from despatch.blogs.models import AuthorProfile, Blog
from despatch.conversations.models import Comment
from despatch.migration import importer
from despatch.migration.importer import ImportRefused, wordpress_import
from despatch.migration.models import ImportedItem, LegacyAddress
from despatch.posts.models import ArchiveMonth, Post, Tag, TagUsage
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
    """Each item commits on its own: after a crash mid-file, a re-run adds only the rest."""
    path = write_wxr(*(wxr_item(number, comments=3) for number in range(1, 11)))
    calls = 0
    original = importer._ImportRun._import_item

    def crash_after_six(run, item):
        nonlocal calls
        calls += 1
        if calls == 7:
            raise KeyboardInterrupt  # what a kill looks like to the rest of the file
        original(run, item)

    monkeypatch.setattr(importer._ImportRun, "_import_item", crash_after_six)
    with pytest.raises(KeyboardInterrupt):
        wordpress_import(path=path)
    assert Post.objects.count() == 6
    monkeypatch.setattr(importer._ImportRun, "_import_item", original)
    report = wordpress_import(path=path)
    assert report.total("post", "unchanged") == 6
    assert report.total("post", "created") == 4
    assert Post.objects.count() == 10
    assert Comment.objects.count() == 30
    assert ImportedItem.objects.filter(kind="post").count() == 10


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
