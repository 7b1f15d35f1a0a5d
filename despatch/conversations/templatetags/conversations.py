"""Conversation fragments other apps' templates place: the comment section under a
post and the "Recent comments" list for sidebars. Each costs a fixed number of
queries, however many comments there are.

The parts every reader sees alike (a post's comment section, a sidebar's recent
comments) are kept as fragments filed under the surrogate keys that comment
moderation invalidates; what is each reader's own (the form's CSRF token and
start time, a signed-in reader's name) is never kept."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django import template
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from despatch.conversations import moderation, selectors
from despatch.conversations.forms import CommentForm, started_token
from despatch.core.fragments import cached_fragment
from despatch.core.page_cache import form_csrf_token
from despatch.posts import cache_keys

if TYPE_CHECKING:
    from django.http import HttpRequest

    from despatch.blogs.models import Blog
    from despatch.posts.models import Post

register = template.Library()


# Where each reader's own hidden fields (CSRF token, signed start time) go in a
# kept comment section. Everything readers wrote is escaped or sanitised, so none
# of it can contain this marker, and the form comes after the thread.
READER_FIELDS_SLOT = "<!-- reader's fields -->"


@register.simple_tag(takes_context=True)
def comment_section(context: template.Context, post: Post) -> SafeString:
    """The approved comments with their count and replies, then the "Have an opinion?"
    form (or the notice that comments are closed). Three queries, none when the
    section is kept.

    The section is the same for every anonymous reader but for two hidden fields,
    so it is kept whole with a slot for them; a signed-in reader's form is filled
    in with their own name and is rendered for them alone.
    """
    request = context.get("request")
    state = moderation.comments_state_for(post, request)
    user = getattr(request, "user", None)
    if state.is_open and user is not None and user.is_authenticated:
        form = CommentForm(
            initial={"name": user.get_full_name() or user.get_username(), "email": user.email},
            post=post,
        ).describe_fields()
        html = _render_section(
            request, post=post, state=state, form=form, csrf_token=get_token(request)
        )
        return mark_safe(html)  # rendered by an autoescaping template

    # Whether comments are open, and the notice when they are not, depend on the
    # clock (a blog may close them after some days): decided on every request, and
    # part of the name.
    html = cached_fragment(
        request,
        name=f"comment-section:{post.pk}:{state.is_open}:{state.notice}",
        keys=[cache_keys.post_comments_key(post.pk)],
        render=lambda: _render_section(
            request,
            post=post,
            state=state,
            form=CommentForm(post=post).describe_fields() if state.is_open else None,
            reader_fields=mark_safe(READER_FIELDS_SLOT),
        ),
    )
    if state.is_open:
        before, _slot, after = html.rpartition(READER_FIELDS_SLOT)
        html = before + _reader_fields(request, post) + after
    return mark_safe(html)  # rendered by an autoescaping template


def _render_section(
    request: HttpRequest | None,
    *,
    post: Post,
    state: moderation.CommentsState,
    form: CommentForm | None,
    csrf_token: str | None = None,
    reader_fields: SafeString | None = None,
) -> str:
    def render_thread() -> str:
        threads, count = selectors.post_threads(post)
        return render_to_string(
            "conversations/_comment_thread.html",
            {"threads": threads, "count": count, "can_reply": state.is_open},
        )

    thread = cached_fragment(
        request,
        name=f"comment-thread:{post.pk}:{state.is_open}",
        keys=[cache_keys.post_comments_key(post.pk)],
        render=render_thread,
    )
    # Rendered without the request: that would run every context processor again
    # for a template that needs only the CSRF token.
    return render_to_string(
        "conversations/_comment_section.html",
        {
            "post": post,
            "thread": mark_safe(thread),
            "state": state,
            "form": form,
            "csrf_token": csrf_token,
            "reader_fields": reader_fields,
        },
    )


def _reader_fields(request: HttpRequest | None, post: Post) -> SafeString:
    """The hidden fields of one reader's form: their CSRF token and when they were shown it."""
    started = format_html(
        '<input type="hidden" name="started" value="{}" id="comment-started">',
        started_token(post),
    )
    if request is None:
        return started
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">{}',
        form_csrf_token(request),
        started,
    )


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
