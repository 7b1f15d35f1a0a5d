"""The three syndication formats every feed of the network is offered in."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _


class FeedFormat(models.TextChoices):
    """A feed format, named as it appears in addresses (``/feeds/rss/``) and in links."""

    RSS = "rss", "RSS"
    ATOM = "atom", "Atom"
    JSON = "json", "JSON Feed"

    @property
    def media_type(self) -> str:
        """The type announced in ``<link rel="alternate">``, which feed readers look for."""
        return {
            FeedFormat.RSS: "application/rss+xml",
            FeedFormat.ATOM: "application/atom+xml",
            FeedFormat.JSON: "application/feed+json",
        }[self]

    @property
    def link_text(self) -> str:
        """What a visible link to a feed in this format says."""
        return {
            FeedFormat.RSS: _("RSS feed"),
            FeedFormat.ATOM: _("Atom feed"),
            FeedFormat.JSON: _("JSON Feed"),
        }[self]
