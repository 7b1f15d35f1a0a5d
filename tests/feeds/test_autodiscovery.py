"""Feed links on pages: autodiscovery in <head> and the visible subscribe block, free of queries."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template

from .conftest import Network

pytestmark = pytest.mark.django_db

ALTERNATE = re.compile(r'<link rel="alternate" type="([^"]+)" title="([^"]+)" href="([^"]+)">')


def render(source: str, **context) -> str:
    return Template("{% load feeds %}" + source).render(Context(context))


def test_every_page_advertises_the_network_feeds(django_assert_num_queries):
    """With no subject, a page offers the network's RSS, Atom and JSON feeds, absolutely."""
    with django_assert_num_queries(0):
        output = render("{% feed_autodiscovery %}")
    assert ALTERNATE.findall(output) == [
        ("application/rss+xml", "Global conversations (RSS)", "http://127.0.0.1:8000/feeds/rss/"),
        (
            "application/atom+xml",
            "Global conversations (Atom)",
            "http://127.0.0.1:8000/feeds/atom/",
        ),
        (
            "application/feed+json",
            "Global conversations (JSON Feed)",
            "http://127.0.0.1:8000/feeds/json/",
        ),
    ]


def test_a_blog_page_leads_with_the_blogs_feeds(network: Network, django_assert_num_queries):
    """Readers pick the first feed, so on a blog's pages the blog's own feed comes first."""
    with django_assert_num_queries(0):
        output = render("{% feed_autodiscovery blog=blog %}", blog=network.blog)
    hrefs = [href for _type, _title, href in ALTERNATE.findall(output)]
    assert hrefs[0] == "http://127.0.0.1:8000/feeds/digital/rss/"
    assert "http://127.0.0.1:8000/feeds/rss/" in hrefs
    assert "http://127.0.0.1:8000/feeds/digital/comments/atom/" in hrefs


def test_a_post_page_offers_its_blog_and_its_comments(network: Network, django_assert_num_queries):
    """A post's page finds its blog through the post and adds the post's comment feeds."""
    post = network.video
    with django_assert_num_queries(0):
        output = render("{% feed_autodiscovery post=post %}", post=post)
    hrefs = [href for _type, _title, href in ALTERNATE.findall(output)]
    published = post.published_at
    assert hrefs[0] == "http://127.0.0.1:8000/feeds/digital/rss/"
    assert (
        f"http://127.0.0.1:8000/feeds/digital/{published:%Y}/{published:%m}/video/comments/json/"
        in hrefs
    )
    titles = [title for _type, title, _href in ALTERNATE.findall(output)]
    assert "Comments on “The treaty on video” (Atom)" in titles


def test_author_and_tag_pages_lead_with_their_feeds(network: Network, django_assert_num_queries):
    """Author and tag pages offer their own feeds before the network's."""
    with django_assert_num_queries(0):
        author = render("{% feed_autodiscovery author=author %}", author=network.author)
        tag = render("{% feed_autodiscovery tag=tag %}", tag=network.tag)
    assert ALTERNATE.findall(author)[0][1:] == (
        "Posts by Jane Marriott (RSS)",
        "http://127.0.0.1:8000/feeds/authors/jane-marriott/rss/",
    )
    assert ALTERNATE.findall(tag)[0][1:] == (
        "Posts tagged “Arms Trade Treaty” (RSS)",
        "http://127.0.0.1:8000/feeds/tags/arms-trade-treaty/rss/",
    )


def test_names_with_markup_are_escaped_in_link_titles(network: Network):
    """A blog named with angle brackets or quotes cannot break out of the attribute."""
    network.blog.name = 'Blog "<script>'
    output = render("{% feed_autodiscovery blog=blog %}", blog=network.blog)
    assert "<script>" not in output
    assert "Blog &quot;&lt;script&gt; (RSS)" in output


def test_the_subscribe_block_links_each_format(network: Network, django_assert_num_queries):
    """The visible block is a list of three links: RSS, Atom and JSON Feed of the main feed."""
    with django_assert_num_queries(0):
        output = render("{% feed_subscribe_links blog=blog %}", blog=network.blog)
    links = re.findall(r'<a href="([^"]+)" type="([^"]+)"[^>]*>([^<]+)</a>', output)
    assert links == [
        ("/feeds/digital/rss/", "application/rss+xml", "RSS feed"),
        ("/feeds/digital/atom/", "application/atom+xml", "Atom feed"),
        ("/feeds/digital/json/", "application/feed+json", "JSON Feed"),
    ]
    assert output.count("<ul>") == 1


def test_the_subscribe_block_defaults_to_the_network(django_assert_num_queries):
    """Without a subject, the block offers the network's feeds."""
    with django_assert_num_queries(0):
        output = render("{% feed_subscribe_links %}")
    assert 'href="/feeds/rss/"' in output


def test_pages_carry_autodiscovery_links(client, network: Network):
    """The site's pages include the autodiscovery links in their <head>."""
    response = client.get(network.blog.get_absolute_url())
    assert response.status_code == 200
    head = response.content.decode().split("</head>")[0]
    assert 'href="http://127.0.0.1:8000/feeds/digital/rss/"' in head


def test_the_feeds_page_lists_every_feed_in_plain_html(client, network: Network):
    """A page any browser shows lists the network's and each blog's feed addresses."""
    response = client.get("/feeds/about/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<code>http://127.0.0.1:8000/feeds/rss/</code>" in page
    assert "<code>http://127.0.0.1:8000/feeds/digital/atom/</code>" in page
    assert "<code>http://127.0.0.1:8000/feeds/arabic/comments/json/</code>" in page


def test_the_subscribe_block_explains_feeds():
    """Next to the feed links, the block links to the page that says what a feed is."""
    assert '<a href="/feeds/about/">What is a feed?</a>' in render("{% feed_subscribe_links %}")
