"""Feed links for page templates: autodiscovery in ``<head>`` and a visible subscribe block.

Both tags build their links from the objects the page already holds, so they
cost no database query, and keep what they build as a fragment filed under the
keys of those objects (their names and addresses are in the links).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from despatch.blogs.cache_keys import AUTHORS, BLOGS
from despatch.blogs.models import AuthorProfile, Blog
from despatch.core.fragments import cached_fragment
from despatch.posts import cache_keys
from despatch.posts.models import Post, Tag

from ..links import feeds_for_page, main_feeds

register = template.Library()


def _kept(
    context: template.Context,
    part: str,
    render: Callable[[], str],
    *,
    blog: Blog | None,
    author: AuthorProfile | None,
    tag: Tag | None,
    post: Post | None,
) -> SafeString:
    # A post's links name its blog (and its own title); the others name themselves.
    keys = {
        *([BLOGS] if blog is not None or post is not None else []),
        *([AUTHORS] if author is not None else []),
        *([cache_keys.TAGS] if tag is not None else []),
        *([cache_keys.post_key(post.pk)] if post is not None else []),
    }
    subjects = {"blog": blog, "author": author, "tag": tag, "post": post}
    name = ",".join(f"{kind}={subject.pk}" for kind, subject in subjects.items() if subject)
    html = cached_fragment(
        context.get("request"), name=f"feeds-{part}:{name}", keys=keys, render=render
    )
    return mark_safe(html)  # every text in it escaped where it was built


@register.simple_tag(takes_context=True)
def feed_autodiscovery(
    context: template.Context,
    blog: Blog | None = None,
    author: AuthorProfile | None = None,
    tag: Tag | None = None,
    post: Post | None = None,
) -> SafeString:
    """``<link rel="alternate">`` tags for every feed that applies to the page.

    Feed readers and browser extensions find a site's feeds through these; the
    page's own subject comes first because readers offer the first one.
    """

    def render() -> str:
        return "\n".join(
            f'<link rel="alternate" type="{link.media_type}" '
            f'title="{escape(link.title)}" href="{escape(link.url)}">'
            for link in feeds_for_page(blog=blog, author=author, tag=tag, post=post)
        )

    return _kept(context, "autodiscovery", render, blog=blog, author=author, tag=tag, post=post)


@register.simple_tag(takes_context=True)
def feed_subscribe_links(
    context: template.Context,
    blog: Blog | None = None,
    author: AuthorProfile | None = None,
    tag: Tag | None = None,
    post: Post | None = None,
) -> SafeString:
    """A small visible block linking the page's main feed in RSS, Atom and JSON Feed.

    The last link leads to the feeds page, which says what a feed is.
    """

    def render() -> str:
        items = "".join(
            f'<li><a href="{escape(link.path)}" type="{link.media_type}" '
            f'title="{escape(link.title)}">{escape(link.format.link_text)}</a></li>'
            for link in main_feeds(blog=blog, author=author, tag=tag, post=post)
        )
        about = f'<li><a href="{reverse("feeds:about")}">{escape(_("What is a feed?"))}</a></li>'
        title = escape(_("Follow in a feed reader"))
        return (
            f'<div class="feed-links"><p class="feed-links__title">{title}</p>'
            f"<ul>{items}{about}</ul></div>"
        )

    return _kept(context, "subscribe", render, blog=blog, author=author, tag=tag, post=post)
