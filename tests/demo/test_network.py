"""The demo network: the product's shop window, with every kind of content it can show."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import resolve
from django.utils import timezone

from despatch.blogs.models import AuthorProfile, Blog, HistoricalPeriod
from despatch.demo.network import AUTHOR_SPECS, BLOGS, build_demo_network, read_post_files
from despatch.posts.models import ArchiveMonth, Post, TagUsage

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo network, built once for this module inside a transaction rolled back at its end.

    Building it takes seconds; each test still runs in its own savepoint, so
    nothing a test does leaks into the next, and nothing leaks out of the module.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo_network()
        transaction.set_rollback(True)


def test_every_content_file_names_a_known_author_of_its_blog():
    """Each post file parses, and its author writes for the blog it sits in."""
    for blog in BLOGS:
        files = read_post_files(blog.slug)
        assert files, blog.slug
        for source in files:
            assert source.title and source.body, source.path
            assert source.fields["author"] in blog.authors, source.path
            assert source.tags, source.path


def test_demo_network_has_the_blogs_a_diplomatic_network_needs(demo):
    """Digital team, roving envoy, a French and an Arabic embassy, rights, and a historical blog."""
    blogs = {blog.slug: blog for blog in Blog.objects.all()}
    assert len(blogs) >= 6
    assert blogs["digital-diplomacy"].name == "Digital diplomacy"
    assert blogs["carnets-de-dakar"].language == "fr"
    assert blogs["from-amman"].language == "ar"
    assert blogs["from-amman"].direction == "rtl"
    assert blogs["letters-from-geneva"].is_historical
    assert blogs["letters-from-geneva"].historical_note
    assert HistoricalPeriod.objects.exists()
    for blog in blogs.values():
        assert blog.top_image_alt
        assert (blog.top_image_width, blog.top_image_height) == (1600, 500)
        assert blog.authors.exists()


def test_demo_authors_have_signatures_biographies_photos_and_links(demo):
    """Ten or more authors, each with a job title, a location, a biography and a photo."""
    authors = AuthorProfile.objects.all()
    assert authors.count() >= 10
    for author in authors:
        assert author.job_title and author.location and author.biography
        assert author.photo and author.photo_width == author.photo_height
    assert authors.exclude(fediverse_handle="").count() >= 3
    assert all(
        handle.endswith(".example")
        for handle in authors.exclude(fediverse_handle="").values_list(
            "fediverse_handle", flat=True
        )
    )


def test_demo_posts_span_the_last_eighteen_months(demo):
    """At least 45 live posts in the last 18 months, over at least 15 distinct months."""
    since = timezone.now() - timedelta(days=548)
    recent = Post.objects.published().filter(published_at__gte=since)
    assert recent.count() >= 45
    months = {(post.published_at.year, post.published_at.month) for post in recent}
    assert len(months) >= 15
    assert Post.objects.filter(status=Post.Status.DRAFT).exists()
    scheduled = Post.objects.get(status=Post.Status.SCHEDULED)
    assert scheduled.published_at > timezone.now()
    assert demo.posts == Post.objects.count()


def test_demo_has_posts_in_french_arabic_and_other_languages(demo):
    """Whole blogs in French and Arabic, and single posts in Spanish and Russian."""
    languages = {post.content_language for post in Post.objects.select_related("blog")}
    assert {"en", "fr", "ar", "es", "ru"} <= languages
    arabic = Post.objects.filter(blog__slug="from-amman").first()
    assert arabic.direction == "rtl"
    assert re.search("[\u0600-\u06ff]", arabic.title)


def test_demo_video_post_embeds_privately_with_a_full_transcript(demo):
    """One post has a YouTube video, embedded without cookies, with a multi-paragraph transcript."""
    post = Post.objects.get(slug="every-video-gets-a-transcript")
    assert "https://www.youtube-nocookie.com/embed/" in post.body_html
    transcript = post.body_html.split('<details class="transcript">', 1)[1].split("</details>")[0]
    assert transcript.count("<p>") >= 5


def test_demo_shows_every_kind_of_rich_content(demo):
    """Headings, lists, links, a table, footnotes, attributed quotes and a pull quote."""
    html = "".join(Post.objects.values_list("body_html", flat=True))
    for fragment in (
        "<h2>",
        "<ul>",
        "<ol>",
        "<table>",
        'class="footnotes',
        '<figure class="quote">',
        "<figcaption>",
        '<aside class="pull-quote">',
        'rel="noopener nofollow"',
    ):
        assert fragment in html, fragment


def test_demo_links_between_posts_lead_to_real_post_pages(demo):
    """``post:`` links in the content files become the permalinks of the posts they name."""
    live = {post.get_absolute_url() for post in Post.objects.published().select_related("blog")}
    links = re.findall(
        r'href="(/[^"]+/\d{4}/\d{2}/[^"]+/)"',
        "".join(Post.objects.values_list("body_html", flat=True)),
    )
    assert links
    for link in links:
        assert resolve(link).url_name == "post"
        assert link in live


def test_demo_best_bits_are_chosen_and_ordered_for_the_network_and_each_blog(demo):
    """Editors' picks: an ordered list for the network and for every blog."""
    network = list(
        Post.objects.network_best_bits().values_list("network_best_bit_order", flat=True)
    )
    assert len(network) >= 5
    assert network == sorted(network)
    for blog in Blog.objects.all():
        orders = list(
            Post.objects.best_bits().filter(blog=blog).values_list("best_bit_order", flat=True)
        )
        assert orders and orders == sorted(orders), blog.slug


def test_demo_keeps_the_signature_a_post_was_published_under(demo):
    """R10: posts written before the envoy's change of job keep the old job title."""
    spec = AUTHOR_SPECS["catriona-mackay"]
    posts = Post.objects.filter(author__slug="catriona-mackay").order_by("published_at")
    titles = [post.author_job_title for post in posts]
    assert titles[0] == spec.earlier.job_title
    assert titles[-1] == spec.job_title == posts[0].author.job_title
    assert posts[0].author_job_title != posts[0].author.job_title


def test_demo_tag_clouds_and_archives_are_counted(demo):
    """Tags are shared across blogs, and the derived counts exist for every blog."""
    assert TagUsage.objects.values("tag").distinct().count() < TagUsage.objects.count()
    for blog in Blog.objects.all():
        assert TagUsage.objects.filter(blog=blog).exists(), blog.slug
        assert ArchiveMonth.objects.filter(blog=blog).exists(), blog.slug
