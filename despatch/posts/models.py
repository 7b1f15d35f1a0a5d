from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from despatch.core.languages import CONTENT_LANGUAGE_CHOICES, text_direction
from despatch.core.rendering import BodyFormat, excerpt_from_html


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

    def best_bits(self) -> PostQuerySet:
        return self.published().filter(is_best_bit=True).order_by("best_bit_order", "-published_at")


class Post(models.Model):
    """One entry on a blog, written in Markdown and rendered once when saved."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")

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
    approved_comment_count = models.PositiveIntegerField(
        _("approved comments"), default=0, editable=False
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
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="post_published_has_date",
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
                fields=["is_best_bit", "best_bit_order"],
                name="post_best_bits",
                condition=Q(is_best_bit=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.body_html = BodyFormat(self.body_format).render(self.body_source)
        if not self.excerpt.strip():
            self.excerpt = excerpt_from_html(self.body_html)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html", "excerpt"}
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

    @property
    def is_live(self) -> bool:
        return (
            self.status in (self.Status.PUBLISHED, self.Status.SCHEDULED)
            and self.published_at is not None
            and self.published_at <= timezone.now()
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
