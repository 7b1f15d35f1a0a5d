"""The studio's forms: they check the shape of what people send; the rules live in the domain."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from despatch.accounts.models import Role
from despatch.blogs.models import Blog
from despatch.blogs.validators import validate_accent_colour
from despatch.core.languages import CONTENT_LANGUAGE_CHOICES
from despatch.media.models import Image
from despatch.posts.lifecycle import PostChanges, parse_tag_names, written_excerpt
from despatch.posts.models import Post


class SignInForm(AuthenticationForm):
    """Django's sign-in form; throttling is done by the authentication backend."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That name and password do not match an active account. Check both and try again."
        ),
    }


class SecondStepForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class ConfirmAuthenticatorForm(forms.Form):
    code = forms.CharField(
        label=_("The six-digit code your app shows now"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PostForm(forms.Form):
    """Everything an author writes about a post. Status is never a field: steps are buttons."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body_source = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "true"}),
        help_text=_("Written in Markdown: **bold**, *italic*, [link](https://…), > quote."),
    )
    slug = forms.CharField(
        label=_("Address"),
        max_length=200,
        required=False,
        help_text=_("The last part of the post's address. Left empty, it comes from the title."),
    )
    excerpt = forms.CharField(
        label=_("Excerpt"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown in listings and feeds. Left empty, the opening of the post is used."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separate tags with commas, e.g. “Arms Trade Treaty, human rights”."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "tag-suggestions"}),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("The blog's language")), *CONTENT_LANGUAGE_CHOICES],
    )
    top_image = forms.ModelChoiceField(
        label=_("Top image"),
        required=False,
        queryset=Image.objects.none(),
        empty_label=_("No top image"),
    )
    top_image_alt = forms.CharField(
        label=_("Top image description"),
        max_length=250,
        required=False,
        help_text=_("Left empty, the description from the media library is used."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, blog: Blog, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["top_image"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Image.objects.filter(blog=blog).order_by("-uploaded_at")

    @staticmethod
    def initial_for(post: Post) -> dict[str, Any]:
        from despatch.media.models import Image as LibraryImage

        image = (
            LibraryImage.objects.filter(file=post.top_image.name).first()
            if post.top_image
            else None
        )
        return {
            "title": post.title,
            "body_source": post.body_source,
            "slug": post.slug,
            "excerpt": written_excerpt(post),
            "tags": ", ".join(tag.name for tag in post.tags.order_by("name")),
            "language": post.language,
            "top_image": image,
            "top_image_alt": post.top_image_alt,
            "version": post.version,
        }

    def changes(self) -> PostChanges:
        data = self.cleaned_data
        image: Image | None = data.get("top_image")
        alt = data.get("top_image_alt", "").strip()
        if image is not None and not alt:
            alt = image.alt_text
        return PostChanges(
            title=data["title"],
            body_source=data.get("body_source", ""),
            slug=data.get("slug", ""),
            excerpt=data.get("excerpt", ""),
            tag_names=parse_tag_names(data.get("tags", "")),
            language=data.get("language", ""),
            top_image_name=image.file.name if image is not None else "",
            top_image_alt=alt if image is not None else "",
        )


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_("Leave empty to publish now."),
    )

    def clean_publish_at(self) -> Any:
        when = self.cleaned_data.get("publish_at")
        if when is not None and when < timezone.now() - timedelta(minutes=5):
            raise forms.ValidationError(_("That time has passed. Leave it empty to publish now."))
        return when


class ReviewCommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ImageUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Picture"),
        help_text=_("JPEG, PNG, WebP or GIF."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    alt_text = forms.CharField(
        label=_("Description (alt text)"),
        max_length=250,
        help_text=_("What the picture shows, for readers who cannot see it. Required."),
    )
    caption = forms.CharField(label=_("Caption"), max_length=250, required=False)


class ImageDescribeForm(forms.Form):
    alt_text = forms.CharField(label=_("Description (alt text)"), max_length=250)
    caption = forms.CharField(label=_("Caption"), max_length=250, required=False)


class VideoUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Video file"),
        help_text=_("MP4 or WebM."),
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,video/webm"}),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    captions = forms.FileField(
        label=_("Captions (WebVTT)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".vtt,text/vtt"}),
    )
    captions_language = forms.ChoiceField(
        label=_("Captions language"), choices=CONTENT_LANGUAGE_CHOICES, initial="en"
    )
    transcript = forms.CharField(
        label=_("Transcript"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Everything said and shown, for people who cannot play the video. Required."),
    )


class MembershipForm(forms.Form):
    """One person's roles on one blog, as checkboxes."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        required=False,
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class PersonForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("Someone already has that username."))
        return username


class BlogSettingsForm(forms.ModelForm):
    authors_may_publish = forms.BooleanField(
        label=_("Authors may publish their own posts without an editor"), required=False
    )

    class Meta:
        model = Blog
        fields = [
            "name",
            "description",
            "language",
            "accent_colour",
            "is_historical",
            "historical_note",
        ]

    def clean_accent_colour(self) -> str:
        colour = self.cleaned_data["accent_colour"]
        validate_accent_colour(colour)
        return colour
