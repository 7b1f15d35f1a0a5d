from __future__ import annotations

from django.contrib.sitemaps import Sitemap

from despatch.blogs.models import AuthorProfile, Blog

from .models import Post


class PostSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7
    limit = 5000

    def items(self):
        return (
            Post.objects.published()
            .select_related("blog")
            .only("slug", "published_at", "updated_at", "blog__slug")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, post: Post):
        return post.updated_at


class BlogSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return Blog.objects.all()

    def lastmod(self, blog: Blog):
        return blog.updated_at


class AuthorSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return AuthorProfile.objects.filter(posts__isnull=False).distinct()


SITEMAPS = {"blogs": BlogSitemap, "authors": AuthorSitemap, "posts": PostSitemap}
