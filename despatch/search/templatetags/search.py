"""The parts of the search page kept between requests: the form, the results, and
within them the form's filters and the summaries of the posts found.

Each costs more to render than the search itself, and a search is made again far
more often than it is first made. The filters are the same for every search that
narrows the same way, which is nearly always not at all; a post's summary is the
same whichever search finds it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from django import template
from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from despatch.core.fragments import cached_fragment, kept_as_written
from despatch.posts.cache_keys import LISTING, post_key, summary_keys
from despatch.posts.selectors import summarised_posts
from despatch.search.forms import AdvancedSearchForm
from despatch.search.selectors import SEARCH_PAGE_KEYS, search_choices

if TYPE_CHECKING:
    from despatch.posts.models import Post
    from despatch.search.forms import SearchCriteria
    from despatch.search.selectors import SearchResult

register = template.Library()

# What the view puts in the page's context for its results section.
RESULTS_CONTEXT = ("criteria", "outcome", "page", "results", "suggestion_query", "unfiltered_query")


@register.simple_tag
def search_help() -> SafeString:
    """How to write a search: the same on every search page, in the reader's language."""
    return mark_safe(kept_as_written("search/_search_help.html"))  # an autoescaping template


@register.simple_tag(takes_context=True)
def search_form(context: template.Context, criteria: SearchCriteria) -> SafeString:
    """The search box, its filters and buttons, showing what ``criteria`` searched for.

    The form shows the values that were used and clears those left out, so it is
    the same for every address that searches the same way, and is kept under
    the keys of the options it offers.
    """
    request = context.get("request")
    shown = criteria.form_values()

    def render() -> str:
        form = AdvancedSearchForm(initial=shown, choices=search_choices(request))
        return render_to_string("search/_search_form.html", {"form": form, "request": request})

    html = cached_fragment(
        request,
        name=f"search-form:{urlencode(sorted(shown.items()))}",
        keys=LISTING,
        render=render,
    )
    return mark_safe(html)  # rendered by an autoescaping template


@register.simple_tag(takes_context=True)
def search_results(context: template.Context) -> SafeString:
    """The section of results below the form: what was searched, the posts found
    with their passages, help when nothing was, and links to other pages.

    Kept per address, since its links carry every parameter of the address on,
    under the keys of the search page and of every post found.
    """
    request = context["request"]
    results = context["results"]
    shown = {name: context.get(name) for name in RESULTS_CONTEXT}
    html = cached_fragment(
        request,
        name=f"search-results:{request.GET.urlencode()}",
        keys=[*SEARCH_PAGE_KEYS, *(post_key(result.post.pk) for result in results)],
        # With the request, for ``{% querystring %}``, which reads its parameters.
        render=lambda: render_to_string("search/_search_results.html", shown, request=request),
    )
    return mark_safe(html)  # rendered by an autoescaping template


@register.simple_tag(takes_context=True)
def search_filters(context: template.Context, form: AdvancedSearchForm) -> SafeString:
    """The fieldsets after the search box: blog, author, tag, language, dates and order.

    ``form`` is the unbound form showing what was searched, so the values it
    holds are valid ones and, with the search box left out, name the fragment.
    The options come from the rows ``LISTING`` names.
    """
    narrowed_by = urlencode(sorted(item for item in form.initial.items() if item[0] != "q"))
    html = cached_fragment(
        context.get("request"),
        name=f"search-filters:{narrowed_by}",
        keys=LISTING,
        render=lambda: render_to_string("search/_search_filters.html", {"form": form}),
    )
    return mark_safe(html)  # rendered by an autoescaping template


@register.simple_tag(takes_context=True)
def with_summaries(
    context: template.Context, results: list[SearchResult]
) -> list[tuple[SearchResult, SafeString]]:
    """Each result beside its post's summary (title, byline, excerpt, comments, tags).

    Every summary is a fragment of its own, filed under the keys listings file
    summaries under, so a post found by many searches is rendered once. The
    summaries not kept are rendered from one read of all the results' posts, so
    a page costs the same queries however many are missing.
    """
    post_ids = [result.post.pk for result in results]

    @cache
    def summarised() -> dict[int, Post]:
        return {post.pk: post for post in summarised_posts(post_ids)}

    def summary(post_id: int) -> SafeString:
        def render() -> str:
            post = summarised().get(post_id)
            return render_to_string("posts/_post_summary.html", {"post": post}) if post else ""

        html = cached_fragment(
            context.get("request"),
            name=f"search-result-summary:{post_id}",
            keys=summary_keys([post_id]),
            render=render,
        )
        return mark_safe(html)  # rendered by an autoescaping template

    return [(result, summary(result.post.pk)) for result in results]
