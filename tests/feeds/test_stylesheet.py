"""The page people see when they open a feed in a browser: an XSLT stylesheet."""

from __future__ import annotations

import pytest
from lxml import etree

from .conftest import HOSTILE_TITLE, Network, feed_path

pytestmark = pytest.mark.django_db


def transform(client, path: str) -> str:
    """Apply the stylesheet a feed names to the feed, as a browser does."""
    feed = etree.fromstring(client.get(path).content)
    instruction = feed.getprevious()
    assert isinstance(instruction, etree._XSLTProcessingInstruction)
    assert instruction.get("type") == "text/xsl"
    stylesheet = client.get(instruction.get("href"))
    assert stylesheet.status_code == 200
    assert stylesheet["Content-Type"].startswith("text/xsl")
    page = etree.XSLT(etree.fromstring(stylesheet.content))(feed)
    return str(page)


@pytest.mark.parametrize("feed_format", ["rss", "atom"])
def test_opening_a_feed_in_a_browser_shows_a_readable_page(client, network: Network, feed_format):
    """The page explains feeds, gives the address to copy and lists the entries by title."""
    page = transform(client, feed_path("blog", feed_format, blog_slug=network.blog.slug))
    assert page.startswith("<!DOCTYPE html")
    assert "This is a web feed" in page
    assert f"http://127.0.0.1:8000/feeds/digital/{feed_format}/" in page
    assert "The treaty on video" in page
    assert 'href="http://127.0.0.1:8000/digital/"' in page


@pytest.mark.parametrize("feed_format", ["rss", "atom"])
def test_the_page_shows_titles_as_text_never_as_markup(client, network: Network, feed_format):
    """A title with angle brackets is shown as written; nothing in it becomes an element."""
    page = transform(client, feed_path("blog", feed_format, blog_slug=network.blog.slug))
    assert "<script>" not in page
    visible_title = HOSTILE_TITLE.replace("\x0b", "").replace("&", "&amp;").replace("<", "&lt;")
    assert visible_title.replace(">", "&gt;") in page


def test_right_to_left_feeds_mark_their_language(client, network: Network):
    """Arabic entries are marked lang="ar" so browsers lay them out right to left."""
    page = transform(client, feed_path("blog", "atom", blog_slug=network.arabic_blog.slug))
    assert 'lang="ar"' in page and 'dir="auto"' in page


def test_the_json_feed_names_no_stylesheet(client, network: Network):
    """JSON has no stylesheets; JSON Feed readers need none."""
    assert b"xml-stylesheet" not in client.get(feed_path("network", "json")).content
