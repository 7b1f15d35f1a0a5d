"""schema.org descriptions of posts and authors, for search engines (JSON-LD)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from despatch.blogs.models import AuthorProfile

from .models import Post


def person_data(author: AuthorProfile) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "Person",
        "name": author.display_name,
        "url": settings.SITE_URL + author.get_absolute_url(),
    }
    if author.job_title:
        data["jobTitle"] = author.job_title
    if author.location:
        data["workLocation"] = {"@type": "Place", "name": author.location}
    if author.photo:
        data["image"] = settings.SITE_URL + author.photo.url
    same_as = [url for url in (author.website, author.fediverse_url, author.bluesky_url) if url]
    if same_as:
        data["sameAs"] = same_as
    return data


def author_page_data(author: AuthorProfile) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "mainEntity": person_data(author),
    }


def article_data(post: Post, tags: list[Any]) -> dict[str, Any]:
    """A ``BlogPosting`` carrying the author's job title as it was on publication."""
    url = settings.SITE_URL + post.get_absolute_url()
    author = person_data(post.author)
    if post.author_job_title:
        author["jobTitle"] = post.author_job_title
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.excerpt,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": post.published_at.isoformat() if post.published_at else None,
        "dateModified": post.updated_at.isoformat(),
        "inLanguage": post.content_language,
        "author": author,
        "isPartOf": {
            "@type": "Blog",
            "name": post.blog.name,
            "url": settings.SITE_URL + post.blog.get_absolute_url(),
        },
        "publisher": {"@type": "Organization", "name": settings.NETWORK_NAME},
        "keywords": [tag.name for tag in tags],
    }
    if post.top_image:
        data["image"] = settings.SITE_URL + post.top_image.url
    return data
