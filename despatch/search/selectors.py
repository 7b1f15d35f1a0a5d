"""The one read behind the search page: matching posts, their snippets, and help."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from despatch.blogs.cache_keys import BLOGS, HISTORICAL
from despatch.core.fragments import cached_fragment
from despatch.core.languages import text_direction
from despatch.core.pagination import Page
from despatch.posts.cache_keys import LISTING, LIVE_POSTS, TAGS
from despatch.posts.models import Post
from despatch.posts.selectors import CloudTag

from .backends import BaseSearchBackend, Order, SearchHits, get_backend
from .forms import AdvancedSearchForm, SearchChoices, SearchCriteria
from .highlight import snippet
from .indexing import SEARCH_RESULTS
from .query import SearchQuery
from .suggestions import corrected_query, nearby_tags
from .text import plain_text

# What every search page shows besides the posts it found: the blogs, authors and
# tags the form offers and the results name, whether a post is historical, and
# what the index finds.
SEARCH_PAGE_KEYS = (*LISTING, HISTORICAL, SEARCH_RESULTS)

# What a result needs of its post: whether it is live, its language (the
# blog's if it has none of its own), its title and the body its snippet comes from.
RESULT_FIELDS = ("title", "status", "published_at", "language", "blog__language")


class FoundPost(NamedTuple):
    """What a result shows of its post beside the post's summary, which is rendered
    from its own read (see ``despatch.search.templatetags.search``).

    Plain values, not a ``Post``: kept between requests, they are read back at a
    fraction of the cost of model instances.
    """

    pk: int
    title: str
    status: str
    published_at: datetime | None
    content_language: str

    @classmethod
    def of(cls, post: Post) -> FoundPost:
        return cls(post.pk, post.title, post.status, post.published_at, post.content_language)

    @property
    def direction(self) -> str:
        return text_direction(self.content_language)

    @property
    def is_live(self) -> bool:
        return Post.live(self.status, self.published_at)


@dataclass(frozen=True)
class SearchResult:
    """A matching post, with its best passage marked."""

    post: FoundPost
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


def search_choices(request: HttpRequest) -> SearchChoices:
    """The blogs, authors, languages and suggested tags the form offers, kept between requests.

    They change only with the rows ``LISTING`` names (the suggested tags are the
    most used on live posts), which the search page shows anyway. Read once per
    request: the page reads its address and shows its form with the same choices.
    """
    choices: SearchChoices | None = getattr(request, "_search_choices", None)
    if choices is None:
        choices = cached_fragment(
            request, name="search-choices", keys=LISTING, render=SearchChoices.load
        )
        request._search_choices = choices  # type: ignore[attr-defined]
    return choices


def read_search(request: HttpRequest) -> tuple[SearchCriteria, list[str]]:
    """What the address of a search page asks for, and a notice for each value left out.

    Kept per address: reading it depends only on the blogs, authors and tags it
    names (the rows ``LISTING`` names), and, for its dates and notices, on the
    language and time zone, which every fragment is kept under.
    """

    def read() -> tuple[SearchCriteria, list[str]]:
        return AdvancedSearchForm(request.GET, choices=search_choices(request)).criteria()

    return cached_fragment(
        request, name=f"search-criteria:{request.GET.urlencode()}", keys=LISTING, render=read
    )


def search_posts(
    *,
    criteria: SearchCriteria,
    page_number: int,
    per_page: int | None = None,
    request: HttpRequest | None = None,
) -> SearchOutcome:
    """Run ``criteria`` and return page ``page_number`` of the results.

    A bounded number of queries whatever the corpus size: the engine's (two to
    ten, depending on how far back it has to look) and the posts with their
    text; a search that finds nothing adds the look-ups for help. With
    ``request``, the engine's answer, the posts shown with their snippets, and
    the help are kept between requests under the keys a cached search page is
    filed under: until the index, any live post, any blog (or, for the help, any
    tag) changes, or a scheduled post's time comes.
    """
    per_page = per_page or settings.DESPATCH_SEARCH_RESULTS_PER_PAGE
    backend = get_backend()
    filters = criteria.filters()
    offset = (page_number - 1) * per_page

    def found() -> tuple[SearchHits, list[FoundPost], dict[int, SafeString]]:
        hits = backend.search(
            criteria.query,
            filters=filters,
            order=criteria.order,
            offset=offset,
            limit=per_page,
            now=timezone.now(),
        )
        # Looked up by key alone, without the rule ``published()`` applies in SQL:
        # with the status filter in SQL, SQLite may walk the status index of every
        # post instead of fetching ten rows by key. The summaries are fragments of
        # their own (see ``with_summaries``): only what the page shows beside
        # each summary comes along, and the text for the snippets.
        marked = criteria.query.has_required
        fields = (*RESULT_FIELDS, "body_html") if marked else RESULT_FIELDS
        posts = list(Post.objects.filter(pk__in=hits.post_ids).select_related("blog").only(*fields))
        snippets = {
            post.pk: snippet(plain_text(post.body_html), criteria.query) for post in posts if marked
        }
        return hits, [FoundPost.of(post) for post in posts], snippets

    # Ranking by relevance reads every one of the newest few hundred matches, and
    # marking each result's best passage reads its whole text: both cost more
    # than the rest of the page, and a search made again, or a page of it visited
    # again, need not do either again. A post's text, status and date change only
    # with ``LIVE_POSTS``, the language of its blog with ``BLOGS``; whether it is
    # live yet is asked on every request.
    hits, found_posts, snippets = cached_fragment(
        request,
        name=f"search-hits:{criteria.query!r}:{filters!r}:{criteria.order}:{offset}:{per_page}",
        keys=[LIVE_POSTS, SEARCH_RESULTS, BLOGS],
        render=found,
    )
    posts = {post.pk: post for post in found_posts if post.is_live}
    ordered = [posts[post_id] for post_id in hits.post_ids if post_id in posts]
    results = [
        SearchResult(post=post, snippet=snippets.get(post.pk, mark_safe(""))) for post in ordered
    ]
    outcome = SearchOutcome(
        page=Page(object_list=results, number=page_number, has_next=hits.has_next),
        window_limited=hits.window_limited,
    )
    if results or page_number > 1 or not criteria.query.has_required:
        return outcome
    # Looking for a correction reads the index's vocabulary: kept like the hits,
    # and with the tags, whose names and use the nearby tags show.
    suggestion, tags = cached_fragment(
        request,
        name=f"search-help:{criteria.query!r}:{filters!r}",
        keys=[LIVE_POSTS, SEARCH_RESULTS, TAGS],
        render=lambda: (_working_correction(criteria, backend), nearby_tags(criteria.query)),
    )
    return SearchOutcome(page=outcome.page, suggestion=suggestion, nearby_tags=tags)


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
