"""Conversation fragments other apps' templates place: the comment section under a
post and the "Recent comments" list for sidebars. Each costs a fixed number of
queries, however many comments there are."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from despatch.conversations import moderation, selectors
from despatch.conversations.forms import CommentForm

if TYPE_CHECKING:
    from despatch.blogs.models import Blog
    from despatch.posts.models import Post

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_section(context: template.Context, post: Post) -> SafeString:
    """The approved comments with their count and replies, then the "Have an opinion?"
    form (or the notice that comments are closed). Three queries.
    """
    request = context.get("request")
    threads, count = selectors.post_threads(post)
    state = moderation.comments_state_for(post)
    form = None
    if state.is_open:
        initial: dict[str, Any] = {}
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            initial.update(name=user.get_full_name() or user.get_username(), email=user.email)
        form = CommentForm(initial=initial, post=post).describe_fields()
    html = render_to_string(
        "conversations/_comment_section.html",
        {"post": post, "threads": threads, "count": count, "state": state, "form": form},
        request=request,
    )
    return mark_safe(html)  # rendered by an autoescaping template


@register.simple_tag(takes_context=True)
def recent_comments(
    context: template.Context,
    blog: Blog | None = None,
    post: Post | None = None,
    limit: int = 5,
) -> SafeString:
    """ "Recent comments" for a sidebar: network-wide, one blog's, or one post's. One query."""
    comments = list(selectors.approved_comments_feed(blog=blog, post=post, limit=limit))
    html = render_to_string(
        "conversations/_recent_comments.html",
        {"comments": comments, "blog": blog, "post": post},
        request=context.get("request"),
    )
    return mark_safe(html)  # rendered by an autoescaping template


@register.filter
def duration_words(duration: timedelta | None) -> str:
    """A moderation response time as a reader says it: "3 hours, 20 minutes"."""
    if duration is None:
        return ""
    now = timezone.now()
    return timesince(now - duration, now)
