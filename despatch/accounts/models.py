"""People who sign in, their roles on each blog, and the record of what they did."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: an author, an editor, a moderator or an admin.

    Readers never need an account. The model is custom from the first migration
    so that later fields (two-factor state, roles) need no swap of the user model.
    An admin is a superuser; every other role is held per blog (``Membership``).
    """

    email = models.EmailField(_("e-mail address"), blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    """What a person may do on one blog (W1). Admins are superusers, across every blog."""

    CONTRIBUTOR = "contributor", _("Contributor")
    AUTHOR = "author", _("Author")
    EDITOR = "editor", _("Editor")
    MODERATOR = "moderator", _("Moderator")


class Membership(models.Model):
    """One role that one person holds on one blog.

    A person may hold several roles on a blog (an editor who also moderates),
    and none at all on another: an editor of one blog is nobody on the next.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    # Referenced by name: accounts sits below blogs and never imports it.
    blog = models.ForeignKey(
        "blogs.Blog", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("blog")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["blog_id", "role", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "blog", "role"], name="membership_one_role_once_per_blog"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["contributor", "author", "editor", "moderator"]),
                name="membership_role_known",
            ),
        ]
        indexes = [models.Index(fields=["blog", "role"], name="membership_blog_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.blog}"


class AuditLogEntry(models.Model):
    """One consequential act: who published, unpublished, changed roles or settings, and when.

    Entries name their subject by type, number and label rather than by a
    foreign key, so that they outlive whatever they describe and accounts need
    not know the other apps' models.
    """

    class Action(models.TextChoices):
        PUBLISH = "publish", _("Published a post")
        SCHEDULE = "schedule", _("Scheduled a post")
        UNPUBLISH = "unpublish", _("Unpublished a post")
        APPROVE = "approve", _("Approved a post")
        ROLE_GRANT = "role_grant", _("Granted a role")
        ROLE_REVOKE = "role_revoke", _("Revoked a role")
        ADMIN_GRANT = "admin_grant", _("Made an admin")
        ADMIN_REVOKE = "admin_revoke", _("Removed an admin")
        USER_CREATE = "user_create", _("Created an account")
        BLOG_SETTINGS = "blog_settings", _("Changed a blog's settings")
        BEST_BITS = "best_bits", _("Changed the best bits")
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_LOCKED = "sign_in_locked", _("Sign-in locked after failed attempts")
        TWO_FACTOR_ON = "2fa_on", _("Turned on two-factor sign-in")
        TWO_FACTOR_OFF = "2fa_off", _("Turned off two-factor sign-in")
        RECOVERY_CODES = "recovery_codes", _("Made new recovery codes")
        PASSWORD_RESET = "password_reset", _("Reset a password")
        DEACTIVATE = "deactivate", _("Deactivated an account")
        REACTIVATE = "reactivate", _("Reactivated an account")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the system acted on its own, e.g. the worker."),
    )
    actor_name = models.CharField(
        _("by (name)"), max_length=150, blank=True, help_text=_("Kept if the account goes.")
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    subject_type = models.CharField(_("subject type"), max_length=40, blank=True)
    subject_id = models.CharField(_("subject number"), max_length=40, blank=True)
    subject_label = models.CharField(_("subject"), max_length=250, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_log_recent"),
            models.Index(fields=["action", "-at"], name="audit_log_action"),
            models.Index(fields=["subject_type", "subject_id"], name="audit_log_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '—'}: {self.get_action_display()}"
