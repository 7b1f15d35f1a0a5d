"""What the search engines read: one entry per findable post, and the words they know."""

from __future__ import annotations

import math
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

# An entry's key sorts entries by publication time, then by post: seconds since
# the epoch, times this, plus the post's id modulo this. Both engines keep
# their index in key order, so "the newest matches" is a walk along the index
# rather than a sort of every match. Post ids below a hundred million are
# unique within any one second; beyond that, two posts would have to share both
# the same second and the same remainder.
KEY_SPREAD = 100_000_000


def entry_key(*, published_at: datetime, post_id: int) -> int:
    """The key of the entry of the post ``post_id`` published at ``published_at``."""
    return math.floor(published_at.timestamp()) * KEY_SPREAD + post_id % KEY_SPREAD


def key_before(moment: datetime) -> int:
    """The smallest key of any post published at or after the second of ``moment``."""
    return math.floor(moment.timestamp()) * KEY_SPREAD


class SearchEntry(models.Model):
    """A published or scheduled post as the search engines see it.

    Entries are written by ``despatch.search.indexing`` whenever a post changes
    and hold the post's text already folded into plain words, so both engines
    index exactly the same words. On SQLite an FTS5 table uses these rows as its
    external content; on PostgreSQL a ``tsvector`` column (added by a migration
    for that database only) is indexed instead and the text columns stay empty.
    A scheduled post has its entry from the moment it is scheduled; queries only
    return entries whose time has come.
    """

    key = models.BigIntegerField(
        _("key"),
        primary_key=True,
        help_text=_("Publication time and post, as one sortable number."),
    )
    post = models.OneToOneField(
        "posts.Post",
        on_delete=models.CASCADE,
        related_name="search_entry",
        verbose_name=_("post"),
    )
    published_at = models.DateTimeField(_("published at"))
    title = models.TextField(_("title words"), blank=True)
    tags = models.TextField(_("tag words"), blank=True)
    author = models.TextField(_("author words"), blank=True)
    body = models.TextField(_("body words"), blank=True)
    facets = models.TextField(
        _("filter tokens"),
        blank=True,
        help_text=_("Blog, author, language and tags, as tokens that filters match."),
    )

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        ordering = ["-key"]

    def __str__(self) -> str:
        return f"search entry of post {self.post_id}"


class SearchTerm(models.Model):
    """A word that appears in indexed posts: the vocabulary "did you mean" draws on.

    Counts are exact after ``despatch search-reindex`` and approximate between
    rebuilds: a new word enters with a count of one, and words that leave the
    index stay until the next rebuild. Suggestions are checked against the
    index before they are offered, so a stale word is never suggested.
    """

    term = models.CharField(_("term"), max_length=64, unique=True)
    length = models.PositiveSmallIntegerField(_("length"))
    document_count = models.PositiveIntegerField(_("posts"), default=1)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        ordering = ["term"]
        indexes = [models.Index(fields=["length", "term"], name="search_term_length_term")]

    def __str__(self) -> str:
        return self.term
