"""Blocks that many reading pages share: post summaries, sidebar panels, a post's
neighbours and related posts.

Each block is the same for every reader, so it is kept as a fragment filed under
the surrogate keys of what it shows (see ``despatch.core.fragments``): a change
to any of those retires it. Blocks are rendered without the request, so nothing
personal (a CSRF token, a signed-in name) can end up in one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django import template
from django.conf import settings
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe

from despatch.blogs.cache_keys import AUTHORS, BLOGS, HISTORICAL
from despatch.core.fragments import cached_fragment, kept_together
from despatch.posts import cache_keys, selectors
from despatch.posts.sharing import share_links
from despatch.posts.structured_data import article_data

if TYPE_CHECKING:
    from despatch.blogs.models import Blog
    from despatch.posts.models import Post, Tag

register = template.Library()


def _posts_key(blog: Blog | None) -> str:
    """The key of the live posts a block draws from: one blog's, or the network's."""
    return cache_keys.blog_posts_key(blog.pk) if blog else cache_keys.LIVE_POSTS


def _scope(blog: Blog | None) -> str:
    return f"blog-{blog.pk}" if blog else "network"


def _fragment(
    context: template.Context, *, name: str, keys: list[str], render: Callable[[], str]
) -> SafeString:
    html = cached_fragment(context.get("request"), name=name, keys=keys, render=render)
    return mark_safe(html)  # rendered by an autoescaping template


def _together(
    context: template.Context, *, name: str, template_name: str, **shown: object
) -> SafeString:
    """A part of a page made of fragments, kept as one (see ``kept_together``).

    Around its fragments it may show only headings and the addresses of blogs.
    """
    request = context.get("request")
    html = kept_together(
        request,
        name=name,
        keys=[BLOGS],
        render=lambda: render_to_string(template_name, {**shown, "request": request}),
    )
    return mark_safe(html)  # rendered by an autoescaping template


@register.simple_tag(takes_context=True)
def sidebar(
    context: template.Context, blog: Blog | None = None, post: Post | None = None
) -> SafeString:
    """The sidebar of a post page, a blog's home or the network's home, kept as one part."""
    if post is not None:
        template_name, scope = "posts/_post_sidebar.html", f"post-{post.pk}"
    elif blog is not None:
        template_name, scope = "posts/_blog_sidebar.html", _scope(blog)
    else:
        template_name, scope = "posts/_network_sidebar.html", _scope(None)
    return _together(
        context, name=f"sidebar:{scope}", template_name=template_name, blog=blog, post=post
    )


@register.simple_tag(takes_context=True)
def post_part(context: template.Context, part: str, post: Post, tags: list[Tag]) -> SafeString:
    """A part of a post page made of fragments, kept as one: its ``"head"`` (its feeds,
    then its OpenGraph and JSON-LD) or its ``"main"`` column (the article, then its
    neighbours and related posts)."""
    return _together(
        context,
        name=f"post-{part}:{post.pk}",
        template_name=f"posts/_post_{part}.html",
        post=post,
        tags=tags,
    )


@register.simple_tag(takes_context=True)
def post_summaries(context: template.Context, post_ids: list[int]) -> SafeString:
    """The posts of a listing, in the order given: each one's title, byline, excerpt,
    comment count and tags.

    A post's own key also changes when its comment count or its tags do.
    """

    def render() -> str:
        summary = get_template("posts/_post_summary.html")
        return "".join(
            summary.render({"post": post}) for post in selectors.summarised_posts(post_ids)
        )

    return _fragment(
        context,
        name="post-summaries:" + ",".join(str(post_id) for post_id in post_ids),
        keys=cache_keys.summary_keys(post_ids),
        render=render,
    )


@register.simple_tag(takes_context=True)
def best_bits_panel(context: template.Context, blog: Blog | None = None) -> SafeString:
    """The first few best bits, of one blog or of the network, with a link to them all."""
    return _fragment(
        context,
        name=f"best-bits-panel:{_scope(blog)}",
        keys=[_posts_key(blog), BLOGS, AUTHORS],
        render=lambda: render_to_string(
            "posts/_best_bits.html",
            {"blog": blog, "best_bits": selectors.best_bits_preview(blog=blog)},
        ),
    )


@register.simple_tag(takes_context=True)
def tag_cloud_panel(context: template.Context, blog: Blog | None = None) -> SafeString:
    """The most used tags of one blog or of the network, weighted by use."""
    return _fragment(
        context,
        name=f"tag-cloud-panel:{_scope(blog)}",
        keys=[_posts_key(blog), cache_keys.TAGS, BLOGS],
        render=lambda: render_to_string(
            "posts/_tag_cloud.html", {"blog": blog, "tag_cloud": selectors.tag_cloud(blog=blog)}
        ),
    )


@register.simple_tag(takes_context=True)
def tag_index_cloud(context: template.Context) -> SafeString:
    """Every tag of the network with its number of posts, for the tag index."""
    return _fragment(
        context,
        name="tag-index-cloud",
        keys=[cache_keys.LIVE_POSTS, cache_keys.TAGS],
        render=lambda: render_to_string(
            "posts/_tag_index_cloud.html", {"tag_cloud": selectors.tag_cloud(limit=None)}
        ),
    )


@register.simple_tag(takes_context=True)
def related_tags_panel(
    context: template.Context, tag: Tag, post_ids: list[int], blog: Blog | None = None
) -> SafeString:
    """The other tags of the posts listed on ``tag``'s page, linked within ``blog`` if given.

    What it shows changes only with live posts and tags, whose changes reach the
    tag page through its collection's key and its posts' own, so the fragment's
    broader keys are not added to the page's.
    """
    html = cached_fragment(
        context.get("request"),
        name=f"related-tags-panel:{tag.pk}:{_scope(blog)}:{','.join(map(str, post_ids))}",
        keys=cache_keys.LISTING,
        render=lambda: render_to_string(
            "posts/_related_tags.html",
            {"related_tags": selectors.related_tags(post_ids, excluding=tag), "blog": blog},
        ),
        shown_by_page=False,
    )
    return mark_safe(html)  # rendered by an autoescaping template


@register.simple_tag(takes_context=True)
def archive_contents(context: template.Context, blog: Blog | None = None) -> SafeString:
    """Every year and month with posts, of one blog or of the network, with their counts."""
    return _fragment(
        context,
        name=f"archive-contents:{_scope(blog)}",
        keys=[_posts_key(blog), BLOGS],
        render=lambda: render_to_string(
            "posts/_archive_contents.html",
            {"blog": blog, "archive": selectors.archive(blog=blog)},
        ),
    )


@register.simple_tag(takes_context=True)
def blog_directory_panel(context: template.Context) -> SafeString:
    """Every blog of the network with its authors."""
    return _fragment(
        context,
        name="blog-directory-panel",
        keys=[BLOGS, AUTHORS],
        render=lambda: render_to_string(
            "posts/_blog_directory.html", {"blogs": list(selectors.blogs_with_authors())}
        ),
    )


@register.simple_tag(takes_context=True)
def blog_authors_panel(context: template.Context, blog: Blog) -> SafeString:
    """The cards of the people who write on ``blog``."""
    return _fragment(
        context,
        name=f"blog-authors-panel:{blog.pk}",
        # Membership changes are changes of the blog (see ``despatch.blogs.signals``).
        keys=[BLOGS, AUTHORS],
        render=lambda: render_to_string(
            "posts/_blog_authors.html", {"authors": selectors.blog_authors(blog)}
        ),
    )


@register.simple_tag(takes_context=True)
def post_article(context: template.Context, post: Post, tags: list[Tag]) -> SafeString:
    """A post as readers read it: title, byline, any historical note, body, tags, sharing.

    ``post`` comes from ``selectors.post_for_page`` and ``tags`` are its own; any
    change to the post, its tags, blog or author, or a historical period changes
    one of the keys.
    """

    def render() -> str:
        return render_to_string(
            "posts/_post_article.html",
            {
                "post": post,
                "blog": post.blog,
                "author": post.author,
                "tags": tags,
                "historical_note": selectors.historical_note(post),
                "share_links": share_links(
                    url=settings.SITE_URL + post.get_absolute_url(), title=post.title
                ),
                "site_url": settings.SITE_URL,
            },
        )

    return _fragment(
        context,
        name=f"post-article:{post.pk}",
        keys=[cache_keys.post_key(post.pk), BLOGS, AUTHORS, cache_keys.TAGS, HISTORICAL],
        render=render,
    )


@register.simple_tag(takes_context=True)
def post_meta(context: template.Context, post: Post, tags: list[Tag]) -> SafeString:
    """The post described for sharing (OpenGraph) and for search engines (JSON-LD), for
    the page's ``<head>``."""
    return _fragment(
        context,
        name=f"post-meta:{post.pk}",
        keys=[cache_keys.post_key(post.pk), BLOGS, AUTHORS, cache_keys.TAGS],
        render=lambda: render_to_string(
            "posts/_post_meta.html",
            {
                "post": post,
                "tags": tags,
                "site_url": settings.SITE_URL,
                "structured_data": article_data(post, tags),
            },
        ),
    )


@register.simple_tag(takes_context=True)
def post_about_panels(context: template.Context, post: Post) -> SafeString:
    """The sidebar's "About the author" and "About this blog" panels of a post page."""
    return _fragment(
        context,
        name=f"post-about-panels:{post.author_id}:{post.blog_id}",
        keys=[BLOGS, AUTHORS],
        render=lambda: render_to_string(
            "posts/_post_about.html", {"author": post.author, "blog": post.blog}
        ),
    )


@register.simple_tag(takes_context=True)
def post_neighbourhood(context: template.Context, post: Post, tags: list[Tag]) -> SafeString:
    """The previous and next posts of ``post``'s blog, then posts sharing its tags.

    The neighbours are the blog's posts, the related posts carry one of ``tags``:
    whatever changes either set, or a title in it, changes one of those keys.
    """

    def render() -> str:
        previous, following = selectors.neighbours(post)
        return render_to_string(
            "posts/_post_neighbourhood.html",
            {
                "previous_post": previous,
                "next_post": following,
                "related_posts": selectors.related_posts(post, tags),
            },
        )

    return _fragment(
        context,
        name=f"post-neighbourhood:{post.pk}",
        keys=[
            cache_keys.blog_posts_key(post.blog_id),
            BLOGS,
            *(cache_keys.tag_posts_key(tag.pk) for tag in tags),
        ],
        render=render,
    )
