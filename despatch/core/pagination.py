"""Pagination whose cost does not grow with the number of rows.

Django's ``Paginator`` counts every matching row to number the last page; on a
network with 100,000 posts that count is the slowest part of a listing. Here a
page fetches one row more than it shows to learn whether another page follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

T = TypeVar("T")

MAX_PAGE = 10_000


@dataclass
class Page(Generic[T]):
    """One page of a listing: its rows, its number, and whether pages precede or follow."""

    object_list: list[T]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def requested_page_number(request: HttpRequest) -> int:
    """Read ``?page=``: anything that is not a sensible page number means the first page."""
    raw = request.GET.get("page", "1")
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int) -> Page[Any]:
    """Return the requested page of ``queryset``; a page past the end is a 404."""
    number = requested_page_number(request)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    if number > 1 and not rows:
        raise Http404(_("There is no page %(number)s.") % {"number": number})
    return Page(object_list=rows[:per_page], number=number, has_next=len(rows) > per_page)
