"""Helpers for the feed tests: fetch and parse feeds, and build the posts feeds must survive."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any

import feedparser
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from despatch.blogs.models import AuthorProfile, Blog
from despatch.conversations.models import Comment
from despatch.feeds.formats import FeedFormat
from despatch.posts.models import Post, Tag
from tests.factories import make_author, make_blog, make_post, make_tag

# Written the way attackers and careless imports write: scripts, event handlers,
# javascript: links, foreign frames, CDATA terminators and XML-illegal characters.
HOSTILE_BODY = """\
Before <script>alert("x")</script> after & <b onmouseover="alert(1)">bold</b>.

<img src="x" onerror="alert(2)" alt="broken">
<a href="javascript:alert(3)">click</a> <a href="/relative/page/">a page of ours</a>
<iframe src="https://evil.example/"></iframe>
<style>body { display: none }</style>
A CDATA end ]]> and a stray <![CDATA[ opener, a < b > c, "quotes" and 'apostrophes'.
Control characters:\x0b\x0c\x1b end.
"""
HOSTILE_TITLE = "UK & France <script>alert('t')</script>\x0b say “no”"

ARABIC_TITLE = "السفير يكتب عن معاهدة تجارة الأسلحة"
ARABIC_BODY = "هذه **مقالة** باللغة العربية عن [المعاهدة](/ar/treaty/) والدبلوماسية الرقمية."

VIDEO_BODY = """\
Our ambassador on the treaty, with a transcript.

```video
/media/video/treaty.mp4
title: The treaty explained
poster: /media/video/treaty.jpg
captions: /media/video/treaty.vtt

Ambassador: Good morning.
```

```video
https://www.youtube.com/watch?v=dQw4w9WgXcQ
title: At the conference
```

![The signing ceremony](/media/posts/signing.png)
"""


@dataclass
class Network:
    """A small network with every kind of content the feeds must carry."""

    blog: Blog
    arabic_blog: Blog
    author: AuthorProfile
    tag: Tag
    hostile: Post
    arabic: Post
    video: Post


@pytest.fixture
def network(db: Any) -> Network:
    author = make_author(display_name="Jane Marriott", slug="jane-marriott")
    blog = make_blog(name="Digital diplomacy", slug="digital", authors=[author])
    arabic_blog = make_blog(name="الدبلوماسية", slug="arabic", language="ar", authors=[author])
    tag = make_tag("Arms Trade Treaty")
    hostile = make_post(
        blog=blog, author=author, title=HOSTILE_TITLE, slug="hostile", body_source=HOSTILE_BODY,
        tags=[tag],
    )  # fmt: skip
    arabic = make_post(
        blog=arabic_blog, author=author, title=ARABIC_TITLE, slug="treaty-ar",
        body_source=ARABIC_BODY, tags=[tag],
    )  # fmt: skip
    video = make_post(
        blog=blog, author=author, title="The treaty on video", slug="video", body_source=VIDEO_BODY,
        tags=[tag, "Video"],
    )  # fmt: skip
    return Network(blog, arabic_blog, author, tag, hostile, arabic, video)


def make_comment(post: Post, **fields: Any) -> Comment:
    """An approved comment under ``post`` (pass ``status`` to change it)."""
    fields.setdefault("author_name", "A reader")
    fields.setdefault("body", "I agree with this post.")
    fields.setdefault("status", Comment.Status.APPROVED)
    fields.setdefault("fingerprint", f"{post.pk}-{Comment.objects.count()}")
    if fields["status"] == Comment.Status.APPROVED:
        fields.setdefault("decided_at", timezone.now())
    return Comment.objects.create(post=post, **fields)


def feed_path(name: str, feed_format: str, **kwargs: Any) -> str:
    return reverse(f"feeds:{name}-{feed_format}", kwargs=kwargs)


def post_comment_kwargs(post: Post) -> dict[str, str]:
    assert post.published_at is not None
    return {
        "blog_slug": post.blog.slug,
        "year": f"{post.published_at.year:04d}",
        "month": f"{post.published_at.month:02d}",
        "slug": post.slug,
    }


def all_feed_paths(network: Network) -> list[str]:
    """Every feed of the network's content, in every format."""
    scopes: list[tuple[str, dict[str, str]]] = [
        ("network", {}),
        ("blog", {"blog_slug": network.blog.slug}),
        ("blog", {"blog_slug": network.arabic_blog.slug}),
        ("author", {"author_slug": network.author.slug}),
        ("tag", {"tag_slug": network.tag.slug}),
        ("blog-comments", {"blog_slug": network.blog.slug}),
        ("post-comments", post_comment_kwargs(network.hostile)),
    ]
    return [
        feed_path(name, feed_format, **kwargs)
        for name, kwargs in scopes
        for feed_format in FeedFormat
    ]


def fetch(client: Client, path: str, **headers: str) -> Any:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return response


def parse(client: Client, path: str) -> feedparser.FeedParserDict:
    """Fetch a feed and parse it as feed readers do, failing on any well-formedness error."""
    response = fetch(client, path)
    headers = {name.lower(): value for name, value in response.headers.items()}
    parsed = feedparser.parse(response.content, response_headers=headers)
    assert not parsed.bozo, (path, parsed.get("bozo_exception"))
    return parsed


def parse_json(client: Client, path: str) -> dict[str, Any]:
    response = fetch(client, path)
    assert response["Content-Type"].startswith("application/feed+json")
    return json.loads(response.content)


@dataclass
class Entry:
    """One feed entry as a reader sees it, whichever format carried it."""

    id: str
    link: str
    title: str
    content: str
    summary: str
    author: str
    tags: list[str]
    enclosures: list[tuple[str, str]]
    language: str | None


def read_entries(client: Client, path: str) -> list[Entry]:
    """The entries of any feed: RSS and Atom through feedparser, JSON Feed after validation.

    feedparser (6.x) does not read JSON Feed, so those documents are checked
    against the JSON Feed 1.1 rules in ``validate_json_feed`` instead.
    """
    if path.rstrip("/").endswith("json"):
        document = parse_json(client, path)
        validate_json_feed(document)
        return [
            Entry(
                id=item["id"],
                link=item["url"],
                title=item.get("title", ""),
                content=item["content_html"],
                summary=item.get("summary", ""),
                author=item["authors"][0]["name"],
                tags=item.get("tags", []),
                enclosures=[(a["url"], a["mime_type"]) for a in item.get("attachments", [])],
                language=item.get("language") or document.get("language"),
            )
            for item in document["items"]
        ]
    parsed = parse(client, path)
    return [
        Entry(
            id=entry.id,
            link=entry.link,
            # RSS titles are HTML; feedparser hands them over still escaped.
            title=html.unescape(entry.title),
            content=entry.content[0].value if entry.get("content") else "",
            summary=entry.get("summary", ""),
            author=entry.get("author", ""),
            tags=[tag.term for tag in entry.get("tags", [])],
            enclosures=[(e.href, e.type) for e in entry.get("enclosures", [])],
            language=entry.content[0].get("language") if entry.get("content") else None,
        )
        for entry in parsed.entries
    ]


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def validate_json_feed(document: dict[str, Any]) -> None:
    """Assert that ``document`` follows JSON Feed 1.1 (https://jsonfeed.org/version/1.1).

    Checks every field the spec requires and the type of every field it defines.
    """

    def strings(owner: dict[str, Any], *names: str) -> None:
        for name in names:
            if name in owner:
                assert isinstance(owner[name], str) and owner[name], (name, owner[name])

    def authors(owner: dict[str, Any]) -> None:
        for author in owner.get("authors", []):
            assert set(author) & {"name", "url", "avatar"}, author
            strings(author, "name", "url", "avatar")

    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(document["title"], str) and document["title"]
    assert isinstance(document["items"], list)
    strings(document, "home_page_url", "feed_url", "description", "icon", "favicon", "language")
    authors(document)
    for hub in document.get("hubs", []):
        assert isinstance(hub["type"], str) and isinstance(hub["url"], str)
    ids = [item["id"] for item in document["items"]]
    assert len(ids) == len(set(ids)), "item ids must be unique"
    for item in document["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert "content_html" in item or "content_text" in item, item["id"]
        strings(item, "url", "title", "content_html", "summary", "image", "language")
        for name in ("date_published", "date_modified"):
            if name in item:
                assert RFC3339.match(item[name]), (name, item[name])
        assert all(isinstance(tag, str) for tag in item.get("tags", []))
        authors(item)
        for attachment in item.get("attachments", []):
            strings(attachment, "url", "mime_type")
            assert attachment["url"] and attachment["mime_type"]
            if "size_in_bytes" in attachment:
                assert isinstance(attachment["size_in_bytes"], int)
