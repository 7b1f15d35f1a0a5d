from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from despatch.core.languages import CONTENT_LANGUAGE_CHOICES, text_direction
from despatch.core.pickling import FilesPickledByName

from .validators import validate_accent_colour, validate_blog_slug


class Blog(FilesPickledByName, models.Model):
    """One blog of the network: an embassy's, an ambassador's or a team's."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        validators=[validate_blog_slug],
        help_text=_("The first part of every address on this blog, e.g. “digital-diplomacy”."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("One or two sentences shown under the name.")
    )
    top_image = models.ImageField(
        _("top image"),
        upload_to="blogs/",
        blank=True,
        width_field="top_image_width",
        height_field="top_image_height",
    )
    # Stored so pages can reserve the image's space without opening the file.
    top_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    top_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    top_image_alt = models.CharField(
        _("top image description"),
        max_length=250,
        blank=True,
        help_text=_("Alternative text for readers who cannot see the image."),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=CONTENT_LANGUAGE_CHOICES, default="en"
    )
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        default="#1d4e89",
        validators=[validate_accent_colour],
        help_text=_("A hex colour with at least 4.5:1 contrast against white, e.g. #1d4e89."),
    )
    authors = models.ManyToManyField(
        "blogs.AuthorProfile", related_name="blogs", blank=True, verbose_name=_("authors")
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Blogs are listed on the network home in this order.")
    )
    is_historical = models.BooleanField(
        _("historical"),
        default=False,
        help_text=_("Show a banner on every post of this blog saying it is kept for the record."),
    )
    historical_note = models.CharField(
        _("historical note"),
        max_length=250,
        blank=True,
        help_text=_("E.g. “Published under a previous government.”"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("blog")
        verbose_name_plural = _("blogs")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("posts:blog", kwargs={"blog_slug": self.slug})

    @property
    def direction(self) -> str:
        return text_direction(self.language)


class AuthorProfile(FilesPickledByName, models.Model):
    """How an author appears to readers: name, job title, post, photo and links.

    Imported authors may have no user account; a profile stands on its own.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        verbose_name=_("user"),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    display_name = models.CharField(_("display name"), max_length=120)
    job_title = models.CharField(
        _("job title"), max_length=160, blank=True, help_text=_("E.g. “Head of Engagement”.")
    )
    location = models.CharField(
        _("location"), max_length=160, blank=True, help_text=_("E.g. “Digital Diplomacy, London”.")
    )
    photo = models.ImageField(
        _("photo"),
        upload_to="authors/",
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    biography = models.TextField(_("biography"), blank=True)
    website = models.URLField(_("website"), blank=True)
    fediverse_handle = models.CharField(
        _("fediverse handle"),
        max_length=200,
        blank=True,
        validators=[
            RegexValidator(
                r"^@[\w.-]+@[\w.-]+\.[a-z]{2,}$",
                _("Write the handle as @name@server.example."),
            )
        ],
        help_text=_("E.g. @ambassador@social.example."),
    )
    bluesky_handle = models.CharField(_("Bluesky handle"), max_length=200, blank=True)
    linkedin_url = models.URLField(_("LinkedIn page"), blank=True)

    class Meta:
        verbose_name = _("author profile")
        verbose_name_plural = _("author profiles")
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("posts:author", kwargs={"author_slug": self.slug})

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.display_name.split()[:2]).upper()

    @property
    def fediverse_url(self) -> str:
        """The profile address of ``@name@server``, which is ``https://server/@name``."""
        if not self.fediverse_handle:
            return ""
        name, _sep, server = self.fediverse_handle.lstrip("@").partition("@")
        return f"https://{server}/@{name}"

    @property
    def bluesky_url(self) -> str:
        return (
            f"https://bsky.app/profile/{self.bluesky_handle.lstrip('@')}"
            if self.bluesky_handle
            else ""
        )


class HistoricalPeriod(models.Model):
    """A span of time whose posts carry a banner, e.g. under a previous government.

    With no blog it covers the whole network.
    """

    blog = models.ForeignKey(
        Blog,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="historical_periods",
        verbose_name=_("blog"),
        help_text=_("Leave empty to mark the period across the whole network."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    note = models.CharField(
        _("note"), max_length=250, help_text=_("E.g. “Published under a previous government.”")
    )

    class Meta:
        verbose_name = _("historical period")
        verbose_name_plural = _("historical periods")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="historical_period_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} – {self.ends_on}: {self.note}"
