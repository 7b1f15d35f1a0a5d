"""Surrogate keys for posts and tags, and which pages show what.

Every page names what it shows; every change names what it touched. A page is
refreshed when the two meet (see ``despatch.core.surrogates``).
"""

from __future__ import annotations

from collections.abc import Iterable

from despatch.blogs.cache_keys import AUTHORS, BLOGS, HISTORICAL

from .models import Post

LIVE_POSTS = "posts"
TAGS = "tags"
COMMENTS = "comments"
SITE = "site"


def post_key(post_id: int) -> str:
    return f"post-{post_id}"


def blog_posts_key(blog_id: int) -> str:
    return f"blog-{blog_id}-posts"


def author_posts_key(author_id: int) -> str:
    return f"author-{author_id}-posts"


def tag_posts_key(tag_id: int) -> str:
    return f"tag-{tag_id}-posts"


def post_comments_key(post_id: int) -> str:
    return f"post-{post_id}-comments"


def blog_comments_key(blog_id: int) -> str:
    return f"blog-{blog_id}-comments"


# What every page that lists posts shows besides the posts: blog names, author
# names, tag names.
LISTING = (LIVE_POSTS, BLOGS, AUTHORS, TAGS)


def summary_keys(post_ids: Iterable[int]) -> list[str]:
    """Keys of the posts' summaries: the posts (whose keys also change with their
    comment counts and tags) and the names of blogs, authors and tags they show."""
    return [*(post_key(post_id) for post_id in post_ids), BLOGS, AUTHORS, TAGS]


def post_change_keys(post: Post, tag_ids: Iterable[int]) -> list[str]:
    """Keys touched when a live post (or one that just stopped being live) changes."""
    return [
        LIVE_POSTS,
        post_key(post.pk),
        blog_posts_key(post.blog_id),
        author_posts_key(post.author_id),
        *(tag_posts_key(tag_id) for tag_id in tag_ids),
    ]


def post_page_keys(post: Post, shown: Iterable[Post | None]) -> list[str]:
    """Keys of a post page: the post, its neighbours and related posts, their context."""
    return [
        post_key(post.pk),
        blog_posts_key(post.blog_id),
        post_comments_key(post.pk),
        blog_comments_key(post.blog_id),
        BLOGS,
        AUTHORS,
        TAGS,
        HISTORICAL,
        *(post_key(other.pk) for other in shown if other is not None),
    ]
