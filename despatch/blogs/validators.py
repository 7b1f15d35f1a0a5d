"""Validation rules for blogs."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The first path segment of these addresses belongs to the site, not to a blog.
RESERVED_BLOG_SLUGS = frozenset(
    {
        "admin", "api", "archive", "authors", "blogs", "feeds", "feed", "health", "media",
        "robots.txt", "search", "sitemap.xml", "static", "studio", "tags", "accounts", "login",
        "logout", "opensearch.xml", ".well-known", "users", "inbox", "nodeinfo", "live",
        "comments", "preview", "best-bits", "about", "house-rules", "privacy", "accessibility",
    }
)  # fmt: skip

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def validate_blog_slug(slug: str) -> None:
    """Refuse slugs that would hide one of the site's own addresses."""
    if slug.lower() in RESERVED_BLOG_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is used by the site itself; choose another address."),
            code="reserved",
            params={"slug": slug},
        )


def _relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """Return the WCAG contrast ratio between two ``#rrggbb`` colours."""
    lighter, darker = sorted(
        (_relative_luminance(first), _relative_luminance(second)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def validate_accent_colour(colour: str) -> None:
    """An accent colour must be a hex colour readable as text on white (WCAG AA, 4.5:1)."""
    if not HEX_COLOUR.match(colour):
        raise ValidationError(_("Write the colour as #rrggbb."), code="format")
    if contrast_ratio(colour, "#ffffff") < 4.5:
        raise ValidationError(
            _("This colour is too light to read on white (%(ratio).1f:1; 4.5:1 needed)."),
            code="contrast",
            params={"ratio": contrast_ratio(colour, "#ffffff")},
        )
