"""Feed links for page templates: autodiscovery in ``<head>`` and a visible subscribe block.

Both tags build their links from the objects the page already holds, so they
cost no database query.
"""

from __future__ import annotations

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from despatch.blogs.models import AuthorProfile, Blog
from despatch.posts.models import Post, Tag

from ..links import feeds_for_page, main_feeds

register = template.Library()


@register.simple_tag
def feed_autodiscovery(
    blog: Blog | None = None,
    author: AuthorProfile | None = None,
    tag: Tag | None = None,
    post: Post | None = None,
) -> SafeString:
    """``<link rel="alternate">`` tags for every feed that applies to the page.

    Feed readers and browser extensions find a site's feeds through these; the
    page's own subject comes first because readers offer the first one.
    """
    # Plain string building: this runs on every page, and format_html() per link
    # costs more than the rest of the tag together.
    return mark_safe(
        "\n".join(
            f'<link rel="alternate" type="{link.media_type}" '
            f'title="{escape(link.title)}" href="{escape(link.url)}">'
            for link in feeds_for_page(blog=blog, author=author, tag=tag, post=post)
        )
    )


@register.simple_tag
def feed_subscribe_links(
    blog: Blog | None = None,
    author: AuthorProfile | None = None,
    tag: Tag | None = None,
    post: Post | None = None,
) -> SafeString:
    """A small visible block linking the page's main feed in RSS, Atom and JSON Feed.

    The last link leads to the feeds page, which says what a feed is.
    """
    items = "".join(
        f'<li><a href="{escape(link.path)}" type="{link.media_type}" '
        f'title="{escape(link.title)}">{escape(link.format.link_text)}</a></li>'
        for link in main_feeds(blog=blog, author=author, tag=tag, post=post)
    )
    about = f'<li><a href="{reverse("feeds:about")}">{escape(_("What is a feed?"))}</a></li>'
    title = escape(_("Follow in a feed reader"))
    return mark_safe(
        f'<div class="feed-links"><p class="feed-links__title">{title}</p>'
        f"<ul>{items}{about}</ul></div>"
    )
