"""The team's settings: people and roles, blogs, best bits and the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from despatch.accounts import roles, services
from despatch.accounts.audit import audit_entries
from despatch.accounts.models import AuditLogEntry, Membership, Role
from despatch.blogs.models import Blog
from despatch.core.pagination import paginate
from despatch.posts import lifecycle, permissions
from despatch.posts.models import Post, PublishingPolicy
from despatch.posts.policy import blog_settings_update

from ..forms import BlogSettingsForm, PersonForm
from .base import AdminOnlyMixin, StudioMixin, studio_context


class PeopleView(AdminOnlyMixin, TemplateView):
    template_name = "studio/people.html"
    section = "people"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        people = get_user_model().objects.prefetch_related("memberships__blog").order_by("username")
        context.update(people=list(people[:500]), form=kwargs.get("form") or PersonForm())
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        """Add a person: the account has no password until they set one from the e-mail."""
        form = PersonForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        user = services.user_create(**form.cleaned_data, by=request.user)
        reset = PasswordResetForm({"email": user.email})
        if reset.is_valid():
            reset.save(
                request=request,
                use_https=request.is_secure(),
                email_template_name="studio/email/welcome.txt",
                subject_template_name="studio/email/welcome_subject.txt",
                domain_override=request.get_host(),
            )
        messages.success(
            request,
            _("%(name)s was added and e-mailed a link to choose a password.") % {"name": user},
        )
        return redirect("studio:person", pk=user.pk)


class PersonView(AdminOnlyMixin, View):
    """One person's roles on every blog, whether they are an admin, whether they can sign in."""

    @cached_property
    def person(self) -> Any:
        return get_object_or_404(get_user_model(), pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        held: dict[int, set[str]] = {}
        for blog_id, role in Membership.objects.filter(user=self.person).values_list(
            "blog_id", "role"
        ):
            held.setdefault(blog_id, set()).add(role)
        rows = [
            (blog, held.get(blog.pk, set())) for blog in Blog.objects.order_by("position", "name")
        ]
        context = studio_context(request, section="people")
        context.update(person=self.person, rows=rows, roles=Role.choices)
        return render(request, "studio/person.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self.person
        action = request.POST.get("action", "roles")
        if action == "roles":
            for blog in Blog.objects.all():
                wanted = request.POST.getlist(f"roles-{blog.pk}")
                roles.memberships_set(user=person, blog=blog, roles=wanted, by=request.user)
            messages.success(request, _("Roles saved."))
        elif action in {"make-admin", "remove-admin"}:
            if person.pk == request.user.pk:
                messages.error(request, _("Ask another admin to change your own admin rights."))
            else:
                roles.admin_set(user=person, is_admin=action == "make-admin", by=request.user)
                messages.success(request, _("Admin rights changed."))
        elif action in {"deactivate", "reactivate"}:
            if person.pk == request.user.pk:
                messages.error(request, _("You cannot switch off your own account."))
            else:
                services.user_set_active(
                    user=person, is_active=action == "reactivate", by=request.user
                )
                messages.success(
                    request,
                    _("Account switched %(state)s.")
                    % {"state": _("on") if action == "reactivate" else _("off")},
                )
        return redirect("studio:person", pk=person.pk)


class BlogListView(AdminOnlyMixin, TemplateView):
    template_name = "studio/blogs.html"
    section = "blogs"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["blogs"] = list(Blog.objects.order_by("position", "name"))
        return context


class BlogSettingsView(AdminOnlyMixin, View):
    @cached_property
    def blog(self) -> Blog:
        return get_object_or_404(Blog, slug=self.kwargs["blog_slug"])

    def show(self, form: BlogSettingsForm, status: int = 200) -> HttpResponse:
        context = studio_context(self.request, section="blogs")
        context.update(blog=self.blog, form=form)
        return render(self.request, "studio/blog_settings.html", context, status=status)

    def get(self, request: HttpRequest, blog_slug: str) -> HttpResponse:
        policy = PublishingPolicy.objects.filter(blog=self.blog).first()
        form = BlogSettingsForm(
            instance=self.blog,
            initial={"authors_may_publish": bool(policy and policy.authors_may_publish)},
        )
        return self.show(form)

    def post(self, request: HttpRequest, blog_slug: str) -> HttpResponse:
        blog = Blog.objects.get(pk=self.blog.pk)
        form = BlogSettingsForm(request.POST, instance=Blog.objects.get(pk=blog.pk))
        if not form.is_valid():
            return self.show(form, status=400)
        changes = {name: form.cleaned_data[name] for name in BlogSettingsForm.Meta.fields}
        try:
            blog_settings_update(
                blog=blog,
                changes=changes,
                authors_may_publish=form.cleaned_data["authors_may_publish"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.show(form, status=400)
        messages.success(request, _("Settings saved."))
        return redirect("studio:blog-settings", blog_slug=blog.slug)


class AuditLogView(AdminOnlyMixin, TemplateView):
    template_name = "studio/audit.html"
    section = "audit"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        action = self.request.GET.get("action", "")
        if action not in AuditLogEntry.Action.values:
            action = ""
        page = paginate(self.request, audit_entries(action=action), 50)
        context.update(
            page=page, entries=page.object_list, action=action, actions=AuditLogEntry.Action.choices
        )
        return context


class BestBitsIndexView(StudioMixin, TemplateView):
    template_name = "studio/best_bits_index.html"
    section = "best-bits"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        blogs = Blog.objects.order_by("position", "name")
        context.update(
            blogs=[blog for blog in blogs if permissions.can_edit_blog(user, blog.pk)],
            network=permissions.can_manage_network(user),
        )
        if not context["blogs"] and not context["network"]:
            raise PermissionDenied(_("Best bits are chosen by editors."))
        return context


class BestBitsView(StudioMixin, View):
    """Pick and order a blog's (or the network's) best bits: a list with up, down and remove."""

    @cached_property
    def blog(self) -> Blog | None:
        slug = self.kwargs.get("blog_slug")
        return get_object_or_404(Blog, slug=slug) if slug else None

    def allowed(self) -> bool:
        user = self.request.user
        return (
            permissions.can_manage_network(user)
            if self.blog is None
            else permissions.can_edit_blog(user, self.blog.pk)
        )

    def chosen(self) -> list[Post]:
        posts = (
            Post.objects.network_best_bits()
            if self.blog is None
            else Post.objects.best_bits().filter(blog=self.blog)
        )
        return list(posts.select_related("blog", "author"))

    def get(self, request: HttpRequest, blog_slug: str | None = None) -> HttpResponse:
        if not self.allowed():
            raise Http404
        chosen = self.chosen()
        candidates = (
            Post.objects.published().select_related("blog").exclude(pk__in=[p.pk for p in chosen])
        )
        if self.blog is not None:
            candidates = candidates.filter(blog=self.blog)
        context = studio_context(request, section="best-bits")
        context.update(
            blog=self.blog,
            chosen=chosen,
            candidates=list(candidates.order_by("-published_at")[:50]),
        )
        return render(request, "studio/best_bits.html", context)

    def post(self, request: HttpRequest, blog_slug: str | None = None) -> HttpResponse:
        if not self.allowed():
            raise Http404
        order = [post.pk for post in self.chosen()]
        action, target = request.POST.get("action", ""), request.POST.get("post", "")
        try:
            post_id = int(target)
        except ValueError:
            post_id = 0
        if action == "add" and post_id and post_id not in order:
            order.append(post_id)
        elif action == "remove" and post_id in order:
            order.remove(post_id)
        elif action in {"up", "down"} and post_id in order:
            index = order.index(post_id)
            other = index - 1 if action == "up" else index + 1
            if 0 <= other < len(order):
                order[index], order[other] = order[other], order[index]
        try:
            lifecycle.best_bits_set(blog=self.blog, post_ids=order, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        if self.blog is None:
            return redirect("studio:best-bits-network")
        return redirect("studio:best-bits", blog_slug=self.blog.slug)
