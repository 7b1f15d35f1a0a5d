"""The one read behind the search page: matching posts, their snippets, and help."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from despatch.core.pagination import Page
from despatch.posts.models import Post
from despatch.posts.selectors import CloudTag, with_tags

from .backends import BaseSearchBackend, Order, get_backend
from .forms import SearchCriteria
from .highlight import snippet
from .query import SearchQuery
from .suggestions import corrected_query, nearby_tags
from .text import plain_text


@dataclass(frozen=True)
class SearchResult:
    """A matching post, loaded as listings load it, with its best passage marked."""

    post: Post
    snippet: SafeString


@dataclass(frozen=True)
class SearchOutcome:
    """A page of results, and what the page should say about the search."""

    page: Page[SearchResult]
    # More posts matched than relevance was judged among.
    window_limited: bool = False
    # For a search that found nothing: a corrected query that finds something,
    # and tags that look like what was asked for.
    suggestion: SearchQuery | None = None
    nearby_tags: list[CloudTag] = field(default_factory=list)


def search_posts(
    *, criteria: SearchCriteria, page_number: int, per_page: int | None = None
) -> SearchOutcome:
    """Run ``criteria`` and return page ``page_number`` of the results.

    A fixed number of queries whatever the corpus size: the engine's (two to
    five), the posts with their blogs, authors and text, and their tags; a
    search that finds nothing adds the look-ups for help.
    """
    per_page = per_page or settings.DESPATCH_SEARCH_RESULTS_PER_PAGE
    backend = get_backend()
    hits = backend.search(
        criteria.query,
        filters=criteria.filters(),
        order=criteria.order,
        offset=(page_number - 1) * per_page,
        limit=per_page,
        now=timezone.now(),
    )
    # Looked up by key alone and checked with ``is_live`` (the rule ``published()``
    # applies in SQL): with the status filter in SQL, SQLite may walk the
    # status index of every post instead of fetching ten rows by key.
    # The body, which listings leave out, comes along for the snippets.
    posts = {
        post.pk: post
        for post in Post.objects.filter(pk__in=hits.post_ids)
        .for_listing()
        .annotate(searched_body=F("body_html"))
        if post.is_live
    }
    ordered = with_tags([posts[post_id] for post_id in hits.post_ids if post_id in posts])
    results = [
        SearchResult(
            post=post,
            snippet=snippet(plain_text(post.searched_body), criteria.query)  # type: ignore[attr-defined]
            if criteria.query.has_required
            else mark_safe(""),
        )
        for post in ordered
    ]
    outcome = SearchOutcome(
        page=Page(object_list=results, number=page_number, has_next=hits.has_next),
        window_limited=hits.window_limited,
    )
    if results or page_number > 1 or not criteria.query.has_required:
        return outcome
    return SearchOutcome(
        page=outcome.page,
        suggestion=_working_correction(criteria, backend),
        nearby_tags=nearby_tags(criteria.query),
    )


def _working_correction(criteria: SearchCriteria, backend: BaseSearchBackend) -> SearchQuery | None:
    """A corrected query, offered only if it finds something with the same filters."""
    corrected = corrected_query(criteria.query, backend)
    if corrected is None:
        return None
    # Whether anything matches is all that counts: the newest match is the
    # cheapest to find.
    hits = backend.search(
        corrected,
        filters=criteria.filters(),
        order=Order.NEWEST,
        offset=0,
        limit=1,
        now=timezone.now(),
    )
    return corrected if hits.post_ids else None
