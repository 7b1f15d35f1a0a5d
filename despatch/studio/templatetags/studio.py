"""Small pieces of the studio's pages: status badges and step buttons' labels."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from despatch.posts.models import Post
from despatch.posts.permissions import PostAction

register = template.Library()

STEP_LABELS: dict[str, Any] = {
    PostAction.SUBMIT: _("Submit for review"),
    PostAction.WITHDRAW: _("Withdraw to draft"),
    PostAction.APPROVE: _("Approve"),
    PostAction.REQUEST_CHANGES: _("Ask for changes"),
    PostAction.PUBLISH: _("Publish"),
    PostAction.UNPUBLISH: _("Unpublish"),
}


@register.simple_tag
def status_badge(post: Post) -> SafeString:
    """The post's status as readers of the studio understand it: a due post counts as live."""
    status: str = post.status
    label: str = post.get_status_display()
    if post.is_live:
        status, label = Post.Status.PUBLISHED, str(Post.Status.PUBLISHED.label)
    return format_html('<span class="status status--{}">{}</span>', status, label)


@register.filter
def step_label(action: str) -> str:
    return str(STEP_LABELS.get(action, action))
