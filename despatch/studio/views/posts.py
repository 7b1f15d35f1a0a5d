"""Writing and reviewing: the dashboard, the post list, the editor, revisions and previews."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from despatch.blogs.models import Blog
from despatch.core.pagination import paginate
from despatch.posts import lifecycle, permissions, previews, revisions
from despatch.posts.models import Post, Revision, Tag, render_body
from despatch.posts.permissions import PostAction
from despatch.posts.publishing import post_publish, post_unpublish
from despatch.posts.worklists import studio_posts, worklist

from ..forms import PostForm, ReviewCommentForm, ScheduleForm
from .base import StudioMixin, studio_context

WORDS_PER_MINUTE = 230


def _pending_comments(user: Any) -> int | None:
    """How many comments wait for moderation, for people who moderate."""
    if not user.has_perm("conversations.moderate_comments"):
        return None
    try:
        from despatch.conversations.models import Comment
    except ImportError:  # pragma: no cover - conversations is optional
        return None
    return Comment.objects.filter(status=Comment.Status.PENDING).count()


class DashboardView(StudioMixin, TemplateView):
    """Each person lands on what needs them: drafts, reviews, schedules, comments."""

    template_name = "studio/dashboard.html"
    section = "dashboard"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            work=worklist(self.request.user), pending_comments=_pending_comments(self.request.user)
        )
        return context


class PostListView(StudioMixin, TemplateView):
    template_name = "studio/post_list.html"
    section = "posts"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        posts = studio_posts(self.request.user)
        status = self.request.GET.get("status", "")
        if status in Post.Status.values:
            posts = posts.filter(status=status)
        query = self.request.GET.get("q", "").strip()
        if query:
            posts = posts.filter(Q(title__icontains=query) | Q(slug__icontains=query))
        page = paginate(self.request, posts, 25)
        context.update(
            page=page,
            posts=page.object_list,
            status=status,
            query=query,
            statuses=Post.Status.choices,
        )
        return context


class PostCreateView(StudioMixin, View):
    """Start a post: pick the blog when you write on several."""

    def _blogs(self) -> list[Blog]:
        ids = permissions.writable_blog_ids(self.request.user)
        blogs = Blog.objects.all() if ids is None else Blog.objects.filter(pk__in=ids)
        return list(blogs.order_by("position", "name"))

    def get(self, request: HttpRequest) -> HttpResponse:
        blogs = self._blogs()
        if not blogs:
            raise PermissionDenied(_("You do not write on any blog."))
        context = studio_context(request, section="posts")
        context["blogs"] = blogs
        return render(request, "studio/post_new.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        blogs = {str(blog.pk): blog for blog in self._blogs()}
        chosen = request.POST.get("blog", "")
        if chosen:
            blog = blogs.get(chosen)
        else:
            blog = next(iter(blogs.values())) if len(blogs) == 1 else None
        if blog is None:
            raise PermissionDenied(_("You do not write on that blog."))
        post = lifecycle.post_create(
            blog=blog, by=request.user, title=request.POST.get("title", "")
        )
        return redirect("studio:post-edit", pk=post.pk)


class PostMixin(StudioMixin):
    """Pages about one post: it must be one the person can see in the studio."""

    kwargs: dict[str, Any]

    @cached_property
    def edited_post(self) -> Post:
        post = (
            permissions.visible_posts(
                self.request.user, Post.objects.select_related("blog", "author")
            )
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if post is None:
            raise Http404(_("No post of yours has that number."))
        return post

    def require(self, action: str) -> None:
        permissions.require(self.request.user, action, self.edited_post)


def reading_figures(source: str) -> tuple[int, int]:
    words = len(source.split())
    return words, max(1, round(words / WORDS_PER_MINUTE)) if words else 0


@method_decorator(never_cache, name="dispatch")
class PostEditorView(PostMixin, View):
    """The editor: one form for the writing, buttons for the next step, the review beside it."""

    section = "posts"
    template_name = "studio/editor.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = PostForm(initial=PostForm.initial_for(self.edited_post), blog=self.edited_post.blog)
        return self.show(form)

    def show(
        self,
        form: PostForm,
        *,
        status: int = 200,
        preview_html: str | None = None,
        conflict: list[revisions.FieldDiff] | None = None,
        schedule_form: ScheduleForm | None = None,
    ) -> HttpResponse:
        post, user = self.edited_post, self.request.user
        source = form["body_source"].value() or ""
        words, minutes = reading_figures(source)
        actions = permissions.available_actions(user, post)
        context = self.get_context_data(
            post=post,
            form=form,
            can_edit=permissions.can(user, PostAction.EDIT, post),
            actions=actions,
            primary_action=_primary_action(post, actions),
            can_comment=permissions.can(user, PostAction.COMMENT, post),
            can_share=permissions.can(user, PostAction.SHARE_PREVIEW, post),
            review_comments=list(post.review_comments.select_related("author")),
            review_form=ReviewCommentForm(),
            schedule_form=schedule_form or ScheduleForm(),
            preview_html=preview_html if preview_html is not None else post.body_html,
            previewing=preview_html is not None,
            conflict=conflict,
            word_count=words,
            reading_minutes=minutes,
            tag_suggestions=list(Tag.objects.order_by("name").values_list("name", flat=True)[:200]),
            revision_count=post.revisions.count(),
            # Shown once there is something to check: an empty new draft needs no list.
            problems=lifecycle.publication_problems_for(post) if post.body_source.strip() else [],
            now=timezone.now(),
        )
        return render(self.request, self.template_name, context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        post, user = self.edited_post, request.user
        action = request.POST.get("action", "save")
        form = PostForm(request.POST, blog=post.blog)
        can_edit = permissions.can(user, PostAction.EDIT, post)
        # The review panel sends a step and a comment without the writing.
        has_writing = "title" in request.POST
        try:
            if can_edit and has_writing and action != "unpublish":
                if not form.is_valid():
                    messages.error(request, _("Some fields need attention; nothing was saved."))
                    return self.show(form, status=400)
                if action == "preview":
                    return self.show(
                        form, preview_html=render_body(form.cleaned_data.get("body_source", ""))
                    )
                changes = form.changes()
                if action == "save" or revisions.compare(post, changes):
                    try:
                        lifecycle.post_save(
                            post=post,
                            by=user,
                            changes=changes,
                            base_version=form.cleaned_data["version"],
                        )
                    except lifecycle.EditConflict as conflict:
                        return self.conflict(form, conflict)
                    if action == "save":
                        messages.success(request, _("Saved."))
            elif action in {"save", "preview"}:
                raise PermissionDenied(_("You may not edit this post now."))
            self.take_step(action)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return self.show(
                form if can_edit else PostForm(initial=PostForm.initial_for(post), blog=post.blog),
                status=400,
            )
        return redirect("studio:post-edit", pk=post.pk)

    def take_step(self, action: str) -> None:
        request, post, user = self.request, self.edited_post, self.request.user
        if action == "submit":
            lifecycle.post_submit(post=post, by=user)
            messages.success(request, _("Sent for review. The blog's editors have been told."))
        elif action == "withdraw":
            lifecycle.post_withdraw(post=post, by=user)
            messages.success(request, _("Back to draft."))
        elif action == "approve":
            lifecycle.post_approve(post=post, by=user, comment=request.POST.get("comment", ""))
            messages.success(request, _("Approved. Publish it now or schedule it."))
        elif action == "request_changes":
            lifecycle.post_request_changes(
                post=post, by=user, comment=request.POST.get("comment", "")
            )
            messages.success(request, _("Sent back to the author with your comment."))
        elif action == "publish":
            schedule = ScheduleForm(request.POST)
            if not schedule.is_valid():
                raise ValidationError(schedule.errors.get("publish_at") or _("Check the time."))
            when = schedule.cleaned_data.get("publish_at")
            post_publish(post=post, by=user, at=when)
            if post.is_scheduled:
                messages.success(
                    request,
                    _("Scheduled for %(when)s.")
                    % {
                        "when": date_format(
                            timezone.localtime(post.published_at), "DATETIME_FORMAT"
                        )
                    },
                )
            else:
                messages.success(request, _("Published. It is live now."))
        elif action == "unpublish":
            post_unpublish(post=post, by=user)
            messages.success(request, _("Taken off the site. It is a draft again."))
        elif action not in {"save", "preview"}:
            raise ValidationError(_("Unknown step."))

    def conflict(self, form: PostForm, conflict: lifecycle.EditConflict) -> HttpResponse:
        """Someone saved meanwhile: keep this person's text, show the difference, ask."""
        theirs = conflict.post
        diff = revisions.compare(theirs, form.changes())
        data = form.data.copy()
        data["version"] = str(theirs.version)
        kept = PostForm(data, blog=theirs.blog)
        kept.is_valid()
        saved_by = conflict.latest.saved_by if conflict.latest else None
        messages.error(
            self.request,
            _(
                "%(who)s saved this post while you were editing. Nothing of yours was saved: "
                "compare below, then save again to keep your version."
            )
            % {"who": saved_by or _("Someone")},
        )
        return self.show(kept, status=409, conflict=diff)


def _primary_action(post: Post, actions: list[str]) -> str:
    """The one next step the editor shows as its main button.

    A reviewer's next step on a submission is to approve it; a post ready to go
    out is published; a writer who cannot publish submits. Live posts are updated.
    """
    if post.status == Post.Status.IN_REVIEW and PostAction.APPROVE in actions:
        return PostAction.APPROVE
    if post.status in {Post.Status.DRAFT, Post.Status.APPROVED} and PostAction.PUBLISH in actions:
        return PostAction.PUBLISH
    if PostAction.SUBMIT in actions:
        return PostAction.SUBMIT
    return "save"


class AutosaveView(PostMixin, View):
    """Saves a draft from the editor's script; answers 409 with the difference on a conflict."""

    def post(self, request: HttpRequest, pk: int) -> JsonResponse:
        post = self.edited_post
        if not permissions.can(request.user, PostAction.EDIT, post):
            return JsonResponse({"error": _("You may not edit this post now.")}, status=403)
        form = PostForm(request.POST, blog=post.blog)
        if not form.is_valid():
            return JsonResponse(
                {
                    "error": _("Not saved: %(fields)s need attention.")
                    % {"fields": ", ".join(form.errors)}
                },
                status=400,
            )
        try:
            saved = lifecycle.post_save(
                post=post,
                by=request.user,
                changes=form.changes(),
                base_version=form.cleaned_data["version"],
                autosave=True,
            )
        except lifecycle.EditConflict as conflict:
            theirs = conflict.post
            return JsonResponse(
                {
                    "conflict": True,
                    "version": theirs.version,
                    "message": _(
                        "Someone else saved this post meanwhile. "
                        "Your text is kept here; reload to compare."
                    ),
                    "changed": [diff.label for diff in revisions.compare(theirs, form.changes())],
                },
                status=409,
            )
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        local = timezone.localtime(saved.updated_at)
        return JsonResponse(
            {
                "version": saved.version,
                "saved_at": local.isoformat(),
                "saved_label": date_format(local, "TIME_FORMAT"),
            }
        )


class RenderPreviewView(PostMixin, View):
    """The live preview: the body exactly as the public page will render it."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.require(PostAction.VIEW)
        source = request.POST.get("body_source", "")[:500_000]
        return HttpResponse(render_body(source), content_type="text/html; charset=utf-8")


class ReviewCommentView(PostMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = ReviewCommentForm(request.POST)
        try:
            if form.is_valid():
                lifecycle.post_comment(
                    post=self.edited_post, by=request.user, body=form.cleaned_data["body"]
                )
                messages.success(request, _("Comment added."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('studio:post-edit', kwargs={'pk': self.edited_post.pk})}#review")


class RevisionListView(PostMixin, TemplateView):
    template_name = "studio/revisions.html"
    section = "posts"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            post=self.edited_post,
            revisions=list(
                self.edited_post.revisions.select_related("saved_by").order_by("-number")
            ),
            can_restore=permissions.can(self.request.user, PostAction.EDIT, self.edited_post),
        )
        return context


class RevisionCompareView(PostMixin, TemplateView):
    """The difference between any two revisions, oldest on the left."""

    template_name = "studio/revision_compare.html"
    section = "posts"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        numbers = self.edited_post.revisions.values_list("number", flat=True)
        latest = max(numbers, default=1)
        try:
            old_number = int(self.request.GET.get("from", latest - 1 or 1))
            new_number = int(self.request.GET.get("to", latest))
        except ValueError as error:
            raise Http404 from error
        old = get_object_or_404(Revision, post=self.edited_post, number=min(old_number, new_number))
        new = get_object_or_404(Revision, post=self.edited_post, number=max(old_number, new_number))
        context.update(
            post=self.edited_post,
            old=old,
            new=new,
            diffs=revisions.compare(old, new),
            numbers=sorted(numbers, reverse=True),
        )
        return context


class RevisionRestoreView(PostMixin, View):
    def post(self, request: HttpRequest, pk: int, number: int) -> HttpResponse:
        revision = get_object_or_404(Revision, post=self.edited_post, number=number)
        try:
            lifecycle.post_restore(
                post=self.edited_post,
                revision=revision,
                by=request.user,
                base_version=int(request.POST.get("version", self.edited_post.version)),
            )
        except lifecycle.EditConflict:
            messages.error(
                request,
                _(
                    "Someone saved the post meanwhile; "
                    "look at the latest revision, then restore again."
                ),
            )
            return redirect("studio:post-revisions", pk=self.edited_post.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("studio:post-revisions", pk=self.edited_post.pk)
        messages.success(
            request, _("Revision %(number)s restored as a new revision.") % {"number": number}
        )
        return redirect("studio:post-edit", pk=self.edited_post.pk)


class SharePreviewView(PostMixin, View):
    """Make a private preview link for someone without an account."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.require(PostAction.SHARE_PREVIEW)
        url = request.build_absolute_uri(
            reverse(
                "studio:preview-link", kwargs={"token": previews.preview_token(self.edited_post)}
            )
        )
        context = studio_context(request, section="posts")
        context.update(post=self.edited_post, url=url, days=previews.preview_lifetime().days)
        return render(request, "studio/share_preview.html", context)


class PreviewLinkView(View):
    """What someone holding a private preview link sees: the post as it will look. 404 otherwise."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        post = previews.post_for_preview_token(token)
        if post is None:
            raise Http404(_("This preview link is not valid, or has expired."))
        response = render(
            request,
            "studio/preview.html",
            {"post": post, "blog": post.blog, "author": post.author, "tags": list(post.tags.all())},
        )
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "private, no-store"
        return response


class TagSuggestView(StudioMixin, View):
    """Existing tags starting with what is typed, most used first."""

    def get(self, request: HttpRequest) -> JsonResponse:
        query = request.GET.get("q", "").strip()
        tags = Tag.objects.all()
        if query:
            tags = tags.filter(name__istartswith=query)
        names = list(tags.order_by("name").values_list("name", flat=True)[:10])
        return JsonResponse({"tags": names})
