"""The search page and the OpenSearch description that lets browsers add it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.generic import TemplateView

from despatch.core.pagination import requested_page_number
from despatch.core.surrogates import add_surrogate_keys
from despatch.posts.cache_keys import post_key

from .selectors import SEARCH_PAGE_KEYS, read_search, search_posts


class SearchView(TemplateView):
    """Advanced search: the form, and below it the results of what it asks for.

    Every search is a GET, so its address can be bookmarked and shared, and the
    page works with no JavaScript at all.
    """

    template_name = "search/search.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # The form lists blogs, authors and tags; the results show posts as listings
        # do, found through the index. Naming all of it lets the page be cached.
        add_surrogate_keys(self.request, SEARCH_PAGE_KEYS)
        criteria, notices = read_search(self.request)
        context.update(criteria=criteria, notices=notices)
        if criteria.is_blank:
            return context
        outcome = search_posts(
            criteria=criteria,
            page_number=requested_page_number(self.request),
            request=self.request,
        )
        results = outcome.page.object_list
        # Named before the kept results are looked up, so that one read of the
        # shared cache fetches all their versions.
        add_surrogate_keys(self.request, [post_key(result.post.pk) for result in results])
        context.update(outcome=outcome, page=outcome.page, results=results)
        if outcome.suggestion is not None:
            suggested = self.request.GET.copy()
            suggested["q"] = outcome.suggestion.as_text()
            suggested.pop("page", None)
            context["suggestion_query"] = suggested.urlencode()
        if criteria.has_filters:
            context["unfiltered_query"] = self._unfiltered_query(criteria.text)
        return context

    def _unfiltered_query(self, text: str) -> str:
        unfiltered = self.request.GET.copy()
        for name in ("blog", "author", "tag", "language", "from", "to", "page"):
            unfiltered.pop(name, None)
        unfiltered["q"] = text
        return unfiltered.urlencode()


class OpenSearchDescriptionView(TemplateView):
    """The OpenSearch 1.1 description document, linked from every page's head."""

    template_name = "search/opensearch.xml"
    content_type = "application/opensearchdescription+xml; charset=utf-8"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=60 * 60 * 24)
        return response
