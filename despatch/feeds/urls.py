"""Feed addresses: ``/feeds/<scope>/<format>/``, one name per scope and format.

Names follow ``<scope>-<format>``, e.g. ``feeds:blog-atom`` or
``feeds:post-comments-json``. Fixed prefixes (``authors/``, ``tags/``) come
before a blog's slug, which the blogs app already keeps from clashing with them.
"""

from __future__ import annotations

from django.urls import URLPattern, path

# The post permalink converters (<yyyy:…>, <mm:…>) are registered by the posts
# app's URLconf; importing it makes sure they exist before the patterns below.
import despatch.posts.urls  # noqa: F401

from . import feeds, views
from .formats import FeedFormat

app_name = "feeds"


def each_format(route: str, feed_class: type[feeds.DespatchFeed], name: str) -> list[URLPattern]:
    """The three addresses of one feed: ``<route>rss/``, ``<route>atom/`` and ``<route>json/``."""
    return [
        path(f"{route}{feed_format}/", feed_class(feed_format), name=f"{name}-{feed_format}")
        for feed_format in FeedFormat
    ]


urlpatterns = [
    path("about/", views.about_feeds, name="about"),
    path("style.xsl", views.stylesheet, name="stylesheet"),
    *each_format("", feeds.NetworkPostFeed, "network"),
    *each_format("authors/<slug:author_slug>/", feeds.AuthorPostFeed, "author"),
    *each_format("tags/<str:tag_slug>/", feeds.TagPostFeed, "tag"),
    *each_format("<slug:blog_slug>/", feeds.BlogPostFeed, "blog"),
    *each_format("<slug:blog_slug>/comments/", feeds.BlogCommentFeed, "blog-comments"),
    *each_format(
        "<slug:blog_slug>/<yyyy:year>/<mm:month>/<str:slug>/comments/",
        feeds.PostCommentFeed,
        "post-comments",
    ),
]
