"""Admin for the digital team: policies, closures and blocked words are edited here;
comments are decided through the moderation service, never by editing a status."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    BlockedTerm,
    BlogCommentPolicy,
    Comment,
    CommentClosure,
    ModerationLogEntry,
)


def _moderate(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Comment], to: str
) -> None:
    result = services.comment_moderate(
        comment_ids=list(queryset.values_list("pk", flat=True)), to=to, by=request.user
    )
    modeladmin.message_user(
        request,
        _("%(changed)d changed, %(unchanged)d left as they were.")
        % {"changed": len(result.changed), "unchanged": len(result.unchanged)},
        messages.SUCCESS,
    )


@admin.action(description=_("Approve the selected comments"), permissions=["moderate"])
def approve(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Comment]
) -> None:
    _moderate(modeladmin, request, queryset, Comment.Status.APPROVED)


@admin.action(description=_("Mark the selected comments as spam"), permissions=["moderate"])
def mark_spam(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Comment]
) -> None:
    _moderate(modeladmin, request, queryset, Comment.Status.SPAM)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["author_name", "post", "status", "badge", "spam_score", "submitted_at"]
    list_filter = ["status", "badge", "blog"]
    search_fields = ["author_name", "author_email", "body"]
    date_hierarchy = "submitted_at"
    list_select_related = ["post"]
    raw_id_fields = ["post", "parent", "user", "decided_by"]
    actions = [approve, mark_spam]
    # Status and everything derived from decisions change only through the moderation
    # service, so that counts, the spam model and the log stay in step.
    readonly_fields = [
        "status",
        "rejection_rule",
        "spam_score",
        "spam_reasons",
        "decided_at",
        "decided_by",
        "response_seconds",
        "submitted_at",
        "ip_address",
    ]

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("conversations.moderate_comments")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(BlogCommentPolicy)
class BlogCommentPolicyAdmin(admin.ModelAdmin):
    list_display = ["blog", "moderation", "close_after_days"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.refresh_pages_for_closure(CommentClosure(blog_id=obj.blog_id))


@admin.register(CommentClosure)
class CommentClosureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "note", "starts_at", "ends_at", "created_by"]
    list_filter = ["blog"]
    raw_id_fields = ["post"]
    readonly_fields = ["created_by"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        services.refresh_pages_for_closure(obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.refresh_pages_for_closure(obj)
        super().delete_model(request, obj)


@admin.register(BlockedTerm)
class BlockedTermAdmin(admin.ModelAdmin):
    list_display = ["term", "created_at"]
    search_fields = ["term"]


@admin.register(ModerationLogEntry)
class ModerationLogEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "comment_number", "from_status", "to_status", "rule"]
    list_filter = ["action"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
