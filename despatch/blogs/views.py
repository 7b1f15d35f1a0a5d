"""Directory pages of the network: every blog, every author."""

from __future__ import annotations

from django.db.models import Prefetch
from django.views.generic import ListView

from .models import AuthorProfile, Blog


class BlogIndexView(ListView):
    template_name = "blogs/blog_index.html"
    context_object_name = "blogs"

    def get_queryset(self):
        return Blog.objects.prefetch_related(
            Prefetch("authors", queryset=AuthorProfile.objects.order_by("display_name"))
        )


class AuthorIndexView(ListView):
    template_name = "blogs/author_index.html"
    context_object_name = "authors"

    def get_queryset(self):
        return AuthorProfile.objects.prefetch_related("blogs")
