"""Images and videos that a blog's writers upload, and the sizes made of each image."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def image_path(instance: Image, filename: str) -> str:
    """Where an upload is stored: a name of our choosing, never the one the browser sent."""
    return f"images/{timezone.now():%Y/%m}/{filename}"


def rendition_path(instance: Rendition, filename: str) -> str:
    return f"images/renditions/{timezone.now():%Y/%m}/{filename}"


def video_path(instance: Video, filename: str) -> str:
    return f"videos/{timezone.now():%Y/%m}/{filename}"


class Image(models.Model):
    """A picture in a blog's media library, always with a description for blind readers."""

    class Format(models.TextChoices):
        JPEG = "JPEG", "JPEG"
        PNG = "PNG", "PNG"
        WEBP = "WEBP", "WebP"
        GIF = "GIF", "GIF"

    blog = models.ForeignKey(
        "blogs.Blog", on_delete=models.PROTECT, related_name="images", verbose_name=_("blog")
    )
    file = models.ImageField(
        _("file"),
        upload_to=image_path,
        max_length=255,
        width_field="width",
        height_field="height",
    )
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices, editable=False)
    byte_size = models.PositiveBigIntegerField(_("size in bytes"), editable=False, default=0)
    alt_text = models.CharField(
        _("description (alt text)"),
        max_length=250,
        help_text=_("What the picture shows, for readers who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=250, blank=True)
    original_name = models.CharField(_("original file name"), max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    renditions_made_at = models.DateTimeField(
        _("renditions made"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Empty until the worker has made the smaller sizes."),
    )

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["-uploaded_at", "-id"]
        indexes = [
            models.Index(fields=["blog", "-uploaded_at"], name="image_library"),
            models.Index(fields=["file"], name="image_file"),
        ]

    def __str__(self) -> str:
        return self.alt_text or self.original_name or self.file.name

    @property
    def markdown(self) -> str:
        """What to paste into a post to show this image."""
        alt = self.alt_text.replace("[", "(").replace("]", ")")
        return f"![{alt}]({self.file.url})"


class Rendition(models.Model):
    """One smaller WebP copy of an image, for ``srcset``."""

    image = models.ForeignKey(
        Image, on_delete=models.CASCADE, related_name="renditions", verbose_name=_("image")
    )
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    file = models.FileField(_("file"), upload_to=rendition_path, max_length=255)

    class Meta:
        verbose_name = _("rendition")
        verbose_name_plural = _("renditions")
        ordering = ["image", "width"]
        constraints = [
            models.UniqueConstraint(fields=["image", "width"], name="rendition_once_per_width")
        ]

    def __str__(self) -> str:
        return f"{self.image} at {self.width}px"


class Video(models.Model):
    """A self-hosted video with its captions file and the full transcript readers see."""

    blog = models.ForeignKey(
        "blogs.Blog", on_delete=models.PROTECT, related_name="videos", verbose_name=_("blog")
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("video file"), upload_to=video_path, max_length=255)
    captions = models.FileField(
        _("captions (WebVTT)"), upload_to=video_path, max_length=255, blank=True
    )
    captions_language = models.CharField(_("captions language"), max_length=10, default="en")
    transcript = models.TextField(
        _("transcript"), help_text=_("Everything said and shown, for people who cannot play it.")
    )
    byte_size = models.PositiveBigIntegerField(_("size in bytes"), editable=False, default=0)
    original_name = models.CharField(_("original file name"), max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["blog", "-uploaded_at"], name="video_library")]

    def __str__(self) -> str:
        return self.title

    @property
    def markdown(self) -> str:
        """The ``video`` block that shows this video with its captions and transcript."""
        lines = [self.file.url, f"title: {self.title}"]
        if self.captions:
            lines += [f"captions: {self.captions.url}", f"language: {self.captions_language}"]
        transcript = self.transcript.strip()
        fence = "```"
        while fence in transcript:
            fence += "`"
        return f"{fence}video\n" + "\n".join(lines) + f"\n\n{transcript}\n{fence}"
