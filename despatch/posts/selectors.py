"""The reads that public pages make, each with a fixed number of queries."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db import connections
from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from despatch.blogs.models import AuthorProfile, Blog, HistoricalPeriod

from .models import ArchiveMonth, Post, Tag, TagUsage

TAG_CLOUD_WEIGHTS = 5


NEWEST_FIRST = ("-published_at", "-id")
OLDEST_FIRST = ("published_at", "id")


def first_live(
    queryset: QuerySet[Post], count: int, *, order: tuple[str, str] = NEWEST_FIRST
) -> QuerySet[Post]:
    """Live posts of ``queryset`` in date ``order``, of which the first ``count`` are
    the first ``count`` of all, found along an index.

    Live posts have one of two statuses, and a database asked for both at once
    sorts every live post to find the first few: the cost grows with the network.
    Asked for one status at a time, it walks its ``(…, status, published_at)``
    index in order and stops after ``count`` rows, so each status gives its
    first ``count`` and the outer query orders those few.
    """
    published, scheduled = (
        queryset.published().filter(status=status).order_by(*order).values("id")[:count]
        for status in (Post.Status.PUBLISHED, Post.Status.SCHEDULED)
    )
    if connections[queryset.db].features.supports_slicing_ordering_in_compound:
        # PostgreSQL reads "id in one or id in the other" by testing every post;
        # the union of the two it reads along the indexes.
        return Post.objects.filter(id__in=published.union(scheduled, all=True)).order_by(*order)
    return Post.objects.filter(Q(id__in=published) | Q(id__in=scheduled)).order_by(*order)


def listing(queryset: QuerySet[Post] | None = None, *, limit: int | None = None) -> QuerySet[Post]:
    """Live posts, newest first, with what a summary shows.

    With ``limit``, only the newest ``limit`` are read, at a cost that does not
    grow with the number of posts (see ``first_live``).
    """
    base = queryset if queryset is not None else Post.objects.all()
    if limit is None:
        return base.published().for_listing().order_by(*NEWEST_FIRST)
    return first_live(base, limit).for_listing()[:limit]


def summarised_posts(post_ids: list[int]) -> list[Post]:
    """The live posts among ``post_ids``, in that order, with what a summary shows
    (``with_tags`` applied)."""
    found = {post.id: post for post in listing(Post.objects.filter(id__in=post_ids))}
    return with_tags([found[post_id] for post_id in post_ids if post_id in found])


def post_for_page(*, blog_slug: str, year: int, month: int, slug: str) -> Post | None:
    """Return the live post at a permalink, with its blog and author.

    The Markdown source is left behind: the page shows the HTML rendered from it.
    """
    return (
        Post.objects.published()
        .select_related("blog", "author")
        .defer("body_source")
        .filter(
            blog__slug=blog_slug,
            slug=slug,
            published_at__year=year,
            published_at__month=month,
        )
        .first()
    )


def post_tags(post: Post) -> list[Tag]:
    """The tags of ``post``, alphabetically."""
    return list(post.tags.order_by("name"))


def neighbours(post: Post) -> tuple[Post | None, Post | None]:
    """Return the previous and next live posts of the same blog."""
    siblings = Post.objects.filter(blog_id=post.blog_id)
    earlier = siblings.filter(published_at__lte=post.published_at).exclude(
        published_at=post.published_at, id__gte=post.id
    )
    later = siblings.filter(published_at__gte=post.published_at).exclude(
        published_at=post.published_at, id__lte=post.id
    )
    fields = ("title", "slug", "published_at", "language", "blog__slug", "blog__language")
    previous = first_live(earlier, 1).select_related("blog").only(*fields).first()
    following = (
        first_live(later, 1, order=OLDEST_FIRST).select_related("blog").only(*fields).first()
    )
    return previous, following


def related_posts(
    post: Post, tags: list[Tag], *, limit: int = 3, candidates: int = 60
) -> list[Post]:
    """Posts sharing the most of ``tags`` (``post``'s) with it, recent ones first among equals.

    Only the most recent candidates are weighed, which keeps the cost flat as
    the network grows; readers want recent context more than a perfect match.
    """
    tag_ids = [tag.id for tag in tags]
    if not tag_ids:
        return []
    sharing = Post.objects.filter(tags__in=tag_ids).exclude(pk=post.pk)
    ranked = list(
        first_live(sharing, candidates)
        .annotate(shared=Count("tags", filter=Q(tags__in=tag_ids)))
        .values_list("id", "shared")[:candidates]
    )
    # Newest first already; a stable sort keeps that order among equals.
    best = [post_id for post_id, _shared in sorted(ranked, key=lambda row: -row[1])][:limit]
    posts = {p.id: p for p in listing(Post.objects.filter(id__in=best))}
    return [posts[post_id] for post_id in best if post_id in posts]


def historical_note(post: Post) -> str:
    """The banner text for a post kept for the record, or an empty string."""
    if post.blog.is_historical:
        return post.blog.historical_note or ""
    if post.published_at is None:
        return ""
    period = (
        HistoricalPeriod.objects.filter(Q(blog__isnull=True) | Q(blog_id=post.blog_id))
        .filter(starts_on__lte=post.published_at.date(), ends_on__gte=post.published_at.date())
        .first()
    )
    return period.note if period else ""


@dataclass(frozen=True)
class CloudTag:
    name: str
    slug: str
    post_count: int
    weight: int


def tag_cloud(*, blog: Blog | None = None, limit: int | None = 40) -> list[CloudTag]:
    """The most used tags, alphabetically, each weighted 1–5 by use on a log scale."""
    usage = TagUsage.objects.filter(post_count__gt=0)
    if blog is not None:
        usage = usage.filter(blog=blog)
    rows = list(
        usage.values("tag__name", "tag__slug")
        .annotate(total=Sum("post_count"))
        .order_by("-total", "tag__name")[:limit]
    )
    if not rows:
        return []
    most = math.log(max(row["total"] for row in rows) + 1)
    least = math.log(min(row["total"] for row in rows) + 1)
    spread = (most - least) or 1.0

    def weight(total: int) -> int:
        return 1 + round((math.log(total + 1) - least) / spread * (TAG_CLOUD_WEIGHTS - 1))

    return sorted(
        (
            CloudTag(row["tag__name"], row["tag__slug"], row["total"], weight(row["total"]))
            for row in rows
        ),
        key=lambda tag: tag.name.casefold(),
    )


def tag_post_count(*, tag: Tag, blog: Blog | None = None) -> int:
    usage = TagUsage.objects.filter(tag=tag)
    if blog is not None:
        usage = usage.filter(blog=blog)
    return usage.aggregate(total=Sum("post_count"))["total"] or 0


def related_tags(post_ids: list[int], *, excluding: Tag, limit: int = 10) -> list[Tag]:
    """Tags that appear beside ``excluding`` on the posts being shown, most frequent first."""
    through = Post.tags.through.objects.filter(post_id__in=post_ids).exclude(tag=excluding)
    counts = Counter(through.values_list("tag_id", flat=True))
    top = [tag_id for tag_id, _count in counts.most_common(limit)]
    tags = Tag.objects.in_bulk(top)
    return [tags[tag_id] for tag_id in top if tag_id in tags]


@dataclass(frozen=True)
class ArchiveYear:
    year: int
    post_count: int
    months: list[tuple[date, int]]


def archive(*, blog: Blog | None = None, year: int | None = None) -> list[ArchiveYear]:
    """Years, newest first, each with its months and their post counts."""
    months = ArchiveMonth.objects.filter(post_count__gt=0)
    if blog is not None:
        months = months.filter(blog=blog)
    if year is not None:
        months = months.filter(year=year)
    rows = (
        months.values("year", "month").annotate(total=Sum("post_count")).order_by("-year", "-month")
    )
    years: dict[int, list[tuple[date, int]]] = {}
    for row in rows:
        years.setdefault(row["year"], []).append((date(row["year"], row["month"], 1), row["total"]))
    return [
        ArchiveYear(year=y, post_count=sum(count for _d, count in ms), months=ms)
        for y, ms in years.items()
    ]


def best_bits_preview(*, blog: Blog | None = None, limit: int = 5) -> list[Post]:
    """The first best bits for a sidebar: the network's featured posts, or one blog's."""
    if blog is None:
        return list(
            listing(Post.objects.featured_on_network()).order_by(
                "network_best_bit_order", "best_bit_order", "-published_at"
            )[:limit]
        )
    return list(listing(Post.objects.best_bits().filter(blog=blog))[:limit])


def blog_authors(blog: Blog) -> list[AuthorProfile]:
    return list(blog.authors.all())


def live_post_count() -> int:
    """How many posts are live, from the archive's monthly counts: a few hundred rows
    to add up rather than every post to count."""
    return ArchiveMonth.objects.aggregate(total=Sum("post_count"))["total"] or 0


def blogs_with_authors() -> QuerySet[Blog]:
    return Blog.objects.prefetch_related(
        Prefetch("authors", queryset=AuthorProfile.objects.order_by("display_name"))
    )


def with_tags(posts: list[Post]) -> list[Post]:
    """Attach each listed post's tags in one query (``post.listed_tags``)."""
    through = (
        Post.tags.through.objects.filter(post_id__in=[p.id for p in posts])
        .select_related("tag")
        .order_by("tag__name")
    )
    by_post: dict[int, list[Tag]] = {}
    for row in through:
        by_post.setdefault(row.post_id, []).append(row.tag)
    for post in posts:
        post.listed_tags = by_post.get(post.id, [])  # type: ignore[attr-defined]
    return posts
