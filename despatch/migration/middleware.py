"""Redirect readers who follow an old WordPress link to the post's new address."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from .redirects import ID_QUERY_PARAMETERS, find_live_post, legacy_paths_for_request


class LegacyAddressMiddleware:
    """Answer old permalinks and ``?p=ID`` links with a 301 to the imported post.

    ``/?p=123`` reaches the network home, which would happily show it, so a
    request naming a post number is looked up before any view runs; an old
    permalink such as ``/2009/09/some-post/`` is only looked up once the site
    has found nothing else to show (a 404), so ordinary pages cost no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in {"GET", "HEAD"} and any(
            request.GET.get(parameter, "").isdigit() for parameter in ID_QUERY_PARAMETERS
        ):
            redirect = self._redirect(request)
            if redirect is not None:
                return redirect
        response = self.get_response(request)
        if response.status_code == 404 and request.method in {"GET", "HEAD"}:
            return self._redirect(request) or response
        return response

    def _redirect(self, request: HttpRequest) -> HttpResponse | None:
        query = {parameter: request.GET.get(parameter, "") for parameter in ID_QUERY_PARAMETERS}
        post = find_live_post(
            host=request.get_host().partition(":")[0],
            paths=legacy_paths_for_request(request.path, query),
        )
        if post is None:
            return None
        return HttpResponsePermanentRedirect(post.get_absolute_url())
