"""“Share this with:” links: plain addresses, no third-party scripts or trackers."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ShareLink:
    service: str
    label: str
    href: str


def share_links(*, url: str, title: str) -> list[ShareLink]:
    """Return the share links for a page, each a URL the service itself documents."""
    text = f"{title} {url}"
    return [
        ShareLink(
            "email",
            str(_("E-mail")),
            f"mailto:?subject={quote(title)}&body={quote(url)}",
        ),
        ShareLink(
            "mastodon",
            "Mastodon",
            "https://mastodonshare.com/?" + urlencode({"text": title, "url": url}),
        ),
        ShareLink(
            "bluesky", "Bluesky", "https://bsky.app/intent/compose?" + urlencode({"text": text})
        ),
        ShareLink("x", "X", "https://x.com/intent/post?" + urlencode({"text": title, "url": url})),
        ShareLink(
            "linkedin",
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        ),
        ShareLink(
            "facebook",
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        ),
    ]
