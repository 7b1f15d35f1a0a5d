"""Writing the network (or one blog) as a WordPress export, for the way out.

The file is WXR 1.2 as WordPress's own exporter writes it, so WordPress's
importer (and every platform that reads WXR) can take it: authors, tags,
posts with their rendered HTML, featured images as attachments, and comments
with their moderation status and threading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr as xml_quoteattr

from django.conf import settings
from django.db.models import Max, Prefetch, QuerySet

from despatch.blogs.models import AuthorProfile, Blog
from despatch.conversations.models import Comment
from despatch.posts.models import Post, Tag

WXR_VERSION = "1.2"
NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
}
STATUS_TO_WORDPRESS: dict[str, str] = {
    Post.Status.PUBLISHED: "publish",
    Post.Status.SCHEDULED: "future",
}
COMMENT_STATUS_TO_WORDPRESS: dict[str, str] = {
    Comment.Status.APPROVED: "1",
    Comment.Status.PENDING: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.REJECTED: "trash",
}
CHUNK_SIZE = 500
# Characters XML 1.0 cannot carry at all, not even escaped.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    return xml_escape(NOT_XML.sub("", text))


def quoteattr(text: str) -> str:
    return xml_quoteattr(NOT_XML.sub("", text))


def cdata(text: str) -> str:
    """Wrap ``text`` in CDATA the way WordPress does, splitting any ``]]>`` inside it."""
    return "<![CDATA[" + NOT_XML.sub("", text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _date(moment: datetime | None) -> str:
    if moment is None:
        return "0000-00-00 00:00:00"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else f"{settings.SITE_URL}{path}"


def _posts(blog: Blog | None) -> QuerySet[Post]:
    posts = Post.objects.select_related("blog", "author").prefetch_related(
        "tags",
        Prefetch(
            "comments",
            queryset=Comment.objects.select_related("user__author_profile").order_by("pk"),
        ),
    )
    return (posts.filter(blog=blog) if blog else posts).order_by("pk")


def _chunked(queryset: QuerySet[Post]) -> Iterator[Post]:
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last)[:CHUNK_SIZE])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].pk


def site_export_wxr(*, path: Path, blog: Blog | None = None) -> int:
    """Write the posts of ``blog`` (or of the whole network) to ``path``; return how many."""
    with path.open("w", encoding="utf-8") as out:
        return _write(out, blog=blog)


def _write(out: IO[str], *, blog: Blog | None) -> int:
    posts = _posts(blog)
    link = _absolute(blog.get_absolute_url()) if blog else settings.SITE_URL + "/"
    title = blog.name if blog else settings.NETWORK_NAME
    description = blog.description if blog else ""
    language = blog.language if blog else settings.LANGUAGE_CODE
    out.write('<?xml version="1.0" encoding="UTF-8" ?>\n')
    out.write(
        "<!-- A WordPress eXtended RSS file written by Despatch, for WordPress's importer. -->\n"
    )
    namespaces = "".join(f'\n\txmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
    out.write(f'<rss version="2.0"{namespaces}\n>\n<channel>\n')
    out.write(f"\t<title>{escape(title)}</title>\n\t<link>{escape(link)}</link>\n")
    out.write(f"\t<description>{escape(description)}</description>\n")
    out.write(f"\t<pubDate>{format_datetime(datetime.now(UTC))}</pubDate>\n")
    out.write(f"\t<language>{escape(language)}</language>\n")
    out.write(f"\t<wp:wxr_version>{WXR_VERSION}</wp:wxr_version>\n")
    out.write(f"\t<wp:base_site_url>{escape(settings.SITE_URL)}</wp:base_site_url>\n")
    out.write(f"\t<wp:base_blog_url>{escape(link.rstrip('/'))}</wp:base_blog_url>\n")
    authors = AuthorProfile.objects.filter(posts__in=posts).distinct().select_related("user")
    for author in authors.order_by("pk"):
        email = author.user.email if author.user else ""
        out.write(
            f"\t<wp:author><wp:author_id>{author.pk}</wp:author_id>"
            f"<wp:author_login>{cdata(author.slug)}</wp:author_login>"
            f"<wp:author_email>{cdata(email)}</wp:author_email>"
            f"<wp:author_display_name>{cdata(author.display_name)}</wp:author_display_name>"
            "<wp:author_first_name><![CDATA[]]></wp:author_first_name>"
            "<wp:author_last_name><![CDATA[]]></wp:author_last_name></wp:author>\n"
        )
    if blog is None:
        for each in Blog.objects.filter(posts__in=posts).distinct().order_by("pk"):
            out.write(
                f"\t<wp:category><wp:term_id>{each.pk}</wp:term_id>"
                f"<wp:category_nicename>{cdata(each.slug)}</wp:category_nicename>"
                "<wp:category_parent><![CDATA[]]></wp:category_parent>"
                f"<wp:cat_name>{cdata(each.name)}</wp:cat_name></wp:category>\n"
            )
    for tag in Tag.objects.filter(posts__in=posts).distinct().order_by("pk"):
        out.write(
            f"\t<wp:tag><wp:term_id>{tag.pk}</wp:term_id>"
            f"<wp:tag_slug>{cdata(tag.slug)}</wp:tag_slug>"
            f"<wp:tag_name>{cdata(tag.name)}</wp:tag_name></wp:tag>\n"
        )
    out.write("\t<generator>Despatch</generator>\n")
    # Featured images become attachment items, numbered after the last post.
    next_attachment = (Post.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    count = 0
    for post in _chunked(posts):
        attachment_id = None
        if post.top_image:
            attachment_id = next_attachment
            next_attachment += 1
            _write_attachment(out, post, attachment_id)
        _write_post(out, post, attachment_id=attachment_id, network=blog is None)
        count += 1
    out.write("</channel>\n</rss>\n")
    return count


def _write_post(out: IO[str], post: Post, *, attachment_id: int | None, network: bool) -> None:
    status = STATUS_TO_WORDPRESS.get(post.status, "draft")
    link = _absolute(post.get_absolute_url())
    pub_date = format_datetime(post.published_at.astimezone(UTC)) if post.published_at else ""
    out.write("\t<item>\n")
    out.write(f"\t\t<title>{cdata(post.title)}</title>\n\t\t<link>{escape(link)}</link>\n")
    out.write(f"\t\t<pubDate>{pub_date}</pubDate>\n")
    out.write(f"\t\t<dc:creator>{cdata(post.author.slug)}</dc:creator>\n")
    out.write(f'\t\t<guid isPermaLink="false">{escape(settings.SITE_URL)}/?p={post.pk}</guid>\n')
    out.write("\t\t<description></description>\n")
    out.write(f"\t\t<content:encoded>{cdata(post.body_html)}</content:encoded>\n")
    out.write(f"\t\t<excerpt:encoded>{cdata(post.excerpt)}</excerpt:encoded>\n")
    out.write(f"\t\t<wp:post_id>{post.pk}</wp:post_id>\n")
    out.write(f"\t\t<wp:post_date>{cdata(_date(post.published_at))}</wp:post_date>\n")
    # A draft keeps its date when it has one (an unpublished post keeps its old date).
    out.write(f"\t\t<wp:post_date_gmt>{cdata(_date(post.published_at))}</wp:post_date_gmt>\n")
    out.write("\t\t<wp:comment_status><![CDATA[open]]></wp:comment_status>\n")
    out.write("\t\t<wp:ping_status><![CDATA[closed]]></wp:ping_status>\n")
    out.write(f"\t\t<wp:post_name>{cdata(post.slug)}</wp:post_name>\n")
    out.write(f"\t\t<wp:status>{cdata(status)}</wp:status>\n")
    out.write("\t\t<wp:post_parent>0</wp:post_parent>\n\t\t<wp:menu_order>0</wp:menu_order>\n")
    out.write("\t\t<wp:post_type><![CDATA[post]]></wp:post_type>\n")
    out.write("\t\t<wp:post_password><![CDATA[]]></wp:post_password>\n")
    out.write(f"\t\t<wp:is_sticky>{int(post.is_best_bit)}</wp:is_sticky>\n")
    if network:
        out.write(
            f'\t\t<category domain="category" nicename={quoteattr(post.blog.slug)}>'
            f"{cdata(post.blog.name)}</category>\n"
        )
    for tag in sorted(post.tags.all(), key=lambda tag: tag.pk):
        out.write(
            f'\t\t<category domain="post_tag" nicename={quoteattr(tag.slug)}>'
            f"{cdata(tag.name)}</category>\n"
        )
    if attachment_id is not None:
        out.write(
            "\t\t<wp:postmeta><wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key>"
            f"<wp:meta_value>{cdata(str(attachment_id))}</wp:meta_value></wp:postmeta>\n"
        )
    for comment in post.comments.all():
        _write_comment(out, comment, post=post)
    out.write("\t</item>\n")


def _write_comment(out: IO[str], comment: Comment, *, post: Post) -> None:
    profile = getattr(comment.user, "author_profile", None) if comment.user else None
    user_id = profile.pk if profile is not None else 0
    fields = [
        ("comment_id", str(comment.pk), False),
        ("comment_author", comment.author_name, True),
        ("comment_author_email", comment.author_email, True),
        ("comment_author_url", comment.author_website, False),
        ("comment_author_IP", comment.ip_address or "", True),
        ("comment_date", _date(comment.submitted_at), True),
        ("comment_date_gmt", _date(comment.submitted_at), True),
        ("comment_content", comment.body, True),
        ("comment_approved", COMMENT_STATUS_TO_WORDPRESS.get(comment.status, "0"), True),
        ("comment_type", "comment", True),
        ("comment_parent", str(comment.parent_id or 0), False),
        ("comment_user_id", str(user_id), False),
    ]
    out.write("\t\t<wp:comment>\n")
    for name, value, wrapped in fields:
        text = cdata(value) if wrapped else escape(value)
        out.write(f"\t\t\t<wp:{name}>{text}</wp:{name}>\n")
    out.write("\t\t</wp:comment>\n")


def _write_attachment(out: IO[str], post: Post, attachment_id: int) -> None:
    url = _absolute(post.top_image.url)
    name = str(post.top_image.name).rsplit("/", 1)[-1]
    when = cdata(_date(post.published_at))
    out.write("\t<item>\n")
    out.write(f"\t\t<title>{cdata(name)}</title>\n\t\t<link>{escape(url)}</link>\n")
    out.write(f"\t\t<dc:creator>{cdata(post.author.slug)}</dc:creator>\n")
    out.write(f'\t\t<guid isPermaLink="false">{escape(url)}</guid>\n')
    out.write("\t\t<content:encoded><![CDATA[]]></content:encoded>\n")
    out.write("\t\t<excerpt:encoded><![CDATA[]]></excerpt:encoded>\n")
    out.write(f"\t\t<wp:post_id>{attachment_id}</wp:post_id>\n")
    out.write(f"\t\t<wp:post_date>{when}</wp:post_date>\n")
    out.write(f"\t\t<wp:post_date_gmt>{when}</wp:post_date_gmt>\n")
    out.write(f"\t\t<wp:post_name>{cdata(name)}</wp:post_name>\n")
    out.write("\t\t<wp:status><![CDATA[inherit]]></wp:status>\n")
    out.write(f"\t\t<wp:post_parent>{post.pk}</wp:post_parent>\n")
    out.write("\t\t<wp:post_type><![CDATA[attachment]]></wp:post_type>\n")
    out.write(f"\t\t<wp:attachment_url>{cdata(url)}</wp:attachment_url>\n")
    out.write(
        "\t\t<wp:postmeta><wp:meta_key><![CDATA[_wp_attachment_image_alt]]></wp:meta_key>"
        f"<wp:meta_value>{cdata(post.top_image_alt)}</wp:meta_value></wp:postmeta>\n"
    )
    out.write("\t</item>\n")
