"""The public reading pages render what readers need, and refuse what does not exist."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from despatch.blogs.models import HistoricalPeriod
from despatch.posts.models import Post
from despatch.posts.sitemaps import PostSitemap
from tests.factories import days_ago, make_author, make_blog, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    author = make_author(display_name="Jane Porter", slug="jane-porter")
    blog = make_blog(name="Digital diplomacy", slug="digital-diplomacy", authors=[author])
    older = make_post(
        blog=blog,
        author=author,
        title="Why we blog",
        tags=["Engagement", "Digital"],
        published_at=days_ago(40),
    )
    newer = make_post(
        blog=blog,
        author=author,
        title="Arms Trade Treaty talks",
        tags=["Arms Trade Treaty", "Engagement"],
        published_at=days_ago(2),
        is_best_bit=True,
    )
    return {"author": author, "blog": blog, "older": older, "newer": newer}


def test_network_home_lists_latest_posts_best_bits_blogs_and_tag_cloud(client, network):
    """R1: the network home shows posts from every blog and the network's sidebar."""
    response = client.get(reverse("posts:network"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Arms Trade Treaty talks") < html.index("Why we blog")
    assert "Best bits" in html
    assert "Digital diplomacy" in html
    assert "Tag cloud" in html
    assert 'class="tag-cloud__tag tag-cloud__tag--5"' in html


def test_blog_home_shows_masthead_authors_and_archive_link(client, network):
    """R2: a blog's home names the blog, its authors and links to its full archive."""
    response = client.get(network["blog"].get_absolute_url())
    html = response.content.decode()
    assert '<h1 class="masthead__name" id="blog-name">Digital diplomacy</h1>' in html
    assert "Jane Porter" in html
    assert "Head of Engagement" in html
    assert "Full archive of blog entries" in html
    assert reverse("posts:blog-archive", kwargs={"blog_slug": "digital-diplomacy"}) in html


def test_post_page_has_signature_share_links_neighbours_and_metadata(client, network):
    """R3/R9: the post page signs, shares, links neighbours and describes itself."""
    post = network["newer"]
    response = client.get(post.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Posted <time" in html and 'by <a href="/authors/jane-porter/">Jane Porter</a>' in html
    for service in (
        "mailto:",
        "mastodonshare.com",
        "bsky.app",
        "x.com",
        "linkedin.com",
        "facebook.com",
    ):
        assert service in html
    assert 'rel="prev"' in html and "Why we blog" in html
    assert '<link rel="canonical" href="http://127.0.0.1:8000' + post.get_absolute_url() in html
    assert '"@type": "BlogPosting"' in html
    assert 'property="og:type" content="article"' in html
    assert "Related posts" in html


def test_post_keeps_signature_from_publication_after_profile_changes(client, network):
    """R10: the job title at publication is shown even after the author moves on."""
    from despatch.posts.publishing import post_publish

    post = make_post(blog=network["blog"], author=network["author"], status=Post.Status.DRAFT)
    post_publish(post=post, at=days_ago(1))
    network["author"].job_title = "Ambassador to Norway"
    network["author"].save()
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Head of Engagement" in html


def test_historical_period_shows_banner_only_on_posts_inside_it(client, network):
    """R10: a date range marked historical puts a banner on the posts inside it."""
    HistoricalPeriod.objects.create(
        starts_on=date.today() - timedelta(days=60),
        ends_on=date.today() - timedelta(days=30),
        note="Published under a previous government.",
    )
    inside = client.get(network["older"].get_absolute_url()).content.decode()
    outside = client.get(network["newer"].get_absolute_url()).content.decode()
    assert "Published under a previous government." in inside
    assert "Published under a previous government." not in outside


def test_drafts_and_future_posts_are_not_public(client, network):
    """Only live posts have a page: drafts and posts scheduled for later are 404."""
    draft = make_post(blog=network["blog"], status=Post.Status.DRAFT, title="Secret draft")
    future = make_post(
        blog=network["blog"],
        status=Post.Status.SCHEDULED,
        title="Tomorrow's news",
        published_at=days_ago(-1),
    )
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(future.get_absolute_url()).status_code == 404
    assert "Secret draft" not in client.get(reverse("posts:network")).content.decode()


def test_scheduled_post_is_live_once_its_time_has_come(client, network):
    """W5 groundwork: a scheduled post whose time has passed is live with no worker."""
    post = make_post(blog=network["blog"], status=Post.Status.SCHEDULED, published_at=days_ago(0))
    assert client.get(post.get_absolute_url()).status_code == 200


def test_author_tag_archive_and_best_bits_pages(client, network):
    """R4–R6: author, tag (network and blog), archive and best bits pages list posts."""
    newer = network["newer"]
    pages = {
        reverse("posts:author", kwargs={"author_slug": "jane-porter"}): "Jane Porter",
        reverse("posts:tag", kwargs={"tag_slug": "engagement"}): "2 posts",
        reverse(
            "posts:blog-tag", kwargs={"blog_slug": "digital-diplomacy", "tag_slug": "engagement"}
        ): "Why we blog",
        reverse("posts:tags"): "Arms Trade Treaty",
        reverse("posts:archive"): str(newer.published_at.year),
        reverse("posts:archive-year", kwargs={"year": newer.published_at.year}): newer.title,
        reverse(
            "posts:archive-month",
            kwargs={"year": newer.published_at.year, "month": newer.published_at.month},
        ): newer.title,
        reverse("posts:best-bits"): newer.title,
        reverse("posts:blog-best-bits", kwargs={"blog_slug": "digital-diplomacy"}): newer.title,
        reverse("blogs:index"): "Digital diplomacy",
        reverse("blogs:authors"): "Jane Porter",
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected in response.content.decode(), url


@pytest.mark.parametrize(
    "url",
    [
        "/no-such-blog/",
        "/digital-diplomacy/2001/01/nothing/",
        "/authors/nobody/",
        "/tags/no-such-tag/",
        "/archive/1999/",
        "/archive/1999/05/",
        "/digital-diplomacy/1999/05/",
        "/digital-diplomacy/2024/13/",
    ],
)
def test_unknown_things_are_the_404_page(client, network, url):
    """Unknown blog, post, author, tag, year or month give the site's own 404 page."""
    response = client.get(url)
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "-1", "0", "1.5", "99999999999", "%00"])
def test_malformed_page_numbers_fall_back_to_the_first_page(client, network, page):
    """A malformed ?page= never causes an error: it shows the first page."""
    response = client.get(reverse("posts:network"), {"page": page})
    assert response.status_code == 200
    assert "Arms Trade Treaty talks" in response.content.decode()


def test_page_past_the_end_is_404(client, network):
    response = client.get(reverse("posts:network"), {"page": 50})
    assert response.status_code == 404


def test_post_language_sets_lang_and_direction(client):
    """L2/R8: an Arabic post is marked lang="ar" dir="rtl" where its text appears."""
    blog = make_blog(name="مدونة السفارة", slug="arabic", language="ar")
    post = make_post(blog=blog, title="الدبلوماسية الرقمية", slug="digital")
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'lang="ar" dir="rtl">الدبلوماسية الرقمية</h1>' in html
    assert 'class="prose" lang="ar" dir="rtl"' in html


def test_sitemap_robots_and_health(client, network):
    """R9/O3: the sitemap lists posts, robots.txt points at it, health reports the database."""
    index = client.get("/sitemap.xml").content.decode()
    assert "<sitemapindex" in index
    for section in ("posts", "blogs", "authors"):
        assert f"http://testserver/sitemap-{section}.xml</loc>" in index
    posts = client.get("/sitemap-posts.xml").content.decode()
    assert network["newer"].get_absolute_url() in posts
    assert network["older"].get_absolute_url() in posts
    assert network["blog"].get_absolute_url() in client.get("/sitemap-blogs.xml").content.decode()
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in robots
    assert client.get("/health/").json()["status"] == "ok"


def test_the_sitemap_index_pages_the_posts_so_no_request_lists_them_all(
    client, network, monkeypatch
):
    """R9: each sitemap page lists at most ``limit`` posts, newest first; the index
    links every page, so a network of any size is listed in bounded requests."""
    monkeypatch.setattr(PostSitemap, "limit", 1)
    index = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/sitemap-posts.xml</loc>" in index
    assert "http://testserver/sitemap-posts.xml?p=2</loc>" in index
    assert "?p=3" not in index
    first = client.get("/sitemap-posts.xml").content.decode()
    second = client.get("/sitemap-posts.xml?p=2").content.decode()
    assert network["newer"].get_absolute_url() in first
    assert network["older"].get_absolute_url() not in first
    assert network["older"].get_absolute_url() in second
    assert client.get("/sitemap-posts.xml?p=3").status_code == 404


def test_pages_send_a_strict_content_security_policy(client, network):
    """Every page forbids inline scripts and foreign frames other than video players."""
    response = client.get(network["newer"].get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "style-src 'self' 'sha256-" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"


def test_time_elements_carry_valid_machine_datetimes(client, network):
    """HTML allows at most milliseconds in ``datetime``; stored times have microseconds."""
    import re

    html = client.get(network["newer"].get_absolute_url()).content.decode()
    values = re.findall(r'<time[^>]*datetime="([^"]+)"', html)
    assert values
    for value in values:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", value), value
