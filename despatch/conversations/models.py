"""Comments, their moderation, and what the spam defence learns and remembers."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .house_rules import HouseRule
from .text import render_comment_text


class CommentQuerySet(models.QuerySet["Comment"]):
    def approved(self) -> CommentQuerySet:
        return self.filter(status=Comment.Status.APPROVED)

    def on_live_posts(self) -> CommentQuerySet:
        """Comments under posts that readers can see; an unpublished post hides its thread."""
        from despatch.posts.models import Post

        return self.filter(
            Q(post__status=Post.Status.PUBLISHED) | Q(post__status=Post.Status.SCHEDULED),
            post__published_at__lte=timezone.now(),
        )

    def by_address(self, email: str) -> CommentQuerySet:
        """Every comment written with this e-mail address (addresses are stored lower-cased)."""
        return self.filter(author_email=normalise_email(email))


def normalise_email(email: str) -> str:
    """Lower-case the whole address so one person's comments are found under one key.

    Strictly the part before ``@`` may be case-sensitive, but no real mail
    system treats it so, and matching on it would split one commenter in two.
    """
    return email.strip().lower()


class Comment(models.Model):
    """A reader's answer to a post, or a reply to another comment (one level deep)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")
        REJECTED = "rejected", _("Rejected")

    class Badge(models.TextChoices):
        NONE = "", _("Reader")
        AUTHOR = "author", _("Author")
        OFFICIAL = "official", _("Official")

    # The moderation lifecycle. A decision can be revised (an approved comment
    # later found to be spam), but nothing returns to "pending": the queue only
    # ever holds comments nobody has looked at yet.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.PENDING: frozenset({Status.APPROVED, Status.REJECTED, Status.SPAM}),
        Status.APPROVED: frozenset({Status.REJECTED, Status.SPAM}),
        Status.SPAM: frozenset({Status.APPROVED, Status.REJECTED}),
        Status.REJECTED: frozenset({Status.APPROVED, Status.SPAM}),
    }

    post = models.ForeignKey(
        "posts.Post", on_delete=models.CASCADE, related_name="comments", verbose_name=_("post")
    )
    # Copied from the post so that a blog's recent comments are one index range.
    blog = models.ForeignKey(
        "blogs.Blog",
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("blog"),
        editable=False,
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("signed-in user"),
        help_text=_("Set when an author or official comments while signed in."),
    )
    author_name = models.CharField(_("name"), max_length=80)
    author_email = models.EmailField(
        _("e-mail address"),
        blank=True,
        help_text=_("Never shown. Empty once the commenter's data has been erased."),
    )
    author_website = models.URLField(_("website"), max_length=200, blank=True)
    body = models.TextField(_("comment"))
    body_html = models.TextField(_("rendered comment"), editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    badge = models.CharField(_("badge"), max_length=10, choices=Badge.choices, blank=True)
    rejection_rule = models.CharField(
        _("house rule broken"), max_length=2, choices=HouseRule.choices, blank=True
    )
    spam_score = models.FloatField(
        _("spam score"), default=0.0, help_text=_("0 is certainly a person, 1 certainly spam.")
    )
    spam_reasons = models.JSONField(
        _("spam reasons"), default=list, blank=True, help_text=_("The rules that fired.")
    )
    trained_as = models.CharField(
        _("learned as"),
        max_length=4,
        blank=True,
        editable=False,
        help_text=_("What the spam model last learned from this comment: spam, ham or nothing."),
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64, editable=False)
    ip_address = models.GenericIPAddressField(
        _("IP address"), null=True, blank=True, help_text=_("Dropped after the retention period.")
    )
    notify_on_reply = models.BooleanField(_("e-mail me replies"), default=False)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    response_seconds = models.PositiveIntegerField(
        _("moderation response time"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Seconds from submission to the first moderator's decision."),
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["submitted_at", "id"]
        permissions = [("moderate_comments", _("Can moderate comments"))]
        indexes = [
            models.Index(fields=["status", "submitted_at", "id"], name="comment_queue"),
            models.Index(fields=["post", "status", "submitted_at"], name="comment_thread"),
            models.Index(fields=["blog", "status", "submitted_at"], name="comment_blog_recent"),
            models.Index(fields=["author_email", "status"], name="comment_author_email"),
            models.Index(fields=["fingerprint", "submitted_at"], name="comment_fingerprint"),
            models.Index(
                fields=["submitted_at"],
                name="comment_ip_retained",
                condition=Q(ip_address__isnull=False),
            ),
            models.Index(
                fields=["decided_at"],
                name="comment_response_time",
                condition=Q(response_seconds__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "spam", "rejected"]),
                name="comment_status_known",
            ),
            # The same text from the same address under the same post is one comment:
            # a double-click or a resent form must not publish it twice.
            models.UniqueConstraint(
                fields=["post", "author_email", "fingerprint"],
                condition=~Q(author_email=""),
                name="comment_once_per_author",
            ),
        ]

    def __str__(self) -> str:
        return _("%(name)s on “%(post)s”") % {"name": self.author_name, "post": self.post}

    def save(self, *args, **kwargs) -> None:
        self.body_html = render_comment_text(self.body)
        self.author_email = normalise_email(self.author_email)
        if not self.blog_id:
            self.blog_id = self.post.blog_id
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#comment-{self.pk}"

    def can_transition_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    def transition_to(
        self, status: str, *, by: models.Model | None, rule: str = "", at: datetime | None = None
    ) -> str:
        """Move to ``status``, recording who decided and when; return the previous status.

        Only the fields change here; ``services.comment_moderate`` saves them and
        keeps everything that depends on a decision (counts, the spam model, the
        log, notifications) in step.
        """
        if not self.can_transition_to(status):
            raise ValidationError(
                _("A %(current)s comment cannot become %(target)s.")
                % {"current": self.get_status_display(), "target": Comment.Status(status).label},
                code="invalid_transition",
            )
        if status == Comment.Status.REJECTED and not rule:
            raise ValidationError(_("Choose the house rule the comment breaks."), code="no_rule")
        previous = self.status
        now = at or timezone.now()
        if by is not None and self.response_seconds is None:
            self.response_seconds = max(0, int((now - self.submitted_at).total_seconds()))
        self.status = status
        self.rejection_rule = rule if status == Comment.Status.REJECTED else ""
        self.decided_at = now
        self.decided_by = by  # type: ignore[assignment]
        return previous

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    @property
    def house_rule(self) -> HouseRule | None:
        return HouseRule(self.rejection_rule) if self.rejection_rule else None


class ModerationLogEntry(models.Model):
    """One moderation action: who did what to which comment, and when.

    Entries outlive the comments they describe (a purge keeps its entry), so the
    comment's number is kept beside the link.
    """

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        SPAM = "spam", _("Marked as spam")
        HOLD = "hold", _("Held for moderation")
        PURGE = "purge", _("Purged spam")
        PRUNE = "prune", _("Dropped IP addresses")
        EXPORT = "export", _("Exported a commenter's data")
        ERASE = "erase", _("Erased a commenter's data")
        CLOSE = "close", _("Closed comments")
        REOPEN = "reopen", _("Reopened comments")

    comment = models.ForeignKey(
        Comment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="log_entries",
        verbose_name=_("comment"),
    )
    comment_number = models.PositiveBigIntegerField(_("comment number"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the spam defence or a command acted on its own."),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_status = models.CharField(
        _("from"), max_length=10, choices=Comment.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=Comment.Status.choices, blank=True)
    rule = models.CharField(_("house rule"), max_length=2, choices=HouseRule.choices, blank=True)
    note = models.CharField(_("note"), max_length=250, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["at"], name="moderation_log_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} #{self.comment_number or ''}"


class BlogCommentPolicy(models.Model):
    """How one blog's comments are moderated, and when its posts stop taking comments.

    A blog without a policy row pre-moderates everything and never closes by age.
    """

    class Moderation(models.TextChoices):
        PRE_MODERATE = "pre", _("Pre-moderate every comment")
        TRUST_KNOWN = "trusted", _("Publish at once for commenters with approved comments")

    blog = models.OneToOneField(
        "blogs.Blog",
        on_delete=models.CASCADE,
        related_name="comment_policy",
        verbose_name=_("blog"),
    )
    moderation = models.CharField(
        _("moderation"), max_length=10, choices=Moderation.choices, default=Moderation.PRE_MODERATE
    )
    close_after_days = models.PositiveSmallIntegerField(
        _("close comments after (days)"),
        null=True,
        blank=True,
        help_text=_("Comments close this many days after a post is published. Empty: never."),
    )

    class Meta:
        verbose_name = _("blog comment policy")
        verbose_name_plural = _("blog comment policies")
        ordering = ["blog__name"]

    def __str__(self) -> str:
        return str(self.blog)


class CommentClosureQuerySet(models.QuerySet["CommentClosure"]):
    def in_force(self, at: datetime | None = None) -> CommentClosureQuerySet:
        now = at or timezone.now()
        return self.filter(starts_at__lte=now).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))

    def network_wide(self) -> CommentClosureQuerySet:
        return self.filter(blog__isnull=True, post__isnull=True)


class CommentClosure(models.Model):
    """Comments closed on one post, one blog, or (with neither) the whole network.

    A network-wide closure is the election-period switch: one row closes every
    form at once, and its note replaces each form. Closures are ended rather than
    deleted, so the record shows when comments were closed and by whom.
    """

    blog = models.ForeignKey(
        "blogs.Blog",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comment_closures",
        verbose_name=_("blog"),
    )
    post = models.ForeignKey(
        "posts.Post",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comment_closures",
        verbose_name=_("post"),
    )
    note = models.CharField(
        _("notice"),
        max_length=250,
        blank=True,
        help_text=_("Shown in place of the form, e.g. “Comments are closed during the election.”"),
    )
    starts_at = models.DateTimeField(_("from"), default=timezone.now)
    ends_at = models.DateTimeField(
        _("until"), null=True, blank=True, help_text=_("Empty: until someone reopens comments.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    objects = CommentClosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment closure")
        verbose_name_plural = _("comment closures")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(blog__isnull=True) | Q(post__isnull=True),
                name="comment_closure_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="comment_closure_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        scope = self.post or self.blog or _("the whole network")
        return _("Comments closed on %(scope)s") % {"scope": scope}

    @property
    def is_network_wide(self) -> bool:
        return self.blog_id is None and self.post_id is None


class BlockedTerm(models.Model):
    """A word or phrase that marks a comment as likely spam wherever it appears."""

    term = models.CharField(
        _("word or phrase"),
        max_length=100,
        unique=True,
        help_text=_("Matched as whole words, ignoring case, e.g. “casino” or “cheap pills”."),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("blocked word")
        verbose_name_plural = _("blocked words")
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term

    def save(self, *args, **kwargs) -> None:
        self.term = " ".join(self.term.lower().split())
        super().save(*args, **kwargs)


class SpamToken(models.Model):
    """How many spam and how many genuine comments a word has appeared in.

    The learned part of the spam score: moderators' decisions train it, one
    comment at a time, so it adapts to the spam this network actually gets.
    """

    token = models.CharField(_("token"), max_length=64, unique=True)
    spam_count = models.PositiveIntegerField(_("in spam"), default=0)
    ham_count = models.PositiveIntegerField(_("in genuine comments"), default=0)

    class Meta:
        verbose_name = _("spam model token")
        verbose_name_plural = _("spam model tokens")
        ordering = ["token"]

    def __str__(self) -> str:
        return f"{self.token}: {self.spam_count}/{self.ham_count}"


class SpamModelTotals(models.Model):
    """How many spam and genuine comments the model has learned from (one row)."""

    spam_documents = models.PositiveIntegerField(_("spam comments learned"), default=0)
    ham_documents = models.PositiveIntegerField(_("genuine comments learned"), default=0)

    class Meta:
        verbose_name = _("spam model totals")
        verbose_name_plural = _("spam model totals")

    def __str__(self) -> str:
        return f"{self.spam_documents} spam / {self.ham_documents} genuine"
