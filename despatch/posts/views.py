"""Public reading pages: the network, each blog, posts, authors, tags and the archive."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from despatch.blogs.cache_keys import AUTHORS, BLOGS
from despatch.blogs.models import AuthorProfile, Blog
from despatch.core.fragments import cached_fragment
from despatch.core.pagination import paginate, requested_page_number
from despatch.core.surrogates import add_surrogate_keys

from . import cache_keys, selectors
from .models import Post, Tag
from .structured_data import article_data, author_page_data


class BlogScopeMixin:
    """Pages that exist network-wide and per blog: ``blog`` is ``None`` network-wide."""

    kwargs: dict[str, Any]

    @cached_property
    def blog(self) -> Blog | None:
        slug = self.kwargs.get("blog_slug")
        return get_object_or_404(Blog, slug=slug) if slug else None

    def scoped(self, queryset: Any) -> Any:
        return queryset.filter(blog=self.blog) if self.blog else queryset


class ListingPageView(BlogScopeMixin, TemplateView):
    """A page of post summaries with the sidebar every listing shares."""

    def posts(self, limit: int) -> Any:
        """The live posts listed; only the first ``limit`` of them need to be read."""
        raise NotImplementedError

    def collection_keys(self) -> list[str]:
        """Surrogate keys of the collection listed: its membership and order."""
        if self.blog:
            return [
                cache_keys.blog_posts_key(self.blog.pk),
                cache_keys.blog_comments_key(self.blog.pk),
            ]
        return [cache_keys.LIVE_POSTS, cache_keys.COMMENTS]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        per_page = settings.DESPATCH_POSTS_PER_PAGE
        # Rows past the requested page (and the one that says another follows) are
        # never read, so a listing's first pages cost the same on any network.
        limit = requested_page_number(self.request) * per_page + 1
        page = paginate(self.request, self.posts(limit), per_page)
        selectors.with_tags(page.object_list)
        add_surrogate_keys(
            self.request,
            [
                BLOGS,
                AUTHORS,
                cache_keys.TAGS,
                *self.collection_keys(),
                *(cache_keys.post_key(post.pk) for post in page.object_list),
            ],
        )
        context.update(blog=self.blog, page=page, posts=page.object_list)
        return context


class NetworkHomeView(ListingPageView):
    template_name = "posts/network_home.html"

    def posts(self, limit: int) -> Any:
        return selectors.listing(limit=limit)


class BlogHomeView(ListingPageView):
    template_name = "posts/blog_home.html"

    def posts(self, limit: int) -> Any:
        return selectors.listing(Post.objects.filter(blog=self.blog), limit=limit)


class AuthorView(ListingPageView):
    template_name = "posts/author.html"

    @cached_property
    def author(self) -> AuthorProfile:
        return get_object_or_404(AuthorProfile, slug=self.kwargs["author_slug"])

    def posts(self, limit: int) -> Any:
        return selectors.listing(Post.objects.filter(author=self.author), limit=limit)

    def collection_keys(self) -> list[str]:
        return [cache_keys.author_posts_key(self.author.pk)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            author=self.author,
            author_blogs=list(self.author.blogs.all()),
            structured_data=author_page_data(self.author),
        )
        return context


class TagView(ListingPageView):
    template_name = "posts/tag.html"

    @cached_property
    def tag(self) -> Tag:
        return get_object_or_404(Tag, slug=self.kwargs["tag_slug"])

    def posts(self, limit: int) -> Any:
        return selectors.listing(self.scoped(Post.objects.filter(tags=self.tag)), limit=limit)

    def collection_keys(self) -> list[str]:
        return [cache_keys.tag_posts_key(self.tag.pk)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            tag=self.tag,
            tag_post_count=selectors.tag_post_count(tag=self.tag, blog=self.blog),
            related_tags=selectors.related_tags(context["posts"], excluding=self.tag),
        )
        return context


class TagIndexView(BlogScopeMixin, TemplateView):
    template_name = "posts/tag_index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        add_surrogate_keys(self.request, [cache_keys.LIVE_POSTS, cache_keys.TAGS])
        return super().get_context_data(**kwargs)


class ArchiveIndexView(BlogScopeMixin, TemplateView):
    template_name = "posts/archive_index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        scope = cache_keys.blog_posts_key(self.blog.pk) if self.blog else cache_keys.LIVE_POSTS
        add_surrogate_keys(self.request, [scope, BLOGS])
        context = super().get_context_data(**kwargs)
        context["blog"] = self.blog
        return context


class ArchiveYearView(ListingPageView):
    template_name = "posts/archive_year.html"

    def posts(self, limit: int) -> Any:
        return selectors.listing(
            self.scoped(Post.objects.filter(published_at__year=self.kwargs["year"])), limit=limit
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        year = self.kwargs["year"]
        archive = selectors.archive(blog=self.blog, year=year)
        if not archive:
            raise Http404(_("Nothing was published in %(year)s.") % {"year": year})
        context = super().get_context_data(**kwargs)
        context.update(year=year, archive_year=archive[0])
        return context


class ArchiveMonthView(ListingPageView):
    template_name = "posts/archive_month.html"

    def posts(self, limit: int) -> Any:
        year, month = self.kwargs["year"], self.kwargs["month"]
        return selectors.listing(
            self.scoped(Post.objects.filter(published_at__year=year, published_at__month=month)),
            limit=limit,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if not context["posts"]:
            raise Http404(_("Nothing was published in that month."))
        year, month = self.kwargs["year"], self.kwargs["month"]
        context.update(
            month=date(year, month, 1), month_name=_(calendar.month_name[month]), year=year
        )
        return context


class BestBitsView(ListingPageView):
    template_name = "posts/best_bits.html"

    def posts(self, limit: int) -> Any:
        # In the editors' order, which no date index serves: every best bit is read,
        # and there are few.
        if self.blog is None:
            return selectors.listing(Post.objects.featured_on_network()).order_by(
                "network_best_bit_order", "best_bit_order", "-published_at"
            )
        return selectors.listing(self.scoped(Post.objects.best_bits())).order_by(
            "best_bit_order", "-published_at"
        )


class PostView(TemplateView):
    template_name = "posts/post.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        address = {name: self.kwargs[name] for name in ("blog_slug", "year", "month", "slug")}

        def find_post() -> tuple[Post, list[Tag]] | None:
            found = selectors.post_for_page(**address)
            return None if found is None else (found, selectors.post_tags(found))

        # The post and its tags, kept between requests under what could change them:
        # any live post's change (publishing, editing, unpublishing), any blog, author
        # or tag, any comment's approval (the count it carries). The page itself
        # names only this post's keys, below, which cover the same rows.
        found = cached_fragment(
            self.request,
            name="post-row:{blog_slug}/{year}/{month}/{slug}".format(**address),
            keys=[*cache_keys.LISTING, cache_keys.COMMENTS],
            render=find_post,
            shown_by_page=False,
        )
        if found is None:
            raise Http404(_("No post at this address."))
        post, tags = found
        # The neighbours and related posts are shown by a fragment keyed by the blog's
        # posts and the tags' posts, which cover every post it could show.
        add_surrogate_keys(
            self.request,
            [
                *cache_keys.post_page_keys(post, []),
                *(cache_keys.tag_posts_key(tag.pk) for tag in tags),
            ],
        )
        context.update(
            post=post,
            blog=post.blog,
            author=post.author,
            tags=tags,
            structured_data=article_data(post, tags),
        )
        return context
