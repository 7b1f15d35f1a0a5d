"""Counts that pages show but that would be too slow to compute on every read.

Tag clouds and the archive's month counts are kept in ``TagUsage`` and
``ArchiveMonth``; these functions recompute them for one blog after any of its
posts changes, so a page reads a few dozen rows however many posts there are.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import ExtractMonth, ExtractYear

from .models import ArchiveMonth, Post, TagUsage


def refresh_blog_statistics(*, blog_ids: Iterable[int]) -> None:
    """Recount tag usage and archive months of the given blogs from their live posts."""
    for blog_id in set(blog_ids):
        with transaction.atomic():
            live = Post.objects.published().filter(blog_id=blog_id)
            tag_counts = (
                Post.tags.through.objects.filter(post__in=live)
                .values("tag_id")
                .annotate(total=Count("post_id"))
            )
            TagUsage.objects.filter(blog_id=blog_id).delete()
            TagUsage.objects.bulk_create(
                TagUsage(blog_id=blog_id, tag_id=row["tag_id"], post_count=row["total"])
                for row in tag_counts
            )
            months = (
                live.annotate(year=ExtractYear("published_at"), month=ExtractMonth("published_at"))
                .values("year", "month")
                .annotate(total=Count("id"))
                .order_by()
            )
            ArchiveMonth.objects.filter(blog_id=blog_id).delete()
            ArchiveMonth.objects.bulk_create(
                ArchiveMonth(
                    blog_id=blog_id, year=row["year"], month=row["month"], post_count=row["total"]
                )
                for row in months
            )
