"""The feeds app's pages for people: what feeds are, and the stylesheet that presents one."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from despatch.blogs.models import Blog

from .links import FeedLink, blog_comment_feeds, blog_feeds, network_feeds


@require_safe
@cache_control(public=True, max_age=24 * 60 * 60)
def stylesheet(request: HttpRequest) -> HttpResponse:
    """The XSLT stylesheet named in every RSS and Atom feed.

    A person who follows a "RSS feed" link lands on raw XML; browsers apply this
    stylesheet to turn it into a page that says what a feed is, how to follow
    it, and what it currently holds. Feed readers ignore it. It is a template
    rather than a static file so that its words are translated and the page's
    CSS address comes from the static files storage.
    """
    return HttpResponse(
        render_to_string("feeds/feed.xsl"),
        content_type="text/xsl; charset=utf-8",
    )


@require_safe
def about_feeds(request: HttpRequest) -> HttpResponse:
    """A plain page listing the network's feeds and every blog's, and saying what feeds are.

    The XSLT stylesheet only helps in browsers that still apply XSLT (Chromium
    is removing it), so the visible feed links also lead here: a page any
    browser shows, from which the feed addresses can be copied.
    """
    blogs = [
        BlogFeeds(blog=blog, posts=blog_feeds(blog), comments=blog_comment_feeds(blog))
        for blog in Blog.objects.only("name", "slug", "language")
    ]
    return render(request, "feeds/about.html", {"network": network_feeds(), "blogs": blogs})


@dataclass(frozen=True)
class BlogFeeds:
    blog: Blog
    posts: list[FeedLink]
    comments: list[FeedLink]
