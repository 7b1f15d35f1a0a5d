"""Conversation fragments other apps' templates place: the comment section under a
post and the "Recent comments" list for sidebars. Each costs a fixed number of
queries, however many comments there are.

The parts every reader sees alike (a post's thread, a sidebar's recent comments)
are kept as fragments filed under the surrogate keys that comment moderation
invalidates; the form, which carries the reader's CSRF token and name, is always
rendered afresh."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django import template
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from despatch.conversations import moderation, selectors
from despatch.conversations.forms import CommentForm
from despatch.core.fragments import cached_fragment
from despatch.posts import cache_keys

if TYPE_CHECKING:
    from despatch.blogs.models import Blog
    from despatch.posts.models import Post

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_section(context: template.Context, post: Post) -> SafeString:
    """The approved comments with their count and replies, then the "Have an opinion?"
    form (or the notice that comments are closed). Three queries, one when the
    thread is cached.
    """
    request = context.get("request")
    state = moderation.comments_state_for(post, request)

    def render_thread() -> str:
        threads, count = selectors.post_threads(post)
        return render_to_string(
            "conversations/_comment_thread.html",
            {"threads": threads, "count": count, "can_reply": state.is_open},
        )

    # Whether comments are open depends on the clock (a blog may close them after
    # some days), so it is decided on every request and is part of the name.
    thread = cached_fragment(
        request,
        name=f"comment-thread:{post.pk}:{state.is_open}",
        keys=[cache_keys.post_comments_key(post.pk)],
        render=render_thread,
    )
    form = form_fields = None
    if state.is_open:
        initial: dict[str, Any] = {}
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            initial.update(name=user.get_full_name() or user.get_username(), email=user.email)
        form = CommentForm(initial=initial, post=post).describe_fields()
        if not initial:
            # An empty form's fields are the same under every post for every reader;
            # what differs (the CSRF token, the signed start time) stays outside.
            form_fields = cached_fragment(
                request,
                name="comment-form-fields",
                keys=[],
                render=lambda: render_to_string(
                    "conversations/_comment_form_fields.html", {"form": form}
                ),
            )
    # Rendered without the request: that would run every context processor again
    # for a template that needs only the CSRF token.
    html = render_to_string(
        "conversations/_comment_section.html",
        {
            "post": post,
            "thread": mark_safe(thread),
            "state": state,
            "form": form,
            "form_fields": mark_safe(form_fields) if form_fields else None,
            "csrf_token": get_token(request) if request is not None and state.is_open else None,
        },
    )
    return mark_safe(html)  # rendered by an autoescaping template


def _recent_comments_keys(blog: Blog | None, post: Post | None) -> list[str]:
    """What "Recent comments" shows: comments, the posts they answer, the blogs' addresses."""
    if post is not None:
        return [
            cache_keys.post_comments_key(post.pk),
            cache_keys.post_key(post.pk),
            cache_keys.BLOGS,
        ]
    if blog is not None:
        return [
            cache_keys.blog_comments_key(blog.pk),
            cache_keys.blog_posts_key(blog.pk),
            cache_keys.BLOGS,
        ]
    return [cache_keys.COMMENTS, cache_keys.LIVE_POSTS, cache_keys.BLOGS]


@register.simple_tag(takes_context=True)
def recent_comments(
    context: template.Context,
    blog: Blog | None = None,
    post: Post | None = None,
    limit: int = 5,
) -> SafeString:
    """ "Recent comments" for a sidebar: network-wide, one blog's, or one post's. One query,
    none when cached.
    """

    def render_list() -> str:
        comments = list(selectors.approved_comments_feed(blog=blog, post=post, limit=limit))
        return render_to_string(
            "conversations/_recent_comments.html",
            {"comments": comments, "blog": blog, "post": post},
        )

    scope = f"post-{post.pk}" if post else f"blog-{blog.pk}" if blog else "network"
    html = cached_fragment(
        context.get("request"),
        name=f"recent-comments:{scope}:{limit}",
        keys=_recent_comments_keys(blog, post),
        render=render_list,
    )
    return mark_safe(html)  # rendered by an autoescaping template


@register.filter
def duration_words(duration: timedelta | None) -> str:
    """A moderation response time as a reader says it: "3 hours, 20 minutes"."""
    if duration is None:
        return ""
    now = timezone.now()
    return timesince(now - duration, now)
