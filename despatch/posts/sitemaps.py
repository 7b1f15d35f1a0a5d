"""The sitemap: an index (``/sitemap.xml``) pointing at one sitemap per section, each
split into pages by Django's own paging, so no request lists more than ``limit``
addresses however many posts the network holds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet

from despatch.blogs.models import AuthorProfile, Blog

from . import selectors
from .models import Post


class PostSitemap(Sitemap):
    """Every live post, newest first, ``limit`` to a page."""

    changefreq = "monthly"
    priority = 0.7
    # Small enough that one page renders quickly; search engines accept 50,000.
    limit = 1000
    # The page being listed, which decides how far ``items`` has to read.
    page_number = 1

    @property
    def paginator(self) -> Paginator:
        paginator = Paginator(self._items(), self.limit)
        # Counting every live post would cost more than the rest of the index; the
        # archive's monthly counts, kept in step with every post, add up to it.
        paginator.count = selectors.live_post_count()
        return paginator

    def get_urls(
        self, page: Any = 1, site: Any = None, protocol: str | None = None
    ) -> list[dict[str, Any]]:
        self.page_number = self.paginator.validate_number(page)
        return super().get_urls(page=page, site=site, protocol=protocol)

    def items(self) -> QuerySet[Post]:
        return (
            selectors.first_live(Post.objects.all(), self.page_number * self.limit)
            .select_related("blog")
            .only("slug", "published_at", "updated_at", "blog__slug")
        )

    def lastmod(self, post: Post) -> datetime:
        return post.updated_at

    def get_latest_lastmod(self) -> None:
        # Django would call lastmod() on every post to date the index entry; the
        # pages carry each post's date, so the index entry goes without one.
        return None


class BlogSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self) -> QuerySet[Blog]:
        return Blog.objects.all()

    def lastmod(self, blog: Blog) -> datetime:
        return blog.updated_at


class AuthorSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self) -> QuerySet[AuthorProfile]:
        # One index probe per author, rather than joining and de-duplicating every post.
        return AuthorProfile.objects.filter(Exists(Post.objects.filter(author=OuterRef("pk"))))


SITEMAPS = {"blogs": BlogSitemap, "authors": AuthorSitemap, "posts": PostSitemap}
