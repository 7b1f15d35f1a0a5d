"""Turning posts into what the engines index: folded words and filter tokens."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from despatch.posts.models import Post, Tag

from .models import entry_key
from .text import index_text, plain_text, terms

# Filter tokens live in a column (SQLite) or a lexeme space (PostgreSQL) of their
# own, so a reader searching for the word "blog7" never matches one.
EVERY_POST = "post"


def blog_token(blog_id: int) -> str:
    return f"blog{blog_id}"


def author_token(author_id: int) -> str:
    return f"author{author_id}"


def tag_token(tag_id: int) -> str:
    return f"tag{tag_id}"


def language_token(language: str) -> str:
    return "lang" + "".join(terms(language))


@dataclass(frozen=True)
class SearchDocument:
    """One post, ready for an engine: its entry key, folded words and filter tokens."""

    key: int
    post_id: int
    published_at: datetime
    title: str
    tags: str
    author: str
    body: str
    facets: tuple[str, ...]

    def words(self) -> set[str]:
        """Every distinct word of the post, for the vocabulary."""
        return {
            word
            for field in (self.title, self.tags, self.author, self.body)
            for word in field.split()
        }


def indexable_posts() -> QuerySet[Post]:
    """Posts that belong in the index: published, or scheduled for any time.

    Scheduled posts are indexed as soon as they are scheduled, with their date;
    queries leave out entries whose time has not come, so a post becomes
    findable the moment it goes live without anything having to run.
    """
    return Post.objects.filter(
        status__in=[Post.Status.PUBLISHED, Post.Status.SCHEDULED], published_at__isnull=False
    )


def posts_for_indexing(post_ids: Iterable[int]) -> QuerySet[Post]:
    """The indexable posts among ``post_ids``, with everything a document needs."""
    return (
        indexable_posts()
        .filter(id__in=list(post_ids))
        .select_related("blog", "author")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))
        .only(
            "id",
            "title",
            "body_html",
            "language",
            "published_at",
            "blog",
            "author",
            "blog__language",
            "author__display_name",
        )
    )


def document_for(post: Post) -> SearchDocument:
    """The search document of ``post``, which must be indexable and carry its relations."""
    assert post.published_at is not None
    tags = list(post.tags.all())
    return SearchDocument(
        key=entry_key(published_at=post.published_at, post_id=post.pk),
        post_id=post.pk,
        published_at=post.published_at,
        title=index_text(post.title),
        tags=" ".join(index_text(tag.name) for tag in tags),
        author=index_text(post.author.display_name),
        body=index_text(plain_text(post.body_html)),
        facets=(
            EVERY_POST,
            blog_token(post.blog_id),
            author_token(post.author_id),
            language_token(post.content_language),
            *(tag_token(tag.pk) for tag in tags),
        ),
    )
