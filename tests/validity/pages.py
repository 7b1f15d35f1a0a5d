"""Every public page type, and a corpus of posts that shows each of them.

The HTML validity, accessibility, browser and query-count tests all walk this
one list, so a page type added here is checked by every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from despatch.blogs.models import AuthorProfile, Blog
from despatch.posts.models import Post, Tag
from tests.factories import make_author, make_blog, make_post, make_tag

# A post that uses every kind of rich content the renderer knows (R7): a heading,
# a link, a blockquote with attribution, a pull quote, a table, a footnote and an
# embedded video with its transcript.
RICH_BODY = """\
Delegations met in Geneva this week to review the
[treaty's implementation](https://www.example.org/att).
Most of the work happened in the corridors.[^corridors]

## What the conference agreed

> We will not accept a treaty that leaves civilians unprotected.
>
> — A delegate from the Pacific

```pullquote
Diplomacy is mostly the art of listening.
```

| Country | Signed | Ratified |
| :------ | -----: | -------: |
| Ghana   |   2013 |     2015 |
| Norway  |   2013 |     2014 |

```video
https://www.youtube.com/watch?v=dQw4w9WgXcQ
title: The closing statement

Thank you, Chair. Our delegation welcomes the outcome of this conference.
```

[^corridors]: As is usual at conferences of states parties.
"""

TAG_NAMES = [
    "Arms Trade Treaty",
    "Human rights",
    "Climate",
    "Trade",
    "Consular",
    "Culture",
    "Education",
    "Health",
    "Migration",
    "Security",
]


@dataclass
class Corpus:
    """The rows the page list points at, plus everything else that was made."""

    blog: Blog
    author: AuthorProfile
    tag: Tag
    rich_post: Post
    blogs: list[Blog] = field(default_factory=list)
    authors: list[AuthorProfile] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    post_count: int = 0

    @property
    def published(self) -> datetime:
        published_at = self.rich_post.published_at
        assert published_at is not None
        return timezone.localtime(published_at)


def build_corpus(*, posts: int = 5, blogs: int = 2, authors: int = 2, tags: int = 3) -> Corpus:
    """Make a small network: blogs, authors, tags, one rich best-bit post and ``posts`` more."""
    author_rows = [
        make_author(
            display_name=f"Ambassador {number}",
            biography="Writes about the **Arms Trade Treaty** and consular work.",
            website="https://www.example.org/",
        )
        for number in range(1, authors + 1)
    ]
    blog_rows = [
        make_blog(name=f"Digital diplomacy {number}", authors=author_rows)
        for number in range(1, blogs + 1)
    ]
    tag_rows = [make_tag(name) for name in TAG_NAMES[:tags]]
    rich_post = make_post(
        blog=blog_rows[0],
        author=author_rows[0],
        title="Closing the Arms Trade Treaty conference",
        body_source=RICH_BODY,
        tags=tag_rows[:2],
        is_best_bit=True,
        published_at=timezone.now() - timedelta(hours=1),
    )
    corpus = Corpus(
        blog=blog_rows[0],
        author=author_rows[0],
        tag=tag_rows[0],
        rich_post=rich_post,
        blogs=blog_rows,
        authors=author_rows,
        tags=tag_rows,
        post_count=1,
    )
    extend_corpus(corpus, posts=posts)
    return corpus


def extend_corpus(corpus: Corpus, *, posts: int, authors: int = 0, tags: int = 0) -> Corpus:
    """Grow ``corpus`` by more posts (and authors and tags) on the same blogs, tags and months.

    Every listing the page list points at gets longer, so a page whose queries
    grow with its rows shows it.
    """
    corpus.authors += [
        make_author(display_name=f"Consul {number}") for number in range(1, authors + 1)
    ]
    known = {tag.name for tag in corpus.tags}
    unused = [name for name in TAG_NAMES if name not in known]
    unused += [f"Subject {number}" for number in range(len(known) + 1, len(known) + tags + 1)]
    corpus.tags += [make_tag(name) for name in unused[:tags]]
    for blog in corpus.blogs:
        blog.authors.add(*corpus.authors)
    rich_published = corpus.rich_post.published_at
    assert rich_published is not None
    for index in range(posts):
        number = corpus.post_count + index
        # Every third post lands just before the rich post, in its month; the others
        # go back in time a week apart, so archives have several months and years.
        if number % 3 == 0:
            published_at = rich_published - timedelta(minutes=number)
        else:
            published_at = timezone.now() - timedelta(days=7 * number)
        make_post(
            blog=corpus.blogs[number % len(corpus.blogs)],
            author=corpus.authors[number % len(corpus.authors)],
            title=f"Dispatch {number} from the embassy",
            tags=[corpus.tags[number % len(corpus.tags)], corpus.tag],
            is_best_bit=number % 4 == 0,
            best_bit_order=number,
            published_at=published_at,
        )
    corpus.post_count += posts
    return corpus


NOT_FOUND_PATH = "/no-such-blog/2001/01/no-such-post/"

# Pages a reader sees as HTML, by a stable key used in test ids.
HTML_PAGE_KEYS = [
    "network-home",
    "blog-home",
    "post",
    "author",
    "tag",
    "blog-tag",
    "tag-index",
    "archive",
    "archive-year",
    "archive-month",
    "blog-archive",
    "blog-year",
    "blog-month",
    "best-bits",
    "blog-best-bits",
    "blogs-index",
    "authors-index",
    "about",
    "house-rules",
    "accessibility",
    "privacy",
    "search-form",
    "search-results",
    "search-no-results",
    "not-found",
]
# Pages for machines: they have query counts but no HTML to validate.
MACHINE_PAGE_KEYS = ["sitemap", "robots", "health"]


def page_paths(corpus: Corpus) -> dict[str, str]:
    """Return the path of every public page type for ``corpus``, keyed as above."""
    blog = {"blog_slug": corpus.blog.slug}
    year = corpus.published.year
    month = corpus.published.month
    post = corpus.rich_post
    paths = {
        "network-home": reverse("posts:network"),
        "blog-home": reverse("posts:blog", kwargs=blog),
        "post": post.get_absolute_url(),
        "author": reverse("posts:author", kwargs={"author_slug": corpus.author.slug}),
        "tag": reverse("posts:tag", kwargs={"tag_slug": corpus.tag.slug}),
        "blog-tag": reverse("posts:blog-tag", kwargs={**blog, "tag_slug": corpus.tag.slug}),
        "tag-index": reverse("posts:tags"),
        "archive": reverse("posts:archive"),
        "archive-year": reverse("posts:archive-year", kwargs={"year": year}),
        "archive-month": reverse("posts:archive-month", kwargs={"year": year, "month": month}),
        "blog-archive": reverse("posts:blog-archive", kwargs=blog),
        "blog-year": reverse("posts:blog-year", kwargs={**blog, "year": year}),
        "blog-month": reverse("posts:blog-month", kwargs={**blog, "year": year, "month": month}),
        "best-bits": reverse("posts:best-bits"),
        "blog-best-bits": reverse("posts:blog-best-bits", kwargs=blog),
        "blogs-index": reverse("blogs:index"),
        "authors-index": reverse("blogs:authors"),
        "about": reverse("core:about"),
        "house-rules": reverse("core:house-rules"),
        "accessibility": reverse("core:accessibility"),
        "privacy": reverse("core:privacy"),
        "search-form": reverse("search:search"),
        "search-results": f"{reverse('search:search')}?q=%22arms+trade%22+treaty&sort=relevance",
        "search-no-results": f"{reverse('search:search')}?q=treatty+conferance",
        "not-found": NOT_FOUND_PATH,
        "sitemap": reverse("sitemap"),
        "robots": reverse("robots"),
        "health": reverse("health"),
    }
    assert set(paths) == {*HTML_PAGE_KEYS, *MACHINE_PAGE_KEYS}
    return paths


def expected_status(key: str) -> int:
    return 404 if key == "not-found" else 200
