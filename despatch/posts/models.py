from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from despatch.core.languages import CONTENT_LANGUAGE_CHOICES, text_direction
from despatch.core.pickling import FilesPickledByName
from despatch.core.rendering import BodyFormat, excerpt_from_html


def render_body(source: str, body_format: str = BodyFormat.MARKDOWN) -> str:
    """Render a post body exactly as readers will see it: the public renderer, then
    ``srcset`` for images whose responsive renditions exist.

    The studio's live preview calls this too, so the preview never differs from
    the page.
    """
    from despatch.media.responsive import add_srcset

    return add_srcset(BodyFormat(body_format).render(source))


class Tag(models.Model):
    """A subject that posts across the network share, e.g. “Arms Trade Treaty”."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=90, unique=True, allow_unicode=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("posts:tag", kwargs={"tag_slug": self.slug})


class PostQuerySet(models.QuerySet["Post"]):
    def published(self) -> PostQuerySet:
        """Posts readers may see: published, or scheduled for a time that has come.

        Scheduled posts count as live from their time on, on the very next read,
        so a stopped worker never holds a post back.
        """
        return self.filter(
            Q(status=Post.Status.PUBLISHED) | Q(status=Post.Status.SCHEDULED),
            published_at__lte=timezone.now(),
        )

    def for_listing(self) -> PostQuerySet:
        """What a post summary shows, fetched with the post in one query."""
        return self.select_related("blog", "author").defer(
            "body_source", "body_html", "blog__description", "author__biography"
        )

    # The orders are never negative, so the ``>= 0`` below filters nothing out. It is
    # there for SQLite's planner: a range on the order column is what makes it walk
    # the small partial best-bits index rather than every live post's date.

    def best_bits(self) -> PostQuerySet:
        """A blog's featured posts, in the order its editors chose."""
        return (
            self.published()
            .filter(is_best_bit=True, best_bit_order__gte=0)
            .order_by("best_bit_order", "-published_at")
        )

    def network_best_bits(self) -> PostQuerySet:
        """The posts featured across the whole network, in the order the admins chose."""
        return (
            self.published()
            .filter(network_best_bit_order__isnull=False, network_best_bit_order__gte=0)
            .order_by("network_best_bit_order", "-published_at")
        )

    def featured_on_network(self) -> PostQuerySet:
        """What the network home features: the admins' picks, or every blog's until they pick."""
        picks = self.network_best_bits()
        return picks if picks.exists() else self.best_bits()

    def due_for_announcement(self) -> PostQuerySet:
        """Live posts whose publication side effects (feeds, search, notices) are still owed."""
        return self.published().filter(awaiting_announcement=True)

    def in_review(self) -> PostQuerySet:
        return self.filter(status=Post.Status.IN_REVIEW)


class Post(FilesPickledByName, models.Model):
    """One entry on a blog, written in Markdown and rendered once when saved."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")

    # The review lifecycle (W3): draft → in review → approved → scheduled or
    # published, and back to draft from anywhere. Who may take each step is
    # decided in ``permissions``; here is only which steps exist. Publishing
    # straight from a draft is a step too: an editor's own post needs no review.
    # An approved post that its author changes goes back to review.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.DRAFT: frozenset({Status.IN_REVIEW, Status.SCHEDULED, Status.PUBLISHED}),
        Status.IN_REVIEW: frozenset(
            {Status.DRAFT, Status.APPROVED, Status.SCHEDULED, Status.PUBLISHED}
        ),
        Status.APPROVED: frozenset(
            {Status.DRAFT, Status.IN_REVIEW, Status.SCHEDULED, Status.PUBLISHED}
        ),
        Status.SCHEDULED: frozenset({Status.DRAFT, Status.SCHEDULED, Status.PUBLISHED}),
        Status.PUBLISHED: frozenset({Status.DRAFT}),
    }

    blog = models.ForeignKey(
        "blogs.Blog", on_delete=models.PROTECT, related_name="posts", verbose_name=_("blog")
    )
    author = models.ForeignKey(
        "blogs.AuthorProfile",
        on_delete=models.PROTECT,
        related_name="posts",
        verbose_name=_("author"),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=True)
    body_format = models.CharField(
        _("body format"), max_length=10, choices=BodyFormat.choices, default=BodyFormat.MARKDOWN
    )
    body_source = models.TextField(_("body"), help_text=_("Written in Markdown."))
    body_html = models.TextField(_("rendered body"), blank=True, editable=False)
    excerpt = models.TextField(
        _("excerpt"),
        blank=True,
        help_text=_("Shown in listings and feeds. Left empty, the opening of the post is used."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    tags = models.ManyToManyField(Tag, related_name="posts", blank=True, verbose_name=_("tags"))
    top_image = models.ImageField(
        _("top image"),
        upload_to="posts/%Y/%m/",
        blank=True,
        width_field="top_image_width",
        height_field="top_image_height",
    )
    top_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    top_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    top_image_alt = models.CharField(_("top image description"), max_length=250, blank=True)
    top_image_srcset = models.TextField(
        _("top image sizes"),
        blank=True,
        editable=False,
        help_text=_("The responsive renditions of the top image, filled in when they exist."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=CONTENT_LANGUAGE_CHOICES,
        blank=True,
        help_text=_("Left empty, the blog's language is used."),
    )
    author_job_title = models.CharField(
        _("author's job title when published"),
        max_length=160,
        blank=True,
        help_text=_("Kept as it was on publication, even if the author's profile changes."),
    )
    author_location = models.CharField(
        _("author's location when published"), max_length=160, blank=True
    )
    is_best_bit = models.BooleanField(
        _("best bit"), default=False, help_text=_("Feature this post among the best bits.")
    )
    best_bit_order = models.PositiveSmallIntegerField(
        _("best bit order"), default=0, help_text=_("Lower numbers are shown first.")
    )
    network_best_bit_order = models.PositiveSmallIntegerField(
        _("network best bit order"),
        null=True,
        blank=True,
        help_text=_("Set to feature this post among the network's best bits; lower comes first."),
    )
    approved_comment_count = models.PositiveIntegerField(
        _("approved comments"), default=0, editable=False
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Goes up with every save, so two people's edits never silently overwrite."),
    )
    awaiting_announcement = models.BooleanField(
        _("awaiting announcement"),
        default=False,
        editable=False,
        help_text=_(
            "Set when the post is published or scheduled; the worker clears it when it has "
            "done the side effects (feeds, search, notifications), exactly once."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"
        constraints = [
            models.UniqueConstraint(fields=["blog", "slug"], name="post_slug_unique_per_blog"),
            models.CheckConstraint(
                condition=~Q(status__in=["scheduled", "published"]) | Q(published_at__isnull=False),
                name="post_live_has_date",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["draft", "in_review", "approved", "scheduled", "published"]
                ),
                name="post_status_known",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "published_at"], name="post_status_published"),
            models.Index(
                fields=["blog", "status", "published_at"], name="post_blog_status_published"
            ),
            models.Index(
                fields=["author", "status", "published_at"], name="post_author_status_published"
            ),
            models.Index(
                fields=["status", "best_bit_order", "-published_at"],
                name="post_best_bits",
                condition=Q(is_best_bit=True),
            ),
            models.Index(
                fields=["blog", "status", "best_bit_order", "-published_at"],
                name="post_blog_best_bits",
                condition=Q(is_best_bit=True),
            ),
            models.Index(
                fields=["status", "network_best_bit_order", "-published_at"],
                name="post_network_best_bits",
                condition=Q(network_best_bit_order__isnull=False),
            ),
            models.Index(
                fields=["published_at"],
                name="post_awaiting_announcement",
                condition=Q(awaiting_announcement=True),
            ),
            models.Index(fields=["blog", "status", "-updated_at"], name="post_studio_by_status"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        from despatch.media.responsive import srcset_for

        self.body_html = render_body(self.body_source, self.body_format)
        if not self.excerpt.strip():
            self.excerpt = excerpt_from_html(self.body_html)
        self.top_image_srcset = srcset_for(self.top_image.name) if self.top_image else ""
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "body_html",
                "excerpt",
                "top_image_srcset",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        published = timezone.localtime(self.published_at or timezone.now())
        return reverse(
            "posts:post",
            kwargs={
                "blog_slug": self.blog.slug,
                "year": f"{published.year:04d}",
                "month": f"{published.month:02d}",
                "slug": self.slug,
            },
        )

    @property
    def content_language(self) -> str:
        return self.language or self.blog.language

    @property
    def direction(self) -> str:
        return text_direction(self.content_language)

    def can_transition_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    def transition_to(self, status: str) -> str:
        """Move to ``status`` if the lifecycle has that step; return the previous status.

        Only the field changes here; the services in ``lifecycle`` and
        ``publishing`` check who may take the step, save, and do the rest.
        """
        if not self.can_transition_to(status):
            raise ValidationError(
                _("A post that is %(current)s cannot become %(target)s.")
                % {
                    "current": self.get_status_display().lower(),
                    "target": Post.Status(status).label.lower(),
                },
                code="invalid_transition",
            )
        previous = self.status
        self.status = status
        return previous

    @property
    def is_scheduled(self) -> bool:
        """Waiting for its time: scheduled for a moment still in the future."""
        return (
            self.status == self.Status.SCHEDULED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def is_live(self) -> bool:
        return Post.live(self.status, self.published_at)

    @staticmethod
    def live(status: str, published_at: datetime | None) -> bool:
        """Whether a post with this status and date is live now: published, or
        scheduled for a moment that has come."""
        return (
            status in (Post.Status.PUBLISHED, Post.Status.SCHEDULED)
            and published_at is not None
            and published_at <= timezone.now()
        )


class TagUsage(models.Model):
    """How many live posts of a blog carry a tag: the weight in tag clouds.

    Counting tags across 100,000 posts on every page would make pages slower as
    the network grows, so counts are kept here and refreshed when posts change.
    """

    blog = models.ForeignKey("blogs.Blog", on_delete=models.CASCADE, related_name="tag_usage")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="usage")
    post_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("tag usage")
        verbose_name_plural = _("tag usage")
        constraints = [
            models.UniqueConstraint(fields=["blog", "tag"], name="tag_usage_unique_per_blog")
        ]

    def __str__(self) -> str:
        return f"{self.tag} on {self.blog}: {self.post_count}"


class ArchiveMonth(models.Model):
    """How many live posts a blog has in a month: the archive's table of contents."""

    blog = models.ForeignKey("blogs.Blog", on_delete=models.CASCADE, related_name="archive_months")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    post_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("archive month")
        verbose_name_plural = _("archive months")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["blog", "year", "month"], name="archive_month_unique_per_blog"
            )
        ]

    def __str__(self) -> str:
        return f"{self.blog} {self.year}-{self.month:02d}: {self.post_count}"


class Revision(models.Model):
    """A post as it was after one save (W4): every save is kept, and any can be restored.

    Autosaves by the same person a few minutes apart update their latest
    autosave instead of piling up one revision per keystroke pause; every
    explicit save, submission and restore is a revision of its own.
    """

    class Kind(models.TextChoices):
        SAVE = "save", _("Saved")
        AUTOSAVE = "autosave", _("Autosaved")
        RESTORE = "restore", _("Restored")

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("post")
    )
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SAVE)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=True)
    excerpt = models.TextField(_("excerpt"), blank=True)
    body_source = models.TextField(_("body"), blank=True)
    tag_names = models.JSONField(_("tags"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    top_image = models.CharField(_("top image"), max_length=255, blank=True)
    top_image_alt = models.CharField(_("top image description"), max_length=250, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["post", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="revision_number_unique")
        ]

    def __str__(self) -> str:
        return _("Revision %(number)s of “%(title)s”") % {
            "number": self.number,
            "title": self.title,
        }


class ReviewComment(models.Model):
    """A reviewer's note on a submitted post, or the author's answer to one (W3)."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="review_comments", verbose_name=_("post")
    )
    revision = models.ForeignKey(
        Revision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on revision"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return _("%(author)s on “%(post)s”") % {"author": self.author, "post": self.post}


class PublishingPolicy(models.Model):
    """How one blog publishes: whether its authors may publish without an editor.

    A blog without a row keeps every author's post for review.
    """

    blog = models.OneToOneField(
        "blogs.Blog",
        on_delete=models.CASCADE,
        related_name="publishing_policy",
        verbose_name=_("blog"),
    )
    authors_may_publish = models.BooleanField(
        _("authors may publish their own posts"),
        default=False,
        help_text=_("Off: every author's post waits for an editor's approval."),
    )

    class Meta:
        verbose_name = _("publishing policy")
        verbose_name_plural = _("publishing policies")
        ordering = ["blog__name"]

    def __str__(self) -> str:
        return str(self.blog)
