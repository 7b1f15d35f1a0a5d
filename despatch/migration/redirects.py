"""Old WordPress addresses, and finding the post each one now lives at."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from despatch.posts.models import Post

from .models import LegacyAddress

# WordPress answers ``?p=ID`` for posts and ``?page_id=ID`` for pages on any path.
ID_QUERY_PARAMETERS = ("p", "page_id")


def normalise_path(path: str) -> str:
    """Return ``path`` decoded, with one leading slash and no trailing slash.

    WordPress writes non-ASCII slugs percent-encoded in links but readers'
    browsers may send either form, so both are compared decoded.
    """
    decoded = unquote(path or "/").strip()
    if not decoded.startswith("/"):
        decoded = "/" + decoded
    return decoded.rstrip("/") or "/"


def id_query_path(base_path: str, parameter: str, number: int | str) -> str:
    """The stored form of an old ``?p=ID`` address under the blog's path."""
    return f"{normalise_path(base_path)}?{parameter}={number}"


def legacy_paths_for_request(path: str, query: dict[str, str]) -> list[str]:
    """The stored forms an incoming request could match, most specific first."""
    candidates = []
    for parameter in ID_QUERY_PARAMETERS:
        value = query.get(parameter, "")
        if value.isdigit():
            candidates.append(id_query_path(path, parameter, int(value)))
    candidates.append(normalise_path(path))
    return candidates


def address_from_url(url: str) -> tuple[str, str]:
    """Split an old absolute (or site-relative) URL into its host and stored path."""
    parts = urlsplit(url.strip())
    return parts.hostname or "", normalise_path(parts.path)


def find_live_post(*, host: str, paths: list[str]) -> Post | None:
    """Return the live post one of ``paths`` used to show, preferring this host's own."""
    if not paths:
        return None
    addresses = (
        LegacyAddress.objects.filter(path__in=paths)
        .select_related("post", "post__blog")
        .order_by("id")
    )
    ranked = sorted(
        addresses,
        key=lambda address: (paths.index(address.path), address.host != host),
    )
    for address in ranked:
        if address.post.is_live:
            return address.post
    return None
