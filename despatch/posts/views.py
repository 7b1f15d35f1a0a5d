"""Public reading pages: the network, each blog, posts, authors, tags and the archive."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from despatch.blogs.cache_keys import AUTHORS, BLOGS
from despatch.blogs.models import AuthorProfile, Blog
from despatch.core.fragments import cached_fragment
from despatch.core.pagination import Page, paginate, requested_page_number
from despatch.core.surrogates import add_surrogate_keys

from . import cache_keys, selectors
from .models import Post, Tag
from .structured_data import author_page_data

RowT = TypeVar("RowT", bound=Model)


def row_by_slug(request: HttpRequest, model: type[RowT], *, slug: str, key: str) -> RowT:
    """The ``model`` row at ``slug``, or a 404.

    A row found is kept between requests until any row of its kind changes
    (``key``, which the page then names: it shows the row); a missing one is
    looked for afresh each time.
    """
    return cached_fragment(
        request,
        name=f"row:{model._meta.label_lower}:{slug}",
        keys=[key],
        render=lambda: get_object_or_404(model, slug=slug),
    )


class BlogScopeMixin:
    """Pages that exist network-wide and per blog: ``blog`` is ``None`` network-wide."""

    kwargs: dict[str, Any]
    request: HttpRequest

    @cached_property
    def blog(self) -> Blog | None:
        slug = self.kwargs.get("blog_slug")
        return row_by_slug(self.request, Blog, slug=slug, key=BLOGS) if slug else None

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

    def listed_page(self) -> Page[int]:
        """The ids of the posts on the requested page, in the listing's order.

        Kept between requests under any live post's change (publishing, editing,
        unpublishing, retagging) and any blog, author or tag, whose slugs the
        address may hold. The page itself names narrower keys, its collection's and
        the listed posts' own, which change whenever what it lists does.
        """
        number = requested_page_number(self.request)
        per_page = settings.DESPATCH_POSTS_PER_PAGE
        # Rows past the requested page (and the one that says another follows) are
        # never read, so a listing's first pages cost the same on any network.
        limit = number * per_page + 1
        address = ",".join(f"{name}={value}" for name, value in sorted(self.kwargs.items()))
        return cached_fragment(
            self.request,
            name=f"listed-posts:{type(self).__name__}:{address}:{number}x{per_page}",
            keys=cache_keys.LISTING,
            render=lambda: paginate(
                self.request, self.posts(limit).values_list("id", flat=True), per_page
            ),
            shown_by_page=False,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Keys named before a fragment is looked up have their versions fetched in
        # the same read of the shared cache. The collection's keys come after the
        # listing: they need the blog, tag or author row, which a kept listing does
        # not (its name holds the address).
        add_surrogate_keys(self.request, [BLOGS, AUTHORS, cache_keys.TAGS])
        page = self.listed_page()
        add_surrogate_keys(
            self.request,
            [
                *self.collection_keys(),
                *(cache_keys.post_key(post_id) for post_id in page.object_list),
            ],
        )
        context.update(blog=self.blog, page=page)
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
        return row_by_slug(
            self.request, AuthorProfile, slug=self.kwargs["author_slug"], key=AUTHORS
        )

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
        return row_by_slug(self.request, Tag, slug=self.kwargs["tag_slug"], key=cache_keys.TAGS)

    def posts(self, limit: int) -> Any:
        return selectors.listing(self.scoped(Post.objects.filter(tags=self.tag)), limit=limit)

    def collection_keys(self) -> list[str]:
        return [cache_keys.tag_posts_key(self.tag.pk)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        scope = self.blog.pk if self.blog else "network"
        # Kept like the listing (see ``listed_page``): the count changes only with
        # live posts and tags, whose changes reach the page through its
        # collection's key and its posts' own.
        post_count = cached_fragment(
            self.request,
            name=f"tag-post-count:{self.tag.pk}:{scope}",
            keys=cache_keys.LISTING,
            render=lambda: selectors.tag_post_count(tag=self.tag, blog=self.blog),
            shown_by_page=False,
        )
        context.update(tag=self.tag, tag_post_count=post_count)
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
        if not context["page"].object_list:
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
        )
        return context
