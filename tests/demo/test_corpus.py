"""The synthetic corpus: deterministic, counted right, rendered right, and fast to write."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum

from despatch.blogs.models import AuthorProfile, Blog
from despatch.core.rendering import excerpt_from_html
from despatch.demo import corpus, prose
from despatch.demo.corpus import CorpusSpec, plan_corpus
from despatch.demo.hooks import COMMENT_SEEDING, optional_function
from despatch.posts.models import ArchiveMonth, Post, Tag, TagUsage, render_body

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db

SMALL = {"blogs": 3, "posts": 200, "authors": 4, "tags": 20, "tags_per_post": 3}


def _seed(**options: object) -> str:
    out = StringIO()
    call_command("seed", stdout=out, **{**SMALL, **options})
    return out.getvalue()


def _seeded_posts() -> list[tuple[str, str, str]]:
    return list(
        Post.objects.order_by("published_at", "id").values_list("blog__slug", "title", "slug")
    )


def _remove_everything() -> None:
    Post.objects.all().delete()
    Blog.objects.all().delete()
    AuthorProfile.objects.all().delete()
    Tag.objects.all().delete()


def test_plan_is_the_same_for_the_same_spec():
    """The plan depends on the spec alone: same seed, same blogs, authors, titles and slugs."""
    spec = CorpusSpec(**SMALL, random_seed=7)
    first, second = plan_corpus(spec), plan_corpus(spec)
    assert first.blogs == second.blogs
    assert first.authors == second.authors
    assert list(first.posts(now=NOW)) == list(second.posts(now=NOW))


def test_plan_differs_with_the_seed():
    """Another seed gives another corpus."""
    first = [post.title for post in plan_corpus(CorpusSpec(**SMALL, random_seed=1)).posts(now=NOW)]
    second = [post.title for post in plan_corpus(CorpusSpec(**SMALL, random_seed=2)).posts(now=NOW)]
    assert first != second


def test_planned_posts_are_spread_over_years_oldest_first_and_never_in_the_future():
    """Posts cover several years before the day of seeding, in publication order."""
    dates = [post.published_at for post in plan_corpus(CorpusSpec(**SMALL)).posts(now=NOW)]
    assert dates == sorted(dates)
    assert dates[-1] < NOW
    assert NOW - dates[0] > timedelta(days=3 * 365)


def test_ledes_are_plain_text_so_their_html_can_be_built_by_hand():
    """Every lede is text the renderer would print unchanged as one paragraph."""
    for post in plan_corpus(CorpusSpec(**SMALL)).posts(now=NOW):
        assert prose.is_plain_text(post.lede), post.lede


def test_seeding_twice_with_the_same_seed_gives_the_same_titles_and_slugs():
    """Two runs with the same arguments write the same posts, titles and slugs."""
    _seed(random_seed=3)
    first = _seeded_posts()
    _remove_everything()
    _seed(random_seed=3)
    assert _seeded_posts() == first
    assert len(first) == SMALL["posts"]


def test_seed_writes_the_blogs_authors_posts_and_tags_asked_for():
    """--blogs, --posts, --authors, --tags and --tags-per-post are honoured exactly."""
    output = _seed()
    assert Blog.objects.count() == 3
    assert AuthorProfile.objects.count() == 4
    assert Tag.objects.count() == 20
    assert Post.objects.published().count() == 200
    tags_per_post = Counter(
        Post.objects.annotate(tag_count=Count("tags")).values_list("tag_count", flat=True)
    )
    assert tags_per_post == {3: 200}
    assert all(blog.authors.exists() for blog in Blog.objects.all())
    assert "200 / 200 posts" in output
    assert "Seeded 200 posts on 3 blogs" in output


def test_seed_recounts_tag_clouds_and_archive_months():
    """Bulk inserts skip the signals, so the seed recounts TagUsage and ArchiveMonth itself."""
    _seed()
    for blog in Blog.objects.all():
        live = Post.objects.published().filter(blog=blog)
        tagged = Post.tags.through.objects.filter(post__in=live)
        assert TagUsage.objects.filter(blog=blog).exists()
        assert (
            TagUsage.objects.filter(blog=blog).aggregate(total=Sum("post_count"))["total"]
            == tagged.count()
        )
        assert (
            ArchiveMonth.objects.filter(blog=blog).aggregate(total=Sum("post_count"))["total"]
            == live.count()
        )
    assert ArchiveMonth.objects.values("year", "month").distinct().count() > 24


def test_seeded_posts_are_rendered_as_saving_them_would_render_them():
    """The HTML and excerpt assembled in bulk equal what ``Post.save`` would store."""
    _seed(posts=30, distinct_bodies=5)
    for post in Post.objects.select_related("author")[:30]:
        assert post.body_html == render_body(post.body_source)
        assert post.excerpt == excerpt_from_html(post.body_html)
        assert post.author_job_title == post.author.job_title
        assert post.author_location == post.author.location
    # About 800 words and 8 paragraphs, as a real post.
    sample = Post.objects.first()
    assert 600 < len(sample.body_source.split()) < 1000
    assert sample.body_html.count("<p>") >= 7


def test_seed_refuses_addresses_that_already_exist():
    """A second corpus with the same seed would reuse blog and author slugs: refused."""
    _seed(random_seed=5)
    with pytest.raises(CommandError, match="already exist"):
        _seed(random_seed=5)
    assert Post.objects.count() == 200


def test_seed_dry_run_describes_the_corpus_and_writes_nothing():
    """--dry-run names the blogs and first posts it would make, and leaves the database alone."""
    output = _seed(dry_run=True)
    first_blog = plan_corpus(CorpusSpec(**SMALL)).blogs[0]
    assert first_blog.name in output
    assert "Nothing was written" in output
    assert not Blog.objects.exists()
    assert not Post.objects.exists()


def test_seed_reuses_tags_that_exist():
    """Tags are shared across the network: a corpus reuses a tag with the same slug."""
    existing = Tag.objects.create(name="Climate adaptation", slug="climate-adaptation")
    _seed()
    assert Tag.objects.filter(slug="climate-adaptation").get() == existing


def test_seed_warns_when_comments_cannot_be_made(monkeypatch):
    """Without the conversations app's seeding module, asking for comments warns clearly."""
    monkeypatch.setattr(
        corpus, "COMMENT_SEEDING", ("despatch.conversations.not_written_yet", "seed_comments")
    )
    output = _seed(posts=10, comments_per_post=2)
    assert "No comments were made" in output
    assert Post.objects.count() == 10


def test_seed_warns_when_the_search_index_cannot_be_filled(monkeypatch):
    """Without the search app's bulk indexing, the seed says the posts are not searchable."""
    monkeypatch.setattr(corpus, "SEARCH_INDEXING", ("despatch.search.not_written_yet", "index"))
    output = _seed(posts=10)
    assert "not in the search index" in output


def test_seed_adds_comments_through_the_conversations_app():
    """With the conversations app's seeding module, every seeded post gets its comments."""
    if optional_function(*COMMENT_SEEDING) is None:
        pytest.skip("the conversations app has no seeding module yet")
    output = _seed(posts=10, comments_per_post=2)
    assert "Added 20 comments" in output
    assert set(Post.objects.values_list("approved_comment_count", flat=True)) == {2}


def test_hooks_find_only_modules_that_exist():
    """An optional contribution is ``None`` while its module does not exist."""
    assert optional_function("despatch.conversations.not_written_yet", "anything") is None
    assert optional_function("despatch.demo.prose", "title") is prose.title


def test_corpus_spec_rejects_impossible_requests():
    """More tags per post than tags, or no blogs, are refused before anything is written."""
    with pytest.raises(ValueError, match="distinct tags"):
        CorpusSpec(blogs=1, posts=1, tags=2, tags_per_post=3)
    with pytest.raises(ValueError, match="at least one blog"):
        CorpusSpec(blogs=0, posts=1)


def test_tag_names_are_distinct_and_have_distinct_slugs():
    """Up to every tag the vocabulary can make, names and their slugs never collide."""
    from django.utils.text import slugify

    names = prose.tag_names(500)
    assert len(set(names)) == 500
    assert len({slugify(name) for name in names}) == 500
