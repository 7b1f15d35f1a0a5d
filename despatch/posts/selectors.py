"""The reads that public pages make, each with a fixed number of queries."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet, Sum

from despatch.blogs.models import AuthorProfile, Blog, HistoricalPeriod

from .models import ArchiveMonth, Post, Tag, TagUsage

TAG_CLOUD_WEIGHTS = 5


def listing(queryset: QuerySet[Post] | None = None) -> QuerySet[Post]:
    """Live posts, newest first, with what a summary shows."""
    base = queryset if queryset is not None else Post.objects.all()
    return base.published().for_listing().order_by("-published_at", "-id")


def post_for_page(*, blog_slug: str, year: int, month: int, slug: str) -> Post | None:
    """Return the live post at a permalink, with its blog, author and tags."""
    return (
        Post.objects.published()
        .select_related("blog", "author")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .filter(
            blog__slug=blog_slug,
            slug=slug,
            published_at__year=year,
            published_at__month=month,
        )
        .first()
    )


def neighbours(post: Post) -> tuple[Post | None, Post | None]:
    """Return the previous and next live posts of the same blog."""
    siblings = (
        Post.objects.published()
        .filter(blog_id=post.blog_id)
        .select_related("blog")
        .only("title", "slug", "published_at", "language", "blog__slug", "blog__language")
    )
    previous = (
        siblings.filter(
            Q(published_at__lt=post.published_at)
            | Q(published_at=post.published_at, id__lt=post.id)
        )
        .order_by("-published_at", "-id")
        .first()
    )
    following = (
        siblings.filter(
            Q(published_at__gt=post.published_at)
            | Q(published_at=post.published_at, id__gt=post.id)
        )
        .order_by("published_at", "id")
        .first()
    )
    return previous, following


def related_posts(post: Post, *, limit: int = 3, candidates: int = 60) -> list[Post]:
    """Posts sharing the most tags with ``post``, recent ones first among equals.

    Only the most recent candidates are weighed, which keeps the cost flat as
    the network grows; readers want recent context more than a perfect match.
    """
    tag_ids = [tag.id for tag in post.tags.all()]
    if not tag_ids:
        return []
    candidate_ids = list(
        Post.objects.published()
        .filter(tags__in=tag_ids)
        .exclude(pk=post.pk)
        .order_by("-published_at")
        .values_list("id", flat=True)[:candidates]
    )
    shared = Counter(candidate_ids)
    recency = {post_id: rank for rank, post_id in enumerate(dict.fromkeys(candidate_ids))}
    best = sorted(shared, key=lambda post_id: (-shared[post_id], recency[post_id]))[:limit]
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


def related_tags(posts: list[Post], *, excluding: Tag, limit: int = 10) -> list[Tag]:
    """Tags that appear beside ``excluding`` on the posts being shown, most frequent first."""
    through = Post.tags.through.objects.filter(post_id__in=[p.id for p in posts]).exclude(
        tag=excluding
    )
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
