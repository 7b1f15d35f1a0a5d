"""Writing and reviewing a post (W2–W4): the services the studio calls.

Each service names the person acting, checks their right through
``permissions.require``, moves the post through ``Post.transition_to`` and
keeps a revision of every save. Publishing itself is in ``publishing``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from despatch.accounts.audit import audit_record
from despatch.accounts.models import AuditLogEntry
from despatch.blogs.models import AuthorProfile, Blog
from despatch.core.rendering import excerpt_from_html
from despatch.core.surrogates import invalidate_surrogate_keys

from . import cache_keys, permissions
from .models import Post, ReviewComment, Revision, Tag
from .permissions import PostAction

# Autosaves by one person closer together than this update one revision.
AUTOSAVE_COALESCE = timedelta(minutes=10)
MAX_TAGS = 12
_fence_parser = MarkdownIt("commonmark")


@dataclass
class PostChanges:
    """What the editor form sends: everything an author writes about a post."""

    title: str
    body_source: str
    slug: str = ""
    excerpt: str = ""
    tag_names: list[str] = field(default_factory=list)
    language: str = ""
    top_image_name: str | None = None  # None: leave the top image as it is; "": remove it
    top_image_alt: str = ""


class EditConflict(Exception):
    """Someone else saved the post after the version this edit started from."""

    def __init__(self, *, post: Post, latest: Revision | None, base_version: int) -> None:
        super().__init__(f"Post {post.pk} is at version {post.version}, not {base_version}.")
        self.post = post
        self.latest = latest
        self.base_version = base_version


def videos_missing_transcript(source: str) -> list[str]:
    """Return the addresses of ``video`` blocks that have no transcript under them."""
    missing = []
    for token in _fence_parser.parse(source):
        if token.type == "fence" and token.info.strip().lower() == "video":
            header, _sep, transcript = token.content.partition("\n\n")
            if not transcript.strip():
                first = next((line for line in header.splitlines() if line.strip()), "")
                missing.append(first.strip() or _("(no address)"))
    return missing


def parse_tag_names(text: str) -> list[str]:
    """Split "Arms Trade Treaty, climate" into tidy names, without repeats."""
    names: dict[str, str] = {}
    for raw in re.split(r"[,\n]", text or ""):
        name = " ".join(raw.split())[:80]
        if name and name.casefold() not in names:
            names[name.casefold()] = name
    return list(names.values())[:MAX_TAGS]


def tags_for(names: list[str]) -> list[Tag]:
    """Existing tags by name or slug, new ones made; the same tag is never made twice."""
    tags = []
    for name in names:
        slug = slugify(name, allow_unicode=True)[:90] or "tag"
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.filter(slug=slug).first()
        if tag is None:
            tag, _created = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
        tags.append(tag)
    return tags


def unique_slug(*, blog_id: int, title: str, post_id: int | None = None) -> str:
    base = slugify(title, allow_unicode=True)[:180] or "post"
    slug, number = base, 2
    taken = Post.objects.filter(blog_id=blog_id).exclude(pk=post_id)
    while taken.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def author_profile_for(user: Any) -> AuthorProfile:
    """The person's author profile, made from their account the first time they write."""
    profile = AuthorProfile.objects.filter(user=user).first()
    if profile is not None:
        return profile
    name = user.get_full_name() or user.get_username()
    base = slugify(name)[:70] or "author"
    slug, number = base, 2
    while AuthorProfile.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return AuthorProfile.objects.create(user=user, display_name=name, slug=slug)


def written_excerpt(post: Post) -> str:
    """The excerpt the author wrote, or "" when the post shows its opening words instead.

    The model stores the automatic excerpt in the same field; telling them apart
    keeps an automatic excerpt from freezing the first time the form is saved.
    """
    return "" if post.excerpt == excerpt_from_html(post.body_html) else post.excerpt


def _record_revision(*, post: Post, by: Any, kind: str, note: str = "") -> Revision:
    latest = post.revisions.order_by("-number").first()
    values = {
        "title": post.title,
        "slug": post.slug,
        "excerpt": written_excerpt(post),
        "body_source": post.body_source,
        "tag_names": [tag.name for tag in post.tags.order_by("name")],
        "language": post.language,
        "top_image": post.top_image.name or "",
        "top_image_alt": post.top_image_alt,
        "saved_by": by,
        "saved_at": timezone.now(),
        "kind": kind,
        "note": note,
    }
    if (
        kind == Revision.Kind.AUTOSAVE
        and latest is not None
        and latest.kind == Revision.Kind.AUTOSAVE
        and latest.saved_by_id == getattr(by, "pk", None)
        and latest.saved_at > timezone.now() - AUTOSAVE_COALESCE
    ):
        for name, value in values.items():
            setattr(latest, name, value)
        latest.save()
        return latest
    return Revision.objects.create(post=post, number=(latest.number + 1 if latest else 1), **values)


@transaction.atomic
def post_create(
    *, blog: Blog, by: Any, author: AuthorProfile | None = None, title: str = ""
) -> Post:
    """Start a draft on ``blog``; editors may start one for another author."""
    if not permissions.can_write_on(by, blog.pk):
        raise ValidationError(_("You cannot write on this blog."), code="forbidden")
    if author is None or not permissions.can_edit_blog(by, blog.pk):
        author = author_profile_for(by)
    title = " ".join(title.split()) or _("Untitled draft")
    post = Post.objects.create(
        blog=blog,
        author=author,
        title=title,
        slug=unique_slug(blog_id=blog.pk, title=title),
        body_source="",
        status=Post.Status.DRAFT,
    )
    _record_revision(post=post, by=by, kind=Revision.Kind.SAVE, note=_("Started"))
    return post


def _apply(post: Post, changes: PostChanges) -> None:
    title = " ".join(changes.title.split())
    if not title:
        raise ValidationError({"title": _("Give the post a title.")}, code="required")
    post.title = title[:200]
    post.body_source = changes.body_source.replace("\r\n", "\n")
    slug = slugify(changes.slug, allow_unicode=True)[:200] if changes.slug.strip() else ""
    if not slug:
        slug = post.slug or unique_slug(blog_id=post.blog_id, title=title, post_id=post.pk)
    if Post.objects.filter(blog_id=post.blog_id, slug=slug).exclude(pk=post.pk).exists():
        raise ValidationError(
            {
                "slug": _("Another post on this blog already has the address “%(slug)s”.")
                % {"slug": slug}
            },
            code="slug_taken",
        )
    post.slug = slug
    post.excerpt = changes.excerpt.strip()
    post.language = changes.language
    if changes.top_image_name is not None:
        post.top_image.name = changes.top_image_name
        if not changes.top_image_name:
            post.top_image_width = post.top_image_height = None
    post.top_image_alt = " ".join(changes.top_image_alt.split())[:250]


@transaction.atomic
def post_save(
    *, post: Post, by: Any, changes: PostChanges, base_version: int, autosave: bool = False
) -> Post:
    """Save an edit, keeping a revision; refuse it if someone saved since ``base_version``.

    The row is locked while the versions are compared, so of two saves from
    the same version exactly one wins and the other gets ``EditConflict``.
    """
    locked = Post.objects.select_for_update().select_related("blog", "author").get(pk=post.pk)
    permissions.require(by, PostAction.EDIT, locked)
    if locked.version != base_version:
        raise EditConflict(
            post=locked,
            latest=locked.revisions.order_by("-number").first(),
            base_version=base_version,
        )
    _apply(locked, changes)
    if locked.top_image and changes.top_image_name:
        _set_top_image_size(locked)
    locked.version += 1
    locked.save()
    locked.tags.set(tags_for(changes.tag_names))
    _record_revision(
        post=locked, by=by, kind=Revision.Kind.AUTOSAVE if autosave else Revision.Kind.SAVE
    )
    if locked.status == Post.Status.APPROVED and not permissions.can(
        by, PostAction.APPROVE, locked
    ):
        # An approval covers the text that was approved, not later changes.
        locked.transition_to(Post.Status.IN_REVIEW)
        locked.save(update_fields=["status"])
    _copy_back(post, locked)
    return locked


def _set_top_image_size(post: Post) -> None:
    from despatch.media.models import Image

    image = Image.objects.filter(file=post.top_image.name).first()
    if image is not None:
        post.top_image_width, post.top_image_height = image.width, image.height


def _copy_back(post: Post, saved: Post) -> None:
    """Keep the caller's object in step with the saved row."""
    for model_field in Post._meta.concrete_fields:
        setattr(post, model_field.attname, getattr(saved, model_field.attname))


@transaction.atomic
def post_restore(*, post: Post, revision: Revision, by: Any, base_version: int) -> Post:
    """Bring back an earlier revision; the result is itself a new revision."""
    if revision.post_id != post.pk:
        raise ValidationError(_("That revision belongs to another post."), code="wrong_post")
    changes = PostChanges(
        title=revision.title,
        body_source=revision.body_source,
        slug=revision.slug,
        excerpt=revision.excerpt,
        tag_names=list(revision.tag_names),
        language=revision.language,
        top_image_name=revision.top_image,
        top_image_alt=revision.top_image_alt,
    )
    saved = post_save(post=post, by=by, changes=changes, base_version=base_version)
    latest = saved.revisions.order_by("-number").first()
    if latest is not None:
        latest.kind = Revision.Kind.RESTORE
        latest.note = _("Restored from revision %(number)s") % {"number": revision.number}
        latest.save(update_fields=["kind", "note"])
    return saved


def _step(post: Post, *, by: Any, action: str) -> Post:
    locked = Post.objects.select_for_update().select_related("blog", "author").get(pk=post.pk)
    permissions.require(by, action, locked)
    if not permissions.step_allowed(action, locked):
        raise ValidationError(
            _("A post that is %(status)s cannot be sent that way.")
            % {"status": locked.get_status_display().lower()},
            code="invalid_transition",
        )
    locked.transition_to(permissions.ACTION_TARGETS[action])
    locked.save(update_fields=["status", "updated_at"])
    _copy_back(post, locked)
    return locked


@transaction.atomic
def post_submit(*, post: Post, by: Any) -> Post:
    """Send a draft to the blog's editors for review; it must be ready to publish."""
    problems = publication_problems_for(post)
    if problems:
        raise ValidationError(problems, code="not_ready")
    submitted = _step(post, by=by, action=PostAction.SUBMIT)
    _notify(submitted, kind="submitted", by=by)
    return submitted


@transaction.atomic
def post_withdraw(*, post: Post, by: Any) -> Post:
    """Take a post back from review to go on writing it."""
    return _step(post, by=by, action=PostAction.WITHDRAW)


@transaction.atomic
def post_request_changes(*, post: Post, by: Any, comment: str) -> Post:
    """Send a submission back to its author with what to change."""
    if not comment.strip():
        raise ValidationError(_("Say what should change."), code="required")
    returned = _step(post, by=by, action=PostAction.REQUEST_CHANGES)
    post_comment(post=returned, by=by, body=comment)
    _notify(returned, kind="changes_requested", by=by)
    return returned


@transaction.atomic
def post_approve(*, post: Post, by: Any, comment: str = "") -> Post:
    """Approve a submission; an editor then publishes or schedules it."""
    approved = _step(post, by=by, action=PostAction.APPROVE)
    if comment.strip():
        post_comment(post=approved, by=by, body=comment)
    audit_record(actor=by, action=AuditLogEntry.Action.APPROVE, subject=approved)
    _notify(approved, kind="approved", by=by)
    return approved


@transaction.atomic
def post_comment(*, post: Post, by: Any, body: str) -> ReviewComment:
    """Leave a note on the review; the author and the editors see it beside the post."""
    permissions.require(by, PostAction.COMMENT, post)
    text = body.strip()
    if not text:
        raise ValidationError(_("The comment is empty."), code="required")
    return ReviewComment.objects.create(
        post=post,
        revision=post.revisions.order_by("-number").first(),
        author=by,
        body=text[:5000],
    )


def publication_problems_for(post: Post) -> list[str]:
    from .publishing import publication_problems

    return publication_problems(post)


def _notify(post: Post, *, kind: str, by: Any) -> None:
    from .notifications import workflow_notify

    post_id, actor_id = post.pk, getattr(by, "pk", None)
    transaction.on_commit(lambda: workflow_notify(post_id=post_id, kind=kind, actor_id=actor_id))


# --- Best bits (W7) ----------------------------------------------------------------


@transaction.atomic
def best_bits_set(*, blog: Blog | None, post_ids: list[int], by: Any) -> list[Post]:
    """Make ``post_ids``, in this order, the featured posts of ``blog`` (or of the network).

    Only live posts can be featured; a blog's list is its editors' to set, the
    network's the admins'.
    """
    if blog is None:
        if not permissions.can_manage_network(by):
            raise ValidationError(
                _("Only admins choose the network's best bits."), code="forbidden"
            )
        live = Post.objects.published().filter(pk__in=post_ids)
        chosen = {post.pk: post for post in live}
        Post.objects.filter(network_best_bit_order__isnull=False).exclude(pk__in=chosen).update(
            network_best_bit_order=None
        )
        for order, post_id in enumerate(pid for pid in post_ids if pid in chosen):
            Post.objects.filter(pk=post_id).update(network_best_bit_order=order)
    else:
        if not permissions.can_edit_blog(by, blog.pk):
            raise ValidationError(
                _("Only this blog's editors choose its best bits."), code="forbidden"
            )
        live = Post.objects.published().filter(blog=blog, pk__in=post_ids)
        chosen = {post.pk: post for post in live}
        Post.objects.filter(blog=blog, is_best_bit=True).exclude(pk__in=chosen).update(
            is_best_bit=False, best_bit_order=0
        )
        for order, post_id in enumerate(pid for pid in post_ids if pid in chosen):
            Post.objects.filter(pk=post_id).update(is_best_bit=True, best_bit_order=order)
    # The rows change without ``save()``, so no signal tells the caches: the network's
    # pages show its best bits (or, until it has picks, every blog's), a blog's pages
    # its own.
    invalidate_surrogate_keys(
        [cache_keys.LIVE_POSTS, *([cache_keys.blog_posts_key(blog.pk)] if blog else [])]
    )
    audit_record(
        actor=by,
        action=AuditLogEntry.Action.BEST_BITS,
        subject=blog,
        details={"network": blog is None, "posts": [pid for pid in post_ids if pid in chosen]},
    )
    return [chosen[pid] for pid in post_ids if pid in chosen]
