"""What the migration app remembers: where imported content came from, and its old addresses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedItem(models.Model):
    """One WordPress author, post or comment already brought into a blog.

    The record is what makes an import idempotent: a second run finds each item
    here and leaves it alone if its source is unchanged (same ``digest``).
    It deliberately holds the Despatch object's number rather than a foreign
    key, so that a post or comment deleted after the import stays deleted when
    the same file is imported again.
    """

    class Kind(models.TextChoices):
        AUTHOR = "author", _("Author")
        POST = "post", _("Post")
        COMMENT = "comment", _("Comment")

    source = models.CharField(
        _("WordPress site"),
        max_length=300,
        help_text=_("The address of the WordPress blog the file was exported from."),
    )
    blog = models.ForeignKey(
        "blogs.Blog",
        on_delete=models.CASCADE,
        related_name="imported_items",
        verbose_name=_("blog"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    wordpress_id = models.CharField(
        _("WordPress identifier"),
        max_length=200,
        help_text=_("The post or comment number in WordPress, or an author's login."),
    )
    object_id = models.PositiveBigIntegerField(_("Despatch number"))
    digest = models.CharField(
        _("source digest"),
        max_length=64,
        help_text=_(
            "A hash of the item as exported, to tell an unchanged item from an edited one."
        ),
    )
    imported_at = models.DateTimeField(_("imported"), auto_now=True)

    class Meta:
        verbose_name = _("imported item")
        verbose_name_plural = _("imported items")
        ordering = ["source", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "blog", "kind", "wordpress_id"],
                name="imported_item_once_per_blog",
            )
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="imported_item_object")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.wordpress_id} from {self.source}"


class LegacyAddress(models.Model):
    """An address a post had on its old site, answered with a permanent redirect.

    ``path`` is stored decoded and without a trailing slash; an old ``?p=123``
    link is stored as the blog's path followed by that query, e.g. ``/?p=123``.
    """

    post = models.ForeignKey(
        "posts.Post",
        on_delete=models.CASCADE,
        related_name="legacy_addresses",
        verbose_name=_("post"),
    )
    host = models.CharField(
        _("old host"),
        max_length=255,
        blank=True,
        help_text=_("The old site's host name, e.g. blogs.example.gov.uk."),
    )
    path = models.CharField(_("old path"), max_length=500)

    class Meta:
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")
        ordering = ["host", "path"]
        constraints = [
            models.UniqueConstraint(fields=["host", "path"], name="legacy_address_unique")
        ]
        indexes = [models.Index(fields=["path"], name="legacy_address_path")]

    def __str__(self) -> str:
        return f"{self.host}{self.path}"

    def get_absolute_url(self) -> str:
        return self.post.get_absolute_url()
