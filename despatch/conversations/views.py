"""Pages of the conversation: the comment form's own page, its confirmation, the
moderation queue and the reply-e-mail unsubscribe. Each hands its work to the
services and renders what they return."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import UserPassesTestMixin
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from despatch.posts.models import Post

from . import moderation, ratelimits, selectors, services, tasks
from .forms import CommentForm, ModerationForm
from .house_rules import HouseRule
from .models import Comment, CommentClosure
from .spam import reasons_from_json

SUBMITTED_SALT = "conversations.submitted"
SUBMITTED_MAX_AGE = 60 * 60 * 24


def rate_limited(request: HttpRequest, *, retry_after: int, text: str = "") -> HttpResponse:
    """The friendly 429: what happened, when to try again, and the reader's text kept."""
    minutes = max(1, (retry_after + 59) // 60)
    response = render(
        request,
        "conversations/rate_limited.html",
        {"minutes": minutes, "text": text[:20_000]},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


@method_decorator(never_cache, name="dispatch")
class CommentFormView(View):
    """The "Have an opinion?" form on a page of its own.

    Posts show the same form under the article; this page is where it is sent,
    where a reply is written, and where a comment that needs fixing comes back
    with its text and its errors.
    """

    template_name = "conversations/comment_form_page.html"

    @cached_property
    def post_object(self) -> Post:
        post = get_object_or_404(
            Post.objects.published().select_related("blog", "author"), pk=self.kwargs["post_id"]
        )
        return post

    def get(self, request: HttpRequest, post_id: int) -> HttpResponse:
        initial: dict[str, Any] = {}
        reply_to = request.GET.get("reply_to", "")
        if reply_to.isdigit():
            initial["parent"] = int(reply_to)
        if request.user.is_authenticated:
            initial.update(
                name=request.user.get_full_name() or request.user.get_username(),
                email=request.user.email,
            )
        form = CommentForm(initial=initial, post=self.post_object)
        return self.render_form(form)

    def post(self, request: HttpRequest, post_id: int) -> HttpResponse:
        # Every attempt from an address counts towards its limit, valid or not.
        verdict = ratelimits.hit("ip", ratelimits.client_ip(request) or "unknown")
        if not verdict.allowed:
            return rate_limited(
                request, retry_after=verdict.retry_after, text=request.POST.get("body", "")
            )
        form = CommentForm(request.POST, post=self.post_object)
        if not form.is_valid():
            return self.render_form(form, status=422)
        try:
            comment = services.comment_submit(
                post=self.post_object,
                draft=form.draft(),
                ip_address=ratelimits.client_ip(request),
                user=request.user,
            )
        except services.CommentsClosed:
            return self.render_form(form, status=403)
        except services.RateLimited as limited:
            return rate_limited(
                request, retry_after=limited.retry_after, text=form.cleaned_data["body"]
            )
        token = signing.dumps(comment.pk, salt=SUBMITTED_SALT)
        return redirect("conversations:submitted", token=token)

    def render_form(self, form: CommentForm, *, status: int = 200) -> HttpResponse:
        parent = None
        parent_id = form.data.get("parent") if form.is_bound else form.initial.get("parent")
        if parent_id and str(parent_id).isdigit():
            parent = (
                Comment.objects.approved()
                .filter(pk=int(parent_id), post_id=self.post_object.pk)
                .only(*selectors.PUBLIC_FIELDS)
                .first()
            )
        context = {
            "post": self.post_object,
            "blog": self.post_object.blog,
            "form": form.describe_fields(),
            "parent": parent,
            "state": moderation.comments_state_for(self.post_object),
        }
        return render(self.request, self.template_name, context, status=status)


@never_cache
def submitted(request: HttpRequest, token: str) -> HttpResponse:
    """Say plainly what happens next to the comment just sent."""
    try:
        comment_id = signing.loads(token, salt=SUBMITTED_SALT, max_age=SUBMITTED_MAX_AGE)
    except signing.BadSignature as error:
        raise Http404(_("This confirmation has expired.")) from error
    comment = get_object_or_404(
        Comment.objects.select_related("post__blog").only(
            *selectors.PUBLIC_FIELDS,
            "post__title",
            "post__slug",
            "post__published_at",
            "post__blog__slug",
            "post__blog__name",
        ),
        pk=comment_id,
    )
    return render(
        request,
        "conversations/submitted.html",
        {"comment": comment, "post": comment.post, "statuses": Comment.Status},
    )


class ModeratorRequiredMixin(UserPassesTestMixin):
    """Moderators only: readers are sent to sign in, other staff are refused (403)."""

    def test_func(self) -> bool:
        return moderation.can_moderate(self.request.user)  # type: ignore[attr-defined]


@method_decorator(never_cache, name="dispatch")
class ModerationQueueView(ModeratorRequiredMixin, View):
    """The queue: a tab per status, oldest first, with single and bulk decisions."""

    template_name = "conversations/queue.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        status = self.current_status()
        page = selectors.queue_page(
            status=status,
            after=selectors.QueueCursor.decode(request.GET.get("after")),
            before=selectors.QueueCursor.decode(request.GET.get("before")),
        )
        counts = selectors.tab_counts()
        for comment in page.comments:
            comment.explained_reasons = reasons_from_json(comment.spam_reasons)  # type: ignore[attr-defined]
            comment.moves = sorted(  # type: ignore[attr-defined]
                Comment.TRANSITIONS[comment.status], key=Comment.Status.values.index
            )
        tabs = [
            {
                "status": value,
                "label": label,
                "count": counts[value],
                "capped": counts[value] >= selectors.TAB_COUNT_CAP,
                "current": value == status,
            }
            for value, label in Comment.Status.choices
        ]
        context = {
            "tabs": tabs,
            "status": status,
            "status_label": Comment.Status(status).label,
            "page": page,
            "statuses": Comment.Status,
            "house_rules": HouseRule.choices,
            "median_response": moderation.median_response_time(),
            "network_closure": CommentClosure.objects.in_force().network_wide().first(),
            "can_switch_network": request.user.is_superuser,  # type: ignore[union-attr]
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ModerationForm(request.POST)
        if not form.is_valid():
            for error in form.non_field_errors():
                messages.error(request, error)
            return self.back()
        result = services.comment_moderate(
            comment_ids=form.cleaned_data["targets"],
            to=form.cleaned_data["status"],
            by=request.user,
            rule=form.cleaned_data["rule"],
        )
        label = Comment.Status(form.cleaned_data["status"]).label
        if result.changed:
            messages.success(
                request,
                ngettext(
                    "%(count)d comment is now %(status)s.",
                    "%(count)d comments are now %(status)s.",
                    len(result.changed),
                )
                % {"count": len(result.changed), "status": str(label).lower()},
            )
        if result.unchanged:
            messages.warning(
                request,
                ngettext(
                    "%(count)d comment was already decided and was left as it was.",
                    "%(count)d comments were already decided and were left as they were.",
                    len(result.unchanged),
                )
                % {"count": len(result.unchanged)},
            )
        return self.back()

    def current_status(self) -> str:
        status = self.request.GET.get("status", Comment.Status.PENDING)
        return status if status in Comment.Status.values else Comment.Status.PENDING

    def back(self) -> HttpResponseRedirect:
        """Return to the tab and page the moderator acted from."""
        target = self.request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=False
        ) or not target.startswith(reverse("conversations:queue")):
            target = reverse("conversations:queue")
        return HttpResponseRedirect(target)


@require_POST
def network_switch(request: HttpRequest) -> HttpResponse:
    """The election-period switch: close or reopen every comment form on the network."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("conversations:queue"))
    if request.POST.get("close"):
        services.comments_close_network(by=request.user, note=request.POST.get("note", ""))
        messages.success(request, _("Comments are now closed across the network."))
    else:
        services.comments_reopen_network(by=request.user)
        messages.success(request, _("Comments are open again across the network."))
    return redirect("conversations:queue")


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class UnsubscribeView(View):
    """Stop reply e-mails to one address.

    A GET only asks (mail scanners follow links); the POST acts. It needs no
    CSRF token because the signed token in the address is the proof, and mail
    clients' one-click unsubscribe (RFC 8058) posts without any page.
    """

    template_name = "conversations/unsubscribe.html"

    def email(self) -> str:
        email = tasks.email_from_unsubscribe_token(self.kwargs["token"])
        if email is None:
            raise Http404(_("This unsubscribe link is not valid."))
        return email

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        self.email()
        return render(request, self.template_name, {"done": False})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        services.replies_unsubscribe(email=self.email())
        return render(request, self.template_name, {"done": True})
