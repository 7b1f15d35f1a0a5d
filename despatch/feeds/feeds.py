"""The network's feeds: posts of the network, a blog, an author or a tag, and comments.

Each feed is a ``django.contrib.syndication`` ``Feed`` whose format (RSS, Atom
or JSON Feed) is chosen when its address is declared in ``urls.py``. What they
add to Django's ``Feed`` lives in ``DespatchFeed``: conditional GET answered
from one small query, cache headers, WebSub advertising and absolute,
permanent identifiers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import caches
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.feedgenerator import Stylesheet, SyndicationFeed
from django.utils.http import http_date
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from despatch.blogs.cache_keys import AUTHORS, BLOGS
from despatch.blogs.models import AuthorProfile, Blog
from despatch.conversations.models import Comment
from despatch.conversations.selectors import approved_comments_feed
from despatch.core.fragments import cached_fragment
from despatch.core.surrogates import add_surrogate_keys, current_versions
from despatch.posts import cache_keys
from despatch.posts.models import Post, Tag

from .content import absolute_html, absolute_url, post_media
from .formats import FeedFormat
from .generators import GENERATORS, AtomFeed, JsonFeed, RssFeed
from .websub import hub_url

ITEMS_PER_FEED = 20
# Comments have no separate excerpt; their summary is their opening words.
SUMMARY_WORDS = 45
# How long readers and shared caches may reuse a feed without asking again.
CACHE_SECONDS = 5 * 60
# Rendered feeds are kept under their ETag; an edit changes the ETag, so this
# only bounds how long a renamed blog or author can linger in old entries.
RENDERED_FEED_SECONDS = 60 * 60
# Raise when the output changes shape, so every reader's cached copy is replaced.
FEED_REVISION = 1


def tag_uri(created: datetime, specific: str) -> str:
    """A permanent ``tag:`` URI (RFC 4151) for something created at ``created``.

    Built from the site's naming authority, the creation date and a primary key,
    never from a title, slug or address, so an entry keeps its id through every
    edit, a change of slug or a move to another blog.
    """
    authority = getattr(settings, "FEEDS_ID_AUTHORITY", "") or urlsplit(settings.SITE_URL).hostname
    return f"tag:{authority},{created.astimezone(UTC):%Y-%m-%d}:{specific}"


@dataclass(frozen=True)
class Freshness:
    """What identifies one version of a feed, for conditional GET."""

    etag: str
    last_modified: datetime | None

    @property
    def digest(self) -> str:
        return self.etag.strip('"')


def freshness(*parts: Any, changed: list[datetime | None]) -> Freshness:
    """Fingerprint a feed version from whatever tells its versions apart.

    The versions of the blog, author and tag names are part of it: a renamed
    author changes every feed entry that names them without touching the posts.
    """
    names = sorted((current_versions([BLOGS, AUTHORS, cache_keys.TAGS]) or {}).items())
    text = repr((FEED_REVISION, settings.SITE_URL, hub_url(), get_language(), names, *parts))
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    moments = [moment for moment in changed if moment is not None]
    return Freshness(etag=f'"{digest}"', last_modified=max(moments) if moments else None)


class DespatchFeed(Feed):
    """A feed in one format that answers conditional requests cheaply.

    Subclasses say which object a feed is about (``get_object``), which rows
    fingerprint its current version (``version``) and what it contains. A
    reader whose copy is current gets ``304 Not Modified`` after one small
    query; a full answer is rendered once per version and then served from
    the cache.
    """

    feed_type: type[RssFeed | AtomFeed | JsonFeed]

    def __init__(self, feed_format: FeedFormat) -> None:
        self.format = FeedFormat(feed_format)
        self.feed_type = GENERATORS[self.format]

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            return HttpResponseNotAllowed(["GET", "HEAD"])
        try:
            subject = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist as error:
            raise Http404(_("There is no such feed.")) from error
        keys = [BLOGS, AUTHORS, cache_keys.TAGS, self.collection_key(subject)]
        add_surrogate_keys(request, keys)
        # The version changes only with what those keys name (and, for a post
        # going live, at a scheduled time, which bounds how long it is kept), so a
        # reader whose copy is current costs no query once it is kept.
        version = cached_fragment(
            request,
            name=f"feed-version:{request.path}",
            keys=keys,
            render=lambda: self.version(subject),
        )
        modified = int(version.last_modified.timestamp()) if version.last_modified else None
        response = get_conditional_response(request, etag=version.etag, last_modified=modified)
        if response is None:
            rendered = caches[getattr(settings, "FEEDS_CACHE_ALIAS", "default")]
            cache_key = f"feeds:{version.digest}"
            body = rendered.get(cache_key)
            if body is None:
                body = self.get_feed(subject, request).writeString("utf-8")
                rendered.set(cache_key, body, RENDERED_FEED_SECONDS)
            response = HttpResponse(body, content_type=self.feed_type.content_type)
        response["ETag"] = version.etag
        if modified is not None:
            response["Last-Modified"] = http_date(modified)
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        if hub_url():
            # WebSub discovery (section 4): the hub and the topic, also as headers.
            response["Link"] = f'<{hub_url()}>; rel="hub", <{self.feed_url(subject)}>; rel="self"'
        return response

    def version(self, subject: Any) -> Freshness:
        raise NotImplementedError

    def collection_key(self, subject: Any) -> str:
        """The surrogate key of what this feed lists, for caches and CDN purges."""
        return cache_keys.LIVE_POSTS

    def get_feed(self, obj: Any, request: HttpRequest) -> SyndicationFeed:
        feed = super().get_feed(obj, request)
        feed.feed["language"] = self.feed_language(obj)
        return feed

    # Feed-level values ---------------------------------------------------------

    def url_name(self) -> str:
        raise NotImplementedError

    def url_kwargs(self, subject: Any) -> dict[str, str]:
        return {}

    def feed_url(self, subject: Any) -> str:
        name = f"feeds:{self.url_name()}-{self.format}"
        return absolute_url(reverse(name, kwargs=self.url_kwargs(subject)))

    def feed_guid(self, subject: Any) -> str:
        return self.feed_url(subject)

    def feed_language(self, subject: Any) -> str:
        return settings.LANGUAGE_CODE

    def title(self, subject: Any) -> str:
        raise NotImplementedError

    def link(self, subject: Any) -> str:
        """The page of the site that this feed follows."""
        raise NotImplementedError

    def subtitle(self, subject: Any) -> str:
        return self.description(subject)

    def description(self, subject: Any) -> str:
        raise NotImplementedError

    def stylesheets(self) -> list[Stylesheet]:
        # A site-relative address: browsers apply stylesheets from the feed's own origin only.
        return [Stylesheet(reverse("feeds:stylesheet"), mimetype="text/xsl")]

    def feed_extra_kwargs(self, obj: Any) -> dict[str, Any]:
        return {"hub_url": hub_url() or None}


class PostFeed(DespatchFeed):
    """The newest live posts of some part of the network, in full."""

    item_guid_is_permalink = False

    def scope(self, subject: Any) -> Q:
        """Which posts belong in this feed."""
        return Q()

    def posts(self, subject: Any) -> QuerySet[Post]:
        return Post.objects.published().filter(self.scope(subject)).order_by("-published_at", "-id")

    def version(self, subject: Any) -> Freshness:
        rows = list(
            self.posts(subject).values_list("id", "updated_at", "published_at")[:ITEMS_PER_FEED]
        )
        stamp = getattr(subject, "updated_at", None)
        return freshness(
            self.format,
            self.feed_url(subject),
            self.title(subject),
            self.description(subject),
            stamp,
            rows,
            changed=[
                stamp,
                *(max(updated, published or updated) for _id, updated, published in rows),
            ],
        )

    def items(self, subject: Any) -> QuerySet[Post]:
        return (
            self.posts(subject)
            .select_related("blog", "author")
            .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
            .defer("body_source", "blog__description", "author__biography")[:ITEMS_PER_FEED]
        )

    def item_title(self, post: Post) -> str:
        return post.title

    def item_description(self, post: Post) -> str:
        return post.excerpt

    def item_link(self, post: Post) -> str:
        return absolute_url(post.get_absolute_url())

    def item_guid(self, post: Post) -> str:
        return tag_uri(post.created_at, f"post/{post.pk}")

    def item_author_name(self, post: Post) -> str:
        return post.author.display_name

    def item_author_link(self, post: Post) -> str:
        return absolute_url(post.author.get_absolute_url())

    def item_pubdate(self, post: Post) -> datetime | None:
        return post.published_at

    def item_updateddate(self, post: Post) -> datetime:
        # A post scheduled in advance was last saved before it went out.
        return max(post.updated_at, post.published_at or post.updated_at)

    def item_categories(self, post: Post) -> list[str]:
        return [tag.name for tag in post.tags.all()]

    def item_comments(self, post: Post) -> str:
        return f"{self.item_link(post)}#comments"

    def item_extra_kwargs(self, post: Post) -> dict[str, Any]:
        content_html = absolute_html(post.body_html, base=self.item_link(post))
        return {
            "content_html": content_html,
            "language": post.content_language,
            "media": post_media(body_html=content_html, top_image=post.top_image),
            "image": absolute_url(post.top_image.url) if post.top_image else None,
            "author_avatar": (absolute_url(post.author.photo.url) if post.author.photo else None),
        }


class NetworkPostFeed(PostFeed):
    """Every blog's posts, newest first."""

    def url_name(self) -> str:
        return "network"

    def title(self, subject: None = None) -> str:
        return settings.NETWORK_NAME

    def link(self, subject: None = None) -> str:
        return absolute_url(reverse("posts:network"))

    def description(self, subject: None = None) -> str:
        return _("The latest posts from every blog of %(network)s.") % {
            "network": settings.NETWORK_NAME
        }


class BlogPostFeed(PostFeed):
    """One blog's posts, newest first."""

    def get_object(self, request: HttpRequest, blog_slug: str) -> Blog:  # type: ignore[override]
        return Blog.objects.get(slug=blog_slug)

    def scope(self, blog: Blog) -> Q:
        return Q(blog=blog)

    def collection_key(self, blog: Blog) -> str:
        return cache_keys.blog_posts_key(blog.pk)

    def url_name(self) -> str:
        return "blog"

    def url_kwargs(self, blog: Blog) -> dict[str, str]:
        return {"blog_slug": blog.slug}

    def feed_language(self, blog: Blog) -> str:
        return blog.language

    def title(self, blog: Blog) -> str:
        return blog.name

    def link(self, blog: Blog) -> str:
        return absolute_url(blog.get_absolute_url())

    def description(self, blog: Blog) -> str:
        return blog.description or _("The latest posts from %(blog)s.") % {"blog": blog.name}


class AuthorPostFeed(PostFeed):
    """One author's posts across every blog they write for."""

    def get_object(  # type: ignore[override]
        self, request: HttpRequest, author_slug: str
    ) -> AuthorProfile:
        return AuthorProfile.objects.defer("biography").get(slug=author_slug)

    def collection_key(self, author: AuthorProfile) -> str:
        return cache_keys.author_posts_key(author.pk)

    def scope(self, author: AuthorProfile) -> Q:
        return Q(author=author)

    def url_name(self) -> str:
        return "author"

    def url_kwargs(self, author: AuthorProfile) -> dict[str, str]:
        return {"author_slug": author.slug}

    def title(self, author: AuthorProfile) -> str:
        return _("%(author)s – %(network)s") % {
            "author": author.display_name,
            "network": settings.NETWORK_NAME,
        }

    def link(self, author: AuthorProfile) -> str:
        return absolute_url(author.get_absolute_url())

    def description(self, author: AuthorProfile) -> str:
        about = ", ".join(part for part in (author.job_title, author.location) if part)
        if about:
            return _("Posts by %(author)s, %(about)s.") % {
                "author": author.display_name,
                "about": about,
            }
        return _("Posts by %(author)s.") % {"author": author.display_name}


class TagPostFeed(PostFeed):
    """Posts on one subject, from every blog."""

    def get_object(self, request: HttpRequest, tag_slug: str) -> Tag:  # type: ignore[override]
        return Tag.objects.get(slug=tag_slug)

    def collection_key(self, tag: Tag) -> str:
        return cache_keys.tag_posts_key(tag.pk)

    def scope(self, tag: Tag) -> Q:
        return Q(tags=tag)

    def url_name(self) -> str:
        return "tag"

    def url_kwargs(self, tag: Tag) -> dict[str, str]:
        return {"tag_slug": tag.slug}

    def title(self, tag: Tag) -> str:
        return _("%(tag)s – %(network)s") % {"tag": tag.name, "network": settings.NETWORK_NAME}

    def link(self, tag: Tag) -> str:
        return absolute_url(tag.get_absolute_url())

    def description(self, tag: Tag) -> str:
        return _("Posts tagged “%(tag)s” from every blog of %(network)s.") % {
            "tag": tag.name,
            "network": settings.NETWORK_NAME,
        }


class CommentFeed(DespatchFeed):
    """The newest published comments under some part of the network."""

    item_guid_is_permalink = False

    def comments(self, subject: Any) -> QuerySet[Comment]:
        raise NotImplementedError

    def version(self, subject: Any) -> Freshness:
        # A comment enters the feed when it is approved, which may be long after it was written.
        rows = list(self.comments(subject).values_list("id", "submitted_at", "decided_at"))
        stamp = getattr(subject, "updated_at", None)
        return freshness(
            self.format,
            self.feed_url(subject),
            self.title(subject),
            stamp,
            rows,
            changed=[stamp, *(decided or submitted for _id, submitted, decided in rows)],
        )

    def items(self, subject: Any) -> QuerySet[Comment]:
        return self.comments(subject)

    def item_title(self, comment: Comment) -> str:
        names = {"name": self.item_author_name(comment), "post": comment.post.title}
        if comment.parent_id:
            return _("%(name)s replied on “%(post)s”") % names
        return _("%(name)s on “%(post)s”") % names

    def item_description(self, comment: Comment) -> str:
        return Truncator(" ".join(comment.body.split())).words(SUMMARY_WORDS, truncate="…")

    def item_link(self, comment: Comment) -> str:
        return absolute_url(comment.get_absolute_url())

    def item_guid(self, comment: Comment) -> str:
        return tag_uri(comment.submitted_at, f"comment/{comment.pk}")

    def item_author_name(self, comment: Comment) -> str:
        # Erasing a commenter's data may leave no name; Atom needs one on every entry.
        return comment.author_name or _("A reader")

    def item_author_link(self, comment: Comment) -> str | None:
        return comment.author_website or None

    def item_pubdate(self, comment: Comment) -> datetime:
        return comment.submitted_at

    def item_updateddate(self, comment: Comment) -> datetime:
        return comment.submitted_at

    def item_extra_kwargs(self, comment: Comment) -> dict[str, Any]:
        return {"content_html": absolute_html(comment.body_html, base=self.item_link(comment))}


class BlogCommentFeed(CommentFeed):
    """Every published comment on one blog's posts, newest first."""

    def get_object(self, request: HttpRequest, blog_slug: str) -> Blog:  # type: ignore[override]
        return Blog.objects.get(slug=blog_slug)

    def collection_key(self, blog: Blog) -> str:
        return cache_keys.blog_comments_key(blog.pk)

    def comments(self, blog: Blog) -> QuerySet[Comment]:
        return approved_comments_feed(blog=blog, limit=ITEMS_PER_FEED)

    def url_name(self) -> str:
        return "blog-comments"

    def url_kwargs(self, blog: Blog) -> dict[str, str]:
        return {"blog_slug": blog.slug}

    def feed_language(self, blog: Blog) -> str:
        return blog.language

    def title(self, blog: Blog) -> str:
        return _("Comments on %(blog)s") % {"blog": blog.name}

    def link(self, blog: Blog) -> str:
        return absolute_url(blog.get_absolute_url())

    def description(self, blog: Blog) -> str:
        return _("The latest published comments on the posts of %(blog)s.") % {"blog": blog.name}


class PostCommentFeed(CommentFeed):
    """The published comments under one post, newest first."""

    def get_object(  # type: ignore[override]
        self, request: HttpRequest, blog_slug: str, year: int, month: int, slug: str
    ) -> Post:
        return (
            Post.objects.published()
            .select_related("blog")
            .defer("body_source", "body_html", "blog__description")
            .get(
                blog__slug=blog_slug,
                slug=slug,
                published_at__year=year,
                published_at__month=month,
            )
        )

    def collection_key(self, post: Post) -> str:
        return cache_keys.post_comments_key(post.pk)

    def comments(self, post: Post) -> QuerySet[Comment]:
        return approved_comments_feed(post=post, limit=ITEMS_PER_FEED)

    def url_name(self) -> str:
        return "post-comments"

    def url_kwargs(self, post: Post) -> dict[str, str]:
        published = post.published_at or post.created_at
        return {
            "blog_slug": post.blog.slug,
            "year": f"{published.year:04d}",
            "month": f"{published.month:02d}",
            "slug": post.slug,
        }

    def feed_language(self, post: Post) -> str:
        return post.content_language

    def title(self, post: Post) -> str:
        return _("Comments on “%(post)s”") % {"post": post.title}

    def link(self, post: Post) -> str:
        return absolute_url(f"{post.get_absolute_url()}#comments")

    def description(self, post: Post) -> str:
        return _("The published comments on “%(post)s”, from %(blog)s.") % {
            "post": post.title,
            "blog": post.blog.name,
        }
