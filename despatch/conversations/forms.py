"""The "Have an opinion?" form and the moderation queue's action form."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .house_rules import HouseRule
from .models import Comment
from .services import CommentDraft

if TYPE_CHECKING:
    from despatch.posts.models import Post

STARTED_SALT = "conversations.comment-form-started"
# A form left open longer than this still works; it just proves nothing about timing.
STARTED_MAX_AGE = 60 * 60 * 24 * 7


def started_token(post: Post) -> str:
    """Sign the moment the form was shown, tied to the post it was shown under."""
    return signing.dumps({"post": post.pk, "at": time.time()}, salt=STARTED_SALT)


def seconds_since_started(token: str, post: Post) -> float | None:
    """How long the form was open, or None if the token is missing or forged."""
    try:
        payload = signing.loads(token, salt=STARTED_SALT, max_age=STARTED_MAX_AGE)
    except signing.SignatureExpired:
        # A genuine form, open for days (or served from a cache): slow, not suspicious.
        return float(STARTED_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("post") != post.pk:
        return None
    return max(0.0, time.time() - float(payload.get("at", 0)))


class CommentForm(forms.Form):
    """A reader's comment: plain text, checked here for shape, and by the services for spam."""

    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("Shown with your comment."),
        error_messages={
            "required": _("Please give a name to show with your comment."),
            "max_length": _("Please shorten your name to %(limit_value)d characters."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("Never shown. Used only by the moderators, and for replies if you ask."),
        error_messages={
            "required": _("Please give your e-mail address. It is never shown."),
            "invalid": _("Please check your e-mail address; it should look like name@example.org."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    website = forms.URLField(
        label=_("Website (optional)"),
        max_length=200,
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": _("Please check the website address, e.g. https://example.org."),
        },
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    body = forms.CharField(
        label=_("Comment"),
        help_text=_(
            "Plain text. Leave a blank line between paragraphs; web addresses become links."
        ),
        error_messages={
            "required": _("Please write your comment."),
            "max_length": _(
                "Your comment is %(show_value)d characters long; the limit is %(limit_value)d. "
                "Please shorten it."
            ),
        },
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
    )
    notify_on_reply = forms.BooleanField(
        label=_("E-mail me when someone replies to my comment"), required=False
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    # The trap: hidden from people by the stylesheet and from assistive technology
    # by aria-hidden, but present in the markup that robots fill in.
    subject = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, post: Post, **kwargs: Any) -> None:
        # Prefixed ids, so the form's fields never clash with others on the post page.
        kwargs.setdefault("auto_id", "comment-%s")
        super().__init__(*args, **kwargs)
        self.post = post
        # Read per form, not at import, so the limit follows settings. The textarea
        # gets no maxlength attribute on purpose: browsers silently cut pasted
        # text at that length, and a reader should be told instead.
        body = self.fields["body"]
        body.max_length = settings.DESPATCH_COMMENTS_MAX_LENGTH  # type: ignore[attr-defined]
        body.validators.append(MaxLengthValidator(settings.DESPATCH_COMMENTS_MAX_LENGTH))
        if not self.is_bound:
            self.initial.setdefault("started", started_token(post))

    def clean_parent(self) -> Comment | None:
        parent_id = self.cleaned_data.get("parent")
        if not parent_id:
            return None
        parent = Comment.objects.approved().filter(pk=parent_id, post_id=self.post.pk).first()
        if parent is None:
            raise forms.ValidationError(
                _("The comment you are replying to is no longer published."), code="parent"
            )
        return parent

    def draft(self) -> CommentDraft:
        data = self.cleaned_data
        return CommentDraft(
            name=data["name"],
            email=data["email"],
            website=data.get("website") or "",
            body=data["body"],
            parent=data.get("parent"),
            notify_on_reply=bool(data.get("notify_on_reply")),
            honeypot=data.get("subject") or "",
            seconds_to_fill=seconds_since_started(data.get("started") or "", self.post),
        )

    def describe_fields(self) -> CommentForm:
        """Tie each field to its help text and error with ``aria-describedby``.

        Screen readers then read the error when the field takes focus, which is
        where a reader correcting the form needs it.
        """
        for name in ("name", "email", "website", "body"):
            bound = self[name]
            described = []
            if bound.help_text:
                described.append(f"{bound.auto_id}-help")
            if self.is_bound and bound.errors:
                described.append(f"{bound.auto_id}-error")
                bound.field.widget.attrs["aria-invalid"] = "true"
            if described:
                bound.field.widget.attrs["aria-describedby"] = " ".join(described)
        return self


class ModerationForm(forms.Form):
    """What a moderator asks of the queue: one action, on one comment or on those ticked."""

    ACTIONS = {
        "approve": Comment.Status.APPROVED,
        "reject": Comment.Status.REJECTED,
        "spam": Comment.Status.SPAM,
    }

    rule = forms.ChoiceField(choices=[("", "—"), *HouseRule.choices], required=False)
    action = forms.CharField()

    def clean(self) -> dict[str, Any]:
        """``action`` is either "approve" (bulk, on the ticked rows) or "approve:42" (one row)."""
        data = super().clean()
        verb, _sep, single = str(data.get("action", "")).partition(":")
        if verb not in self.ACTIONS:
            raise forms.ValidationError(_("Choose approve, reject or spam."), code="action")
        if single:
            try:
                targets = [int(single)]
            except ValueError as error:
                raise forms.ValidationError(_("Unknown comment."), code="comment") from error
            rule = self.data.get(f"rule-{single}", "") or data.get("rule", "")
        else:
            targets = [int(pk) for pk in self.data.getlist("selected") if str(pk).isdigit()]
            rule = data.get("rule", "")
        if not targets:
            raise forms.ValidationError(_("Tick at least one comment first."), code="empty")
        status = self.ACTIONS[verb]
        if status == Comment.Status.REJECTED and rule not in HouseRule.values:
            raise forms.ValidationError(
                _("Choose the house rule the comment breaks before rejecting it."), code="rule"
            )
        data.update(targets=targets, status=status, rule=rule)
        return data
