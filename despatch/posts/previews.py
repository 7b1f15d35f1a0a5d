"""Private preview links (W3): a signed, expiring address that shows a draft to anyone holding it.

The token names the post and is signed with the site's secret; a forged or
altered token, or one older than the allowed age, shows nothing (404).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing

from .models import Post

SALT = "despatch.posts.preview"


def preview_lifetime() -> timedelta:
    return timedelta(days=settings.DESPATCH_PREVIEW_LINK_DAYS)


def preview_token(post: Post) -> str:
    """A token for ``post``'s preview, good for ``DESPATCH_PREVIEW_LINK_DAYS``."""
    return signing.dumps({"post": post.pk}, salt=SALT, compress=True)


def post_for_preview_token(token: str) -> Post | None:
    """The post a token names, or ``None`` when it is forged, altered or expired."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=preview_lifetime())
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None
    post_id = payload.get("post") if isinstance(payload, dict) else None
    if not isinstance(post_id, int):
        return None
    return (
        Post.objects.select_related("blog", "author")
        .prefetch_related("tags")
        .filter(pk=post_id)
        .first()
    )
