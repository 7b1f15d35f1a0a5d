"""Which feeds exist for a page's subject, and where they live.

One place answers "what feeds does this blog / author / tag / post have?", for
autodiscovery links, the visible subscribe block and WebSub notifications
alike. Nothing here queries the database: callers pass the objects they have.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext as _

from despatch.blogs.models import AuthorProfile, Blog
from despatch.posts.models import Post, Tag

from .formats import FeedFormat


@dataclass(frozen=True)
class FeedLink:
    """One feed in one format, e.g. the Atom feed of a blog."""

    subject: str
    format: FeedFormat
    path: str

    @property
    def url(self) -> str:
        return settings.SITE_URL + self.path

    @property
    def media_type(self) -> str:
        return self.format.media_type

    @property
    def title(self) -> str:
        return f"{self.subject} ({self.format.label})"


@lru_cache(maxsize=4096)
def _feed_prefix(
    name: str, kwargs: tuple[tuple[str, str], ...], script_prefix: str, urlconf: str | None
) -> str:
    # A feed's formats differ only in their last path segment (``urls.each_format``),
    # so one ``reverse()`` serves all three. Pages build a dozen of these links each,
    # and the same ones again and again, so the answers are remembered; the script
    # prefix and URLconf are part of the key because ``reverse()`` depends on them.
    rss_path = reverse(f"feeds:{name}-{FeedFormat.RSS}", kwargs=dict(kwargs), urlconf=urlconf)
    return rss_path.removesuffix(f"{FeedFormat.RSS}/")


def _links(subject: str, name: str, **kwargs: str) -> list[FeedLink]:
    prefix = _feed_prefix(name, tuple(sorted(kwargs.items())), get_script_prefix(), get_urlconf())
    return [FeedLink(subject, feed_format, f"{prefix}{feed_format}/") for feed_format in FeedFormat]


def network_feeds() -> list[FeedLink]:
    return _links(settings.NETWORK_NAME, "network")


def blog_feeds(blog: Blog) -> list[FeedLink]:
    return _links(blog.name, "blog", blog_slug=blog.slug)


def author_feeds(author: AuthorProfile) -> list[FeedLink]:
    return _links(
        _("Posts by %(author)s") % {"author": author.display_name},
        "author",
        author_slug=author.slug,
    )


def tag_feeds(tag: Tag) -> list[FeedLink]:
    return _links(_("Posts tagged “%(tag)s”") % {"tag": tag.name}, "tag", tag_slug=tag.slug)


def blog_comment_feeds(blog: Blog) -> list[FeedLink]:
    return _links(
        _("Comments on %(blog)s") % {"blog": blog.name}, "blog-comments", blog_slug=blog.slug
    )


def post_comment_feeds(post: Post) -> list[FeedLink]:
    """The comment feeds of a live post; ``post.blog`` should already be loaded."""
    published = post.published_at
    if published is None:
        return []
    return _links(
        _("Comments on “%(post)s”") % {"post": post.title},
        "post-comments",
        blog_slug=post.blog.slug,
        year=f"{published.year:04d}",
        month=f"{published.month:02d}",
        slug=post.slug,
    )


def feeds_for_page(
    *,
    blog: Blog | None = None,
    author: AuthorProfile | None = None,
    tag: Tag | None = None,
    post: Post | None = None,
) -> list[FeedLink]:
    """Every feed that applies to a page, the most specific first.

    Feed readers offer the first one by default, so a blog's page leads with
    the blog's feed and the network's follows.
    """
    if post is not None and blog is None:
        blog = post.blog
    links: list[FeedLink] = []
    if tag is not None:
        links += tag_feeds(tag)
    if author is not None:
        links += author_feeds(author)
    if blog is not None:
        links += blog_feeds(blog)
    links += network_feeds()
    if post is not None:
        links += post_comment_feeds(post)
    if blog is not None:
        links += blog_comment_feeds(blog)
    return links


def main_feeds(
    *,
    blog: Blog | None = None,
    author: AuthorProfile | None = None,
    tag: Tag | None = None,
    post: Post | None = None,
) -> list[FeedLink]:
    """The posts feeds a reader of this page most likely wants to follow, in each format."""
    if tag is not None:
        return tag_feeds(tag)
    if author is not None:
        return author_feeds(author)
    if blog is None and post is not None:
        blog = post.blog
    if blog is not None:
        return blog_feeds(blog)
    return network_feeds()


def feeds_showing(post: Post, tags: Iterable[Tag]) -> list[FeedLink]:
    """The posts feeds in which ``post`` appears (or appeared), for WebSub notifications."""
    links = network_feeds() + blog_feeds(post.blog) + author_feeds(post.author)
    for tag in tags:
        links += tag_feeds(tag)
    return links
