"""What every feed carries: valid documents, full content, permanent ids and absolute addresses."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from despatch.feeds.feeds import ITEMS_PER_FEED
from despatch.feeds.formats import FeedFormat
from despatch.posts.models import Post
from despatch.posts.publishing import post_unpublish
from tests.factories import make_blog, make_post

from .conftest import (
    ARABIC_TITLE,
    HOSTILE_TITLE,
    Entry,
    Network,
    all_feed_paths,
    feed_path,
    make_comment,
    parse,
    parse_json,
    post_comment_kwargs,
    read_entries,
    validate_json_feed,
)

pytestmark = pytest.mark.django_db

XML_FORMATS = [FeedFormat.RSS, FeedFormat.ATOM]


def _entry_for(entries: list[Entry], post: Post) -> Entry:
    matches = [entry for entry in entries if entry.link.endswith(post.get_absolute_url())]
    assert len(matches) == 1, [entry.link for entry in entries]
    return matches[0]


def test_every_feed_parses_without_errors(client, network: Network):
    """All eighteen kinds of feed (six scopes, three formats) parse cleanly with real content."""
    make_comment(network.hostile, body="A comment with <script>alert(1)</script> & Arabic: شكرا")
    make_comment(network.arabic, author_name="قارئ", body="تعليق باللغة العربية")
    for path in all_feed_paths(network):
        if path.endswith("/json/"):
            validate_json_feed(parse_json(client, path))
            continue
        parsed = parse(client, path)
        assert parsed.version in {"rss20", "atom10"}, path
        assert parsed.feed.title and parsed.feed.link, path
        assert parsed.entries, path
        for entry in parsed.entries:
            assert entry.get("title") and entry.get("link") and entry.get("id"), path
            assert entry.get("published_parsed") or entry.get("updated_parsed"), path


def test_each_format_is_what_it_claims(client, network: Network):
    """The addresses serve RSS 2.0, Atom 1.0 and JSON Feed 1.1 respectively."""
    assert parse(client, feed_path("network", "rss")).version == "rss20"
    assert parse(client, feed_path("network", "atom")).version == "atom10"
    assert parse_json(client, feed_path("network", "json"))["version"] == (
        "https://jsonfeed.org/version/1.1"
    )


@pytest.mark.parametrize("feed_format", list(FeedFormat))
def test_entries_carry_full_content_summary_author_and_categories(
    client, network: Network, feed_format: FeedFormat
):
    """Readers get the whole sanitised post, a plain summary, the author and the tags."""
    entry = _entry_for(read_entries(client, feed_path("network", feed_format)), network.video)
    assert "The treaty explained" in entry.content
    assert "Good morning." in entry.content  # the transcript travels with the video
    assert entry.summary.startswith("Our ambassador on the treaty")
    assert "<" not in entry.summary
    assert entry.author == "Jane Marriott"
    assert sorted(entry.tags) == ["Arms Trade Treaty", "Video"]


@pytest.mark.parametrize("feed_format", list(FeedFormat))
def test_hostile_markup_arrives_neutralised_and_the_title_intact(
    client, network: Network, feed_format: FeedFormat
):
    """Scripts, handlers and control characters never reach readers; the title reads as written."""
    entries = read_entries(client, feed_path("blog", feed_format, blog_slug=network.blog.slug))
    entry = _entry_for(entries, network.hostile)
    assert entry.title == HOSTILE_TITLE.replace("\x0b", "")
    for forbidden in ("<script", "onerror", "onmouseover", "javascript:", "evil.example", "\x1b"):
        assert forbidden not in entry.content
    assert "<b>bold</b>" in entry.content and "]]&gt;" in entry.content


def test_rss_titles_are_escaped_for_readers_that_treat_them_as_html(client, network: Network):
    """RSS readers render titles as HTML, so a title's own angle brackets arrive escaped."""
    raw = client.get(feed_path("network", "rss")).content.decode()
    assert "<title>UK &amp;amp; France &amp;lt;script&amp;gt;" in raw


def test_rtl_posts_declare_their_language(client, network: Network):
    """An Arabic post says so: xml:lang in Atom, dc:language in RSS, language in JSON Feed."""
    arabic_path = {"blog_slug": network.arabic_blog.slug}
    atom = parse(client, feed_path("blog", "atom", **arabic_path))
    assert atom.feed.language == "ar"
    entry = _entry_for(
        read_entries(client, feed_path("blog", "atom", **arabic_path)), network.arabic
    )
    assert entry.title == ARABIC_TITLE
    assert entry.language == "ar"

    rss_raw = client.get(feed_path("blog", "rss", **arabic_path)).content.decode()
    assert "<language>ar</language>" in rss_raw and "<dc:language>ar</dc:language>" in rss_raw

    network_atom = client.get(feed_path("network", "atom")).content.decode()
    assert '<feed xml:lang="en"' in network_atom
    assert '<entry xml:lang="ar">' in network_atom and '<entry xml:lang="en">' in network_atom

    document = parse_json(client, feed_path("blog", "json", **arabic_path))
    assert document["language"] == "ar"
    assert document["items"][0]["language"] == "ar"


@pytest.mark.parametrize("feed_format", list(FeedFormat))
def test_every_address_is_absolute(client, network: Network, feed_format: FeedFormat):
    """Links and media inside content point at the site, not at the feed reader."""
    entries = read_entries(client, feed_path("network", feed_format))
    for post in (network.hostile, network.video, network.arabic):
        entry = _entry_for(entries, post)
        assert entry.link.startswith("http://127.0.0.1:8000/")
        for address in re.findall(r'(?:href|src|poster)="([^"]*)"', entry.content):
            assert address.startswith(("http://", "https://")), (post.slug, address)
    video_content = _entry_for(entries, network.video).content
    assert 'src="http://127.0.0.1:8000/media/video/treaty.mp4"' in video_content
    assert 'poster="http://127.0.0.1:8000/media/video/treaty.jpg"' in video_content
    hostile_content = _entry_for(entries, network.hostile).content
    assert 'href="http://127.0.0.1:8000/relative/page/"' in hostile_content


def test_enclosures_offer_self_hosted_video_and_images(client, network: Network):
    """The video file comes first (RSS has room for one); Atom and JSON Feed list every file."""
    video = "http://127.0.0.1:8000/media/video/treaty.mp4"
    image = "http://127.0.0.1:8000/media/posts/signing.png"

    rss_entry = _entry_for(read_entries(client, feed_path("network", "rss")), network.video)
    assert rss_entry.enclosures == [(video, "video/mp4")]
    every_file = [(video, "video/mp4"), (image, "image/png")]
    for feed_format in ("atom", "json"):
        entry = _entry_for(read_entries(client, feed_path("network", feed_format)), network.video)
        assert entry.enclosures == every_file
    # A YouTube embed is a frame, not a file: it stays in the content only (feedparser
    # drops frames from content, so look at what the site sent).
    raw = client.get(feed_path("network", "atom")).content.decode()
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ" in raw


def test_enclosure_length_is_the_real_file_size_when_the_file_is_ours(
    client, network: Network, settings, tmp_path
):
    """Files in our own media storage are measured, as RSS asks; others say 0 (unknown)."""
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "video").mkdir()
    (tmp_path / "video" / "treaty.mp4").write_bytes(b"\0" * 1234)
    rss_entry = parse(client, feed_path("network", "rss")).entries[0]
    assert rss_entry.link.endswith("/video/")
    assert rss_entry.enclosures[0].length == "1234"


@pytest.mark.parametrize("feed_format", list(FeedFormat))
def test_entry_ids_survive_edits_moves_and_renames(
    client, network: Network, feed_format: FeedFormat
):
    """An entry's id never changes, so readers never show an edited post as a new one."""
    post = network.video
    path = feed_path("author", feed_format, author_slug=network.author.slug)
    before = _entry_for(read_entries(client, path), post).id
    assert before.startswith("tag:127.0.0.1,")
    assert before.endswith(f":post/{post.pk}")

    post.title = "A new title"
    post.slug = "a-new-slug"
    post.body_source = "Rewritten entirely."
    post.blog = make_blog(slug="another-blog")
    post.save()
    assert _entry_for(read_entries(client, path), post).id == before


def test_entry_ids_use_the_configured_naming_authority(client, network: Network, settings):
    """The id's authority is a setting, so a site that changes domain keeps its ids."""
    settings.FEEDS_ID_AUTHORITY = "blogs.example.gov"
    entry = _entry_for(read_entries(client, feed_path("network", "atom")), network.video)
    created = network.video.created_at.astimezone(UTC)
    assert entry.id == f"tag:blogs.example.gov,{created:%Y-%m-%d}:post/{network.video.pk}"


def test_feeds_hold_the_twenty_newest_posts(client, db):
    """A feed holds the 20 newest live posts; drafts and future posts stay out."""
    blog = make_blog()
    posts = [
        make_post(blog=blog, published_at=timezone.now() - timedelta(hours=hour))
        for hour in range(1, 26)
    ]
    make_post(blog=blog, status=Post.Status.DRAFT)
    make_post(
        blog=blog,
        status=Post.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(days=1),
    )
    parsed = parse(client, feed_path("blog", "atom", blog_slug=blog.slug))
    assert len(parsed.entries) == ITEMS_PER_FEED
    expected = [post.get_absolute_url() for post in posts[:ITEMS_PER_FEED]]
    assert [entry.link.removeprefix("http://127.0.0.1:8000") for entry in parsed.entries] == (
        expected
    )


def test_scoped_feeds_hold_only_their_scope(client, network: Network):
    """A blog's feed has the blog's posts, a tag's the tagged posts, an author's their posts."""
    other = make_post(title="Elsewhere")
    blog_links = {
        e.link for e in parse(client, feed_path("blog", "rss", blog_slug="digital")).entries
    }
    assert blog_links == {
        f"http://127.0.0.1:8000{p.get_absolute_url()}" for p in (network.hostile, network.video)
    }
    tag_path = feed_path("tag", "rss", tag_slug=network.tag.slug)
    assert len(parse(client, tag_path).entries) == 3
    author_path = feed_path("author", "rss", author_slug=network.author.slug)
    assert other.get_absolute_url() not in {e.link for e in parse(client, author_path).entries}


def test_an_unpublished_post_leaves_every_feed(client, network: Network):
    """Taking a post down removes it from the feeds at once."""
    post_unpublish(post=network.video)
    for path in (feed_path("network", "rss"), feed_path("blog", "json", blog_slug="digital")):
        assert "/video/" not in client.get(path).content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/no-such-blog/rss/",
        "/feeds/authors/nobody/atom/",
        "/feeds/tags/nothing/json/",
        "/feeds/no-such-blog/comments/rss/",
        "/feeds/digital/2020/01/no-such-post/comments/rss/",
    ],
)
def test_unknown_subjects_are_not_found(client, network: Network, path: str):
    """A feed for a blog, author, tag or post that does not exist is a 404, not an empty feed."""
    assert client.get(path).status_code == 404


def test_an_unpublished_posts_comment_feed_is_not_found(client, network: Network):
    """Comments under a post that has been taken down are not syndicated."""
    kwargs = post_comment_kwargs(network.video)
    post_unpublish(post=network.video)
    assert client.get(feed_path("post-comments", "rss", **kwargs)).status_code == 404


def test_feeds_only_answer_reads(client, network: Network):
    """Feeds are read-only: anything but GET and HEAD is refused."""
    assert client.post(feed_path("network", "rss")).status_code == 405
    assert client.head(feed_path("network", "rss")).status_code == 200


def test_feed_level_links_are_absolute_and_self_referencing(client, network: Network):
    """Each feed names its own address (rel=self) and the page it follows, absolutely."""
    path = feed_path("blog", "atom", blog_slug="digital")
    parsed = parse(client, path)
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["self"] == f"http://127.0.0.1:8000{path}"
    assert links["alternate"] == "http://127.0.0.1:8000/digital/"
    assert parsed.feed.id == f"http://127.0.0.1:8000{path}"
