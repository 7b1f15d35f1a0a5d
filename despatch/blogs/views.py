"""Directory pages of the network: every blog, every author."""

from __future__ import annotations

from django.db.models import Prefetch
from django.views.generic import ListView

from despatch.core.surrogates import add_surrogate_keys

from .cache_keys import AUTHORS, BLOGS
from .models import AuthorProfile, Blog


class DirectoryMixin:
    """Directory pages show blogs and authors and nothing else."""

    def get_context_data(self, **kwargs):
        add_surrogate_keys(self.request, [BLOGS, AUTHORS])
        return super().get_context_data(**kwargs)


class BlogIndexView(DirectoryMixin, ListView):
    template_name = "blogs/blog_index.html"
    context_object_name = "blogs"

    def get_queryset(self):
        return Blog.objects.prefetch_related(
            Prefetch("authors", queryset=AuthorProfile.objects.order_by("display_name"))
        )


class AuthorIndexView(DirectoryMixin, ListView):
    template_name = "blogs/author_index.html"
    context_object_name = "authors"

    def get_queryset(self):
        return AuthorProfile.objects.prefetch_related("blogs")
