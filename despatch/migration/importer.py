"""Importing a WordPress export (WXR) into one blog: ``wordpress_import``.

The file is read twice, both times as a stream: a quick first pass counts the
items (for the progress bar) and indexes attachments, which galleries and
featured images refer to but which WordPress usually exports after the posts
using them; the second pass imports.

Every item (a post with its tags, comments and old addresses) is written
all or nothing and recorded in ``ImportedItem`` with a digest of its source,
so an import interrupted at any point can simply be run again: what was
committed is found and left alone, the rest is added, nothing doubles. A
malformed item is reported with its WordPress number and skipped; its
writes are rolled back and the others are untouched.

Posts never imported before (all of them, the first time) are written a
hundred at a time, a few statements per table for the lot, in one savepoint:
one statement per post and comment would cost several times the import
itself. If anything in such a batch fails, the savepoint is rolled back and
its items are written again one by one, each in a savepoint of its own, so
only the bad item is skipped. Posts imported before, and every item of a
batch that failed, take that one-by-one route.

Finished items are committed together every hundred items or every second,
whichever comes first. A commit per item costs more than the item itself
(SQLite writes every page the item touched to its log again; PostgreSQL waits
for the disk), and a kill loses at most the last second's items, which the
next run brings in. The write lock is never held longer than that, so
readers' comments still go in.

On SQLite the run also gives its connection a page cache big enough for the
comments' indexes, and lets the write-ahead log grow longer between
checkpoints (see ``IMPORT_PAGE_CACHE_KIB``).

Other apps' follow-up work (blog statistics, cached pages, the search index)
is done once at the end, for everything the run changed.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from despatch.accounts.models import User
from despatch.blogs.models import AuthorProfile, Blog
from despatch.blogs.validators import RESERVED_BLOG_SLUGS
from despatch.conversations.models import Comment, normalise_email
from despatch.conversations.privacy import retention_cutoff
from despatch.conversations.text import fingerprint, render_comment_text
from despatch.core.languages import CONTENT_LANGUAGE_CHOICES
from despatch.core.rendering import BodyFormat
from despatch.core.rows import insert_rows
from despatch.posts.bulk import BulkChanges, posts_changed_in_bulk, posts_create_in_bulk
from despatch.posts.models import Post, Tag
from despatch.posts.publishing import freeze_signature
from despatch.search.documents import indexable_posts
from despatch.search.indexing import search_index_in_bulk

from .models import ImportedItem, LegacyAddress
from .redirects import address_from_url, id_query_path, normalise_path
from .wordpress_content import (
    ConversionContext,
    clean_text,
    comment_text_from_wordpress,
    plain_text,
    post_html_from_wordpress,
)
from .wxr import (
    KNOWN_WXR_VERSIONS,
    WxrAttachment,
    WxrAuthor,
    WxrChannel,
    WxrComment,
    WxrFile,
    WxrInventory,
    WxrItem,
    WxrRefused,
    WxrSyntaxError,
    WxrTerm,
)

logger = logging.getLogger(__name__)

# Finished items are committed together this often (see the module docstring).
COMMIT_EVERY_ITEMS = 100
COMMIT_EVERY_SECONDS = 1.0
# SQLite's page cache during an import, in KiB. Its default (2 MB) is far smaller
# than the comments' indexes on e-mail address, fingerprint and date, which new
# comments go into in random order: every statement then reads their pages back
# from the operating system. 32 MB holds them for a hundred thousand comments;
# more would cost memory that the import's 300 MB budget needs for the rest.
IMPORT_PAGE_CACHE_KIB = 32 * 1024
# Pages SQLite's write-ahead log may hold before they are copied into the database
# (1,000 by default: after every commit of an import). Those indexes' pages change
# in commit after commit, and are copied once per checkpoint whatever the number.
IMPORT_CHECKPOINT_PAGES = 10_000
# New posts are written this many at a time (see the module docstring).
NEW_POSTS_PER_BATCH = 100
# Bump when the conversion of WordPress content changes, so a re-import refreshes posts.
CONVERSION_VERSION = 1
WORDPRESS_DEFAULT_TAGLINES = {"Just another WordPress site", "Just another WordPress weblog"}
# WordPress files every post without a category under this one; as a tag it says nothing.
DEFAULT_CATEGORY_SLUG = "uncategorized"
COMMENT_TYPES = {"", "comment"}
UPLOADS_MARKER = "/wp-content/uploads/"
MEDIA_PREFIX = "wordpress"

# What happens to each kind of WordPress item that is not a post.
OTHER_ITEM_TYPES = {
    "page": "not imported: Despatch has no stand-alone pages (--pages-as-drafts keeps them)",
    "attachment": "indexed: used for featured images, galleries and copied media files",
    "nav_menu_item": "not imported: navigation menus belong to the old site's theme",
    "revision": "not imported: each post's latest version is",
    "wp_block": "not imported: reusable blocks are already expanded in the posts using them",
    "custom_css": "not imported: theme styling",
    "customize_changeset": "not imported: theme settings",
    "oembed_cache": "not imported: WordPress's cache of embeds",
    "wp_navigation": "not imported: navigation menus belong to the old site's theme",
    "wp_template": "not imported: theme templates",
    "wp_template_part": "not imported: theme templates",
    "wp_global_styles": "not imported: theme styling",
}
OTHER_ITEM_DEFAULT = "not imported: a WordPress-specific item type"


class ImportRefused(Exception):
    """The import cannot start (the file is not WXR, or the target blog is ambiguous)."""


@dataclass
class ImportReport:
    """What an import did, or with ``dry_run`` would do: counts, problems and notes."""

    dry_run: bool = False
    blog: str = ""
    wxr_version: str = ""
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    other_items: Counter[tuple[str, str]] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)
    error: str = ""
    seconds: float = 0.0
    indexed_posts: int = 0
    indexing_seconds: float = 0.0

    def copy(self) -> ImportReport:
        """A copy to go back to if the writes counted after it are rolled back."""
        return replace(
            self,
            outcomes=Counter(self.outcomes),
            other_items=Counter(self.other_items),
            problems=list(self.problems),
            notes=Counter(self.notes),
        )

    def count(self, kind: str, outcome: str, number: int = 1) -> None:
        if number:
            self.outcomes[(kind, outcome)] += number

    def total(self, kind: str, outcome: str) -> int:
        return self.outcomes[(kind, outcome)]

    def problem(self, text: str) -> None:
        logger.debug("WordPress import: %s", text)
        self.problems.append(text)


@dataclass
class ImportProgress:
    """Where the import has got to, for a progress bar."""

    items_done: int
    items_total: int
    bytes_done: int
    bytes_total: int
    started_at: float
    report: ImportReport


ProgressCallback = Callable[[ImportProgress], None]


def wordpress_import(
    *,
    path: Path | str,
    blog_slug: str | None = None,
    dry_run: bool = False,
    media_dir: Path | str | None = None,
    pages_as_drafts: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import the WXR file at ``path`` into the blog ``blog_slug`` (made if missing).

    Without ``blog_slug`` the blog is named after the export's title. With
    ``media_dir`` (a copy of the old site's ``wp-content/uploads``) the images
    that posts use are copied in and the bodies point at the copies. With
    ``dry_run`` everything is worked out and then rolled back, and no file is
    copied. Raises ``ImportRefused`` when the file is not WXR; a file that breaks
    off part-way is imported up to that point and the report's ``error`` says
    where it broke.
    """
    run = _ImportRun(
        path=Path(path),
        blog_slug=blog_slug,
        dry_run=dry_run,
        media_dir=Path(media_dir) if media_dir else None,
        pages_as_drafts=pages_as_drafts,
        progress=progress,
    )
    return run.execute()


WORDPRESS_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)")


# Made once: ``json.dumps`` with options builds an encoder per call, and a large
# import digests a hundred thousand comments. Digests of earlier runs must match.
_DIGEST_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def _digest(*parts: Any) -> str:
    encoded = _DIGEST_ENCODER.encode(parts)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _source_key(channel: WxrChannel, path: Path) -> str:
    """The identity of the exported blog: its address, or the file's name if it has none."""
    url = channel.blog_url.strip()
    if not url:
        return f"file:{path.name}"
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}{normalise_path(parts.path)}".rstrip("/")


def parse_wordpress_date(value: str) -> datetime | None:
    """Read WordPress's ``2010-10-20 14:08:20`` as UTC; ``0000-00-00 00:00:00`` is no date."""
    value = value.strip()
    if not value or value.startswith("0000"):
        return None
    match = WORDPRESS_DATE.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    try:
        parsed = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None
    return parsed if parsed.year >= 1971 else None


def _parse_rss_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None or parsed.year < 1971:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _column(model: type[models.Model], name: str) -> str:
    """The database column of ``model``'s field ``name``."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.column)


@contextmanager
def _sqlite_tuned_for_import() -> Iterator[None]:
    """Give the SQLite connection a larger page cache and log for the block.

    See ``IMPORT_PAGE_CACHE_KIB`` and ``IMPORT_CHECKPOINT_PAGES``. The
    connection outlives the import (a server thread keeps it), so its own
    settings are put back afterwards.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (usual,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{IMPORT_PAGE_CACHE_KIB:d}")
        cursor.execute("PRAGMA wal_autocheckpoint")
        (usual_checkpoint,) = cursor.fetchone()
        cursor.execute(f"PRAGMA wal_autocheckpoint = {IMPORT_CHECKPOINT_PAGES:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(usual):d}")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(usual_checkpoint):d}")


def _truncate(value: str, length: int) -> str:
    return value if len(value) <= length else value[: length - 1].rstrip() + "…"


class _ImportRun:
    """One run of ``wordpress_import``: the file, the target blog and what happened."""

    def __init__(
        self,
        *,
        path: Path,
        blog_slug: str | None,
        dry_run: bool,
        media_dir: Path | None,
        pages_as_drafts: bool,
        progress: ProgressCallback | None,
    ) -> None:
        self.file = WxrFile(path)
        self.path = path
        self.blog_slug = blog_slug
        self.dry_run = dry_run
        self.media_dir = media_dir.resolve() if media_dir else None
        self.pages_as_drafts = pages_as_drafts
        self.progress = progress
        self.report = ImportReport(dry_run=dry_run)
        self.inventory: WxrInventory | None = None
        self.channel = WxrChannel()
        self.source = ""
        self.blog: Blog | None = None
        self.changes = BulkChanges()
        # (kind, WordPress id) → (Despatch number, digest) for this source and blog, read
        # once: a re-run then decides "unchanged" without a query per item.
        self._records: dict[tuple[str, str], tuple[int, str]] = {}
        self.authors: dict[str, WxrAuthor] = {}
        self.terms: dict[tuple[str, str], WxrTerm] = {}
        self.duplicate_term_names: set[str] = set()
        self.items_done = 0
        self.started_at = time.monotonic()
        self.ip_cutoff = retention_cutoff(
            getattr(settings, "DESPATCH_COMMENTS_IP_RETENTION_DAYS", 90)
        )
        # Rows found or made during the run, kept to save queries; forgotten when an
        # item's transaction rolls back, since rows it made are then gone.
        self._profiles: dict[str, AuthorProfile] = {}
        self._tags: dict[str, Tag] | None = None
        self._terms_seen: dict[tuple[str, str, str], Tag | None] = {}
        # Never-imported items read but not yet written, in the file's order.
        self._new_posts: list[WxrItem] = []
        self._media: dict[str, str | None] = {}
        # The blog's post slugs and the old addresses already taken, per host, read once.
        self._slugs: dict[str, int] | None = None
        self._fresh_posts: set[int] = set()
        self._addresses: dict[str, dict[str, int]] = {}

    # --- The run ---------------------------------------------------------------------

    def execute(self) -> ImportReport:
        try:
            self.inventory = self.file.scan()
        except WxrRefused as error:
            raise ImportRefused(str(error)) from error
        self.report.wxr_version = self.inventory.channel.wxr_version
        if self.report.wxr_version and self.report.wxr_version not in KNOWN_WXR_VERSIONS:
            self.report.notes[
                f"WXR version {self.report.wxr_version} is not one of 1.0–1.2; read as 1.2"
            ] += 1
        with _sqlite_tuned_for_import(), posts_changed_in_bulk(rolled_back=self.dry_run) as changes:
            self.changes = changes
            if self.dry_run:
                with transaction.atomic():
                    self._import_records()
                    transaction.set_rollback(True)
            else:
                try:
                    self._import_records()
                finally:
                    # A run that stops early has committed what it finished, and a
                    # re-run finds those posts unchanged: they are indexed now or never.
                    self._index_for_search(changes)
        self.report.seconds = time.monotonic() - self.started_at
        return self.report

    def _index_for_search(self, changes: BulkChanges) -> None:
        """Index what the run made or changed, once: posts made in bulk send no signals.

        Posts of this file that a killed run committed but never indexed are
        found unchanged by the next run; they are indexed here as well.
        """
        post_ids = sorted(changes.post_ids | self._imported_posts_missing_from_search())
        if not post_ids:
            return
        started = time.monotonic()
        search_index_in_bulk(post_ids=post_ids)
        self.report.indexed_posts = len(post_ids)
        self.report.indexing_seconds = time.monotonic() - started

    def _imported_posts_missing_from_search(self) -> set[int]:
        if self.blog is None:
            return set()
        imported = ImportedItem.objects.filter(
            source=self.source, blog=self.blog, kind=ImportedItem.Kind.POST
        ).values("object_id")
        return set(
            indexable_posts()
            .filter(pk__in=imported, search_entry__isnull=True)
            .values_list("pk", flat=True)
        )

    def _import_records(self) -> None:
        with self._commit_groups() as item_done:
            try:
                for record in self.file.records():
                    if isinstance(record, WxrAuthor):
                        self.authors.setdefault(record.login, record)
                    elif isinstance(record, WxrTerm):
                        self._remember_term(record)
                    elif isinstance(record, WxrChannel):
                        self._start(record)
                    elif isinstance(record, WxrItem):
                        self._import_item(record, item_done)
            except WxrSyntaxError as error:
                self.report.error = str(error)
            self._write_new_posts(item_done)
        self._report_progress()

    def _item_finished(self, item_done: Callable[[int], None], count: int = 1) -> None:
        self.items_done += count
        item_done(count)
        self._report_progress()

    @contextmanager
    def _commit_groups(self) -> Iterator[Callable[[int], None]]:
        """Hold a transaction open across items, committing it every so often.

        Yields the function to call with the number of items just finished.
        Whatever ends the run (the end of the file, broken XML, a refusal,
        Ctrl-C), the items finished so far are committed. A dry run is one
        transaction already, rolled back.
        """
        if self.dry_run or connection.in_atomic_block:
            yield lambda count: None
            return
        group: dict[str, Any] = {}

        def begin() -> None:
            group["atomic"] = transaction.atomic()
            group["atomic"].__enter__()
            group["items"], group["since"] = 0, time.monotonic()

        def item_done(count: int) -> None:
            group["items"] += count
            elapsed = time.monotonic() - group["since"]
            if group["items"] >= COMMIT_EVERY_ITEMS or elapsed >= COMMIT_EVERY_SECONDS:
                group["atomic"].__exit__(None, None, None)
                begin()

        begin()
        try:
            yield item_done
        finally:
            group["atomic"].__exit__(None, None, None)

    def _report_progress(self) -> None:
        if self.progress is None or self.inventory is None:
            return
        self.progress(
            ImportProgress(
                items_done=self.items_done,
                items_total=self.inventory.items,
                bytes_done=self.file.bytes_read,
                bytes_total=self.file.size,
                started_at=self.started_at,
                report=self.report,
            )
        )

    def _forget_cached_rows(self, items: list[WxrItem]) -> None:
        """Forget rows the failed items' rolled-back writes may have made."""
        self._profiles.clear()
        self._tags = None
        self._slugs = None
        self._addresses.clear()
        for item in items:
            self._records.pop((ImportedItem.Kind.POST, item.post_id), None)
            for comment in item.comments:
                self._records.pop((ImportedItem.Kind.COMMENT, comment.comment_id), None)

    # --- Channel, blog and terms ----------------------------------------------------

    def _start(self, channel: WxrChannel) -> None:
        self.channel = channel
        self.source = _source_key(channel, self.path)
        categories = Counter(
            term.name.lower() for term in self.terms.values() if term.taxonomy == "category"
        )
        self.duplicate_term_names = {name for name, count in categories.items() if count > 1}

    def _ensure_blog(self) -> Blog:
        """The target blog, found or made (in its own transaction) when the first post needs it."""
        if self.blog is None:
            with transaction.atomic():
                self.blog = self._blog(self.channel)
            self.report.blog = self.blog.slug
            records = ImportedItem.objects.filter(source=self.source, blog=self.blog).exclude(
                kind=ImportedItem.Kind.AUTHOR
            )
            self._records = {
                (kind, wordpress_id): (object_id, digest)
                for kind, wordpress_id, object_id, digest in records.values_list(
                    "kind", "wordpress_id", "object_id", "digest"
                ).iterator(chunk_size=5000)
            }
        return self.blog

    def _blog(self, channel: WxrChannel) -> Blog:
        """The blog named on the command line, or one named after the export."""
        name = _truncate(plain_text(channel.title), 120)
        description = plain_text(channel.description)
        if description in WORDPRESS_DEFAULT_TAGLINES:
            description = ""
        if self.blog_slug:
            blog = Blog.objects.filter(slug=self.blog_slug).first()
            if blog is not None:
                self.report.count("blog", "unchanged")
                return blog
            slug = self.blog_slug
            if slugify(slug) != slug or len(slug) > 60 or slug in RESERVED_BLOG_SLUGS:
                raise ImportRefused(
                    f"“{slug}” cannot be a blog's address: use lower-case letters, digits and "
                    "hyphens (at most 60), and none of the site's own words"
                )
        else:
            slug = self._blog_slug_from(channel, name)
            blog = Blog.objects.filter(slug=slug).first()
            if blog is not None:
                if not blog.imported_items.filter(source=self.source).exists() and (
                    blog.posts.exists()
                ):
                    raise ImportRefused(
                        f"a blog “{slug}” already exists and holds posts that did not come "
                        "from this export; name the blog to import into with --blog"
                    )
                self.report.count("blog", "unchanged")
                return blog
        language = channel.language.lower()
        codes = {code for code, _name in CONTENT_LANGUAGE_CHOICES}
        if language not in codes:
            language = language.split("-")[0]
        blog = Blog.objects.create(
            slug=slug,
            name=name or slug,
            description=description,
            language=language if language in codes else "en",
        )
        self.report.count("blog", "created")
        return blog

    def _blog_slug_from(self, channel: WxrChannel, name: str) -> str:
        host = urlsplit(channel.blog_url).hostname or ""
        slug = slugify(name)[:60].strip("-") or slugify(host.replace(".", "-"))[:60]
        slug = slug or "imported"
        if slug in RESERVED_BLOG_SLUGS:
            slug = f"{slug}-blog"
        return slug

    def _remember_term(self, term: WxrTerm) -> None:
        self.terms.setdefault((term.taxonomy, unquote(term.slug)), term)

    # --- Items -----------------------------------------------------------------------

    def _import_item(self, item: WxrItem, item_done: Callable[[int], None]) -> None:
        kind = item.post_type or "(no type)"
        if kind == "post" or (kind == "page" and self.pages_as_drafts):
            self._import_post_item(item, item_done)
            return
        action = OTHER_ITEM_TYPES.get(kind, OTHER_ITEM_DEFAULT)
        if kind == "(no type)":
            self.report.problem(
                f"{item.label}: has no WordPress post type (wp:post_type in the WordPress "
                "namespace) — skipped"
            )
            self.report.count("post", "skipped")
        else:
            self.report.other_items[(kind, action)] += 1
        self._item_finished(item_done)

    def _import_post_item(self, item: WxrItem, item_done: Callable[[int], None]) -> None:
        if not item.post_id.isdigit():
            self.report.problem(f"{item.label}: has no WordPress post number — skipped")
            self.report.count("post", "skipped")
            self._item_finished(item_done)
            return
        if item.status in {"auto-draft", "trash", "inherit"}:
            reason = {
                "auto-draft": "an automatic draft WordPress never showed anyone",
                "trash": "in WordPress's trash",
                "inherit": "a revision",
            }[item.status]
            self.report.notes[f"posts skipped: {reason}"] += 1
            self.report.count("post", "skipped")
            self._item_finished(item_done)
            return
        self._ensure_blog()
        if self._never_imported(item):
            self._new_posts.append(item)
            if len(self._new_posts) >= NEW_POSTS_PER_BATCH:
                self._write_new_posts(item_done)
            return
        # Items are written in the file's order, which decides whose slug gets a suffix.
        self._write_new_posts(item_done)
        self._import_post_alone(item)
        self._item_finished(item_done)

    def _never_imported(self, item: WxrItem) -> bool:
        """Neither the item nor any of its comments has been imported into this blog before."""
        return (ImportedItem.Kind.POST, item.post_id) not in self._records and not any(
            (ImportedItem.Kind.COMMENT, comment.comment_id) in self._records
            for comment in item.comments
        )

    def _import_post_alone(self, item: WxrItem) -> None:
        """Write one item in a savepoint of its own; report and skip it if it fails."""
        try:
            with transaction.atomic():
                self._import_post(item)
        except Exception as error:
            self._forget_cached_rows([item])
            logger.exception("WordPress import: %s failed", item.label)
            self.report.problem(f"{item.label}: {type(error).__name__}: {error} — skipped")
            self.report.count("post", "skipped")

    def _write_new_posts(self, item_done: Callable[[int], None]) -> None:
        """Write the waiting never-imported items as one batch, or one by one if it fails."""
        items, self._new_posts = self._new_posts, []
        if not items:
            return
        before = self.report.copy()
        try:
            with transaction.atomic():
                made = self._create_posts(items)
        except Exception:  # noqa: BLE001 - retried one by one below, where the bad item is reported
            logger.info("WordPress import: a batch failed; writing its items one by one")
            self.report = before
            self._forget_cached_rows(items)
            for item in items:
                self._import_post_alone(item)
        else:
            self._fresh_posts.update(post.pk for post in made)
            for post in made:
                self._slugs_taken()[post.slug] = post.pk
        self._item_finished(item_done, len(items))

    def _create_posts(self, items: list[WxrItem]) -> list[Post]:
        """Create the posts of never-imported items, with their tags, comments and addresses."""
        assert self.blog is not None
        new_posts: list[tuple[Post, list[int]]] = []
        for item in items:
            post = Post(blog=self.blog)
            tags = self._fill_post(post, item)
            new_posts.append((post, [tag.pk for tag in tags]))
        posts_create_in_bulk(posts=new_posts)
        posts = [post for post, _tags in new_posts]
        self._insert_records(
            ImportedItem.Kind.POST,
            [
                (item.post_id, post.pk, self._post_digest(item))
                for item, post in zip(items, posts, strict=True)
            ],
        )
        self.report.count("post", "created", len(posts))
        self._write_addresses([(post, item) for item, post in zip(items, posts, strict=True)])
        self._create_comments([(item, post) for item, post in zip(items, posts, strict=True)])
        return posts

    def _post_digest(self, item: WxrItem) -> str:
        return _digest(
            CONVERSION_VERSION,
            self.media_dir is not None,
            self.pages_as_drafts,
            [
                item.title,
                item.link,
                item.creator,
                item.content,
                item.excerpt,
                item.post_date,
                item.post_date_gmt,
                item.pub_date,
                item.post_name,
                item.status,
                item.post_type,
                item.password,
                item.is_sticky,
                [(term.domain, term.slug, term.name) for term in item.terms],
                item.meta_values("_thumbnail_id"),
                item.meta_values("_wp_old_slug"),
            ],
        )

    def _import_post(self, item: WxrItem) -> None:
        assert self.blog is not None
        digest = self._post_digest(item)
        key = (ImportedItem.Kind.POST, item.post_id)
        record = self._records.get(key)
        post: Post | None
        if record is not None and record[1] == digest:
            self.report.count("post", "unchanged")
            post = None
        elif record is not None:
            post = Post.objects.filter(pk=record[0]).first()
            if post is None:
                self.report.count("post", "skipped")
                self.report.notes["posts skipped: deleted in Despatch since the last import"] += 1
                return
            self._save_post(post, item)
            self._update_record(ImportedItem.Kind.POST, item.post_id, digest)
            self.report.count("post", "updated")
        else:
            post = Post(blog=self.blog)
            self._save_post(post, item)
            self._insert_records(ImportedItem.Kind.POST, [(item.post_id, post.pk, digest)])
            self._fresh_posts.add(post.pk)
            self.report.count("post", "created")
        if post is not None:
            self._write_addresses([(post, item)])
        if item.comments:
            post_id = post.pk if post is not None else record[0] if record is not None else 0
            self._import_comments(item, post=post, post_id=post_id)

    def _save_post(self, post: Post, item: WxrItem) -> None:
        """Fill ``post`` from ``item`` and save it, with its tags."""
        is_new = post.pk is None
        tags = self._fill_post(post, item)
        post.save()
        if is_new:
            # A new post has no tags yet: its rows go in with one statement. The
            # receivers of ``m2m_changed`` are not needed for that: the statistics,
            # page keys and search index they would update are brought up to date
            # once at the end of the run.
            insert_rows(Post.tags.through, [{"post_id": post.pk, "tag_id": tag.pk} for tag in tags])
        else:
            post.tags.set(tags)
        self._slugs_taken()[post.slug] = post.pk

    def _fill_post(self, post: Post, item: WxrItem) -> list[Tag]:
        """Set ``post``'s fields from ``item``; return the tags it should have."""
        assert self.blog is not None
        is_new = post.pk is None
        context = ConversionContext(
            base_url=self.channel.base_site_url or self.channel.blog_url,
            post_id=item.post_id,
            attachments=self.inventory.attachments if self.inventory else {},
            media_url=self._media_url,
        )
        converted = post_html_from_wordpress(item.content, context=context)
        for shortcode, count in converted.unknown_shortcodes.items():
            self.report.notes[f"unknown shortcode {shortcode} left as text"] += count
        if self.media_dir is None and UPLOADS_MARKER in converted.html:
            self.report.notes["posts whose images are still on the old site (no --media-dir)"] += 1
        for dropped, count in converted.dropped.items():
            self.report.notes[f"{dropped} dropped (no equivalent in Despatch)"] += count
        title = plain_text(item.title)
        if not title:
            title = _truncate(plain_text(converted.html), 80) or "Untitled"
        post.title = _truncate(title, 200)
        post.slug = self._post_slug(item, title, post)
        post.author = self._profile(item.creator)
        post.body_format = BodyFormat.HTML
        post.body_source = converted.html
        post.excerpt = plain_text(item.excerpt) or converted.teaser
        post.is_best_bit = item.is_sticky == "1"
        if is_new:
            # Counted ahead so the post is written once; checked after its comments go in.
            post.approved_comment_count = sum(
                comment.comment_type in COMMENT_TYPES
                and _comment_status(comment) == Comment.Status.APPROVED
                for comment in item.comments
            )
        self._set_top_image(post, item)
        status, published_at = self._status(item)
        if status != Post.Status.DRAFT and published_at and published_at > timezone.now():
            status = Post.Status.SCHEDULED
        # Not ``post_publish``: that announces the publication (feeds, notifications,
        # federation), and these posts were announced on the old site long ago. A
        # scheduled post still owes its announcement, made when its time comes.
        post.status = status
        post.published_at = published_at
        post.awaiting_announcement = status == Post.Status.SCHEDULED
        if status != Post.Status.DRAFT:
            freeze_signature(post)
        return self._tags_for(item)

    def _status(self, item: WxrItem) -> tuple[str, datetime | None]:
        """Map WordPress's status onto ours: published, scheduled or (everything else) draft."""
        when = (
            parse_wordpress_date(item.post_date_gmt)
            or parse_wordpress_date(item.post_date)
            or _parse_rss_date(item.pub_date)
        )
        if item.post_type == "page":
            self.report.notes["pages imported as drafts"] += 1
            return Post.Status.DRAFT, parse_wordpress_date(item.post_date_gmt)
        if item.status in {"publish", "future"}:
            if item.password:
                self.report.notes["password-protected posts imported as drafts"] += 1
                return Post.Status.DRAFT, when
            if when is None:
                self.report.notes["published posts without a date imported as drafts"] += 1
                return Post.Status.DRAFT, None
            return Post.Status.PUBLISHED, when
        if item.status == "private":
            self.report.notes["private posts imported as drafts"] += 1
        elif item.status == "pending":
            self.report.notes["posts pending review imported as drafts"] += 1
        # A draft keeps its date only when WordPress had really published it once.
        return Post.Status.DRAFT, parse_wordpress_date(item.post_date_gmt)

    def _post_slug(self, item: WxrItem, title: str, post: Post) -> str:
        assert self.blog is not None
        slug = slugify(unquote(item.post_name), allow_unicode=True)[:200].strip("-")
        slug = slug or slugify(title, allow_unicode=True)[:200].strip("-") or f"post-{item.post_id}"
        taken = self._slugs_taken()
        if taken.get(slug, post.pk) != post.pk:
            slug = f"{slug[:180]}-{item.post_id}"
        # Held until the post has its number (0 is none), so a post later in the
        # same batch cannot take the slug too.
        taken[slug] = post.pk or 0
        return slug

    def _slugs_taken(self) -> dict[str, int]:
        """The blog's post slugs and whose they are, read once."""
        if self._slugs is None:
            self._slugs = dict(Post.objects.filter(blog=self.blog).values_list("slug", "pk"))
        return self._slugs

    # --- Authors and tags -----------------------------------------------------------

    def _profile(self, login: str) -> AuthorProfile:
        """The author profile for a WordPress login, made on first use (no account, no password).

        An author already imported from this site (into any blog) is reused; so
        is the profile of a user with the author's e-mail address.
        """
        blog = self._ensure_blog()
        login = login.strip()
        cached = self._profiles.get(login)
        if cached is not None:
            return cached
        author = self.authors.get(login)
        display_name = self._display_name(author, login)
        digest = _digest(display_name)
        records = ImportedItem.objects.filter(
            source=self.source, kind=ImportedItem.Kind.AUTHOR, wordpress_id=login
        ).order_by("id")
        record = next((r for r in records if r.blog_id == blog.pk), None) or records.first()
        profile = AuthorProfile.objects.filter(pk=record.object_id).first() if record else None
        if profile is not None and record is not None:
            if record.digest == digest:
                self.report.count("author", "unchanged")
            else:
                profile.display_name = display_name
                profile.save(update_fields=["display_name"])
                self.report.count("author", "updated")
        else:
            profile = self._matching_profile(author) or self._new_profile(login, display_name)
        if record is None or record.blog_id != blog.pk or record.digest != digest:
            ImportedItem.objects.update_or_create(
                source=self.source,
                blog=blog,
                kind=ImportedItem.Kind.AUTHOR,
                wordpress_id=login,
                defaults={"object_id": profile.pk, "digest": digest},
            )
        blog.authors.add(profile)
        self._profiles[login] = profile
        return profile

    def _matching_profile(self, author: WxrAuthor | None) -> AuthorProfile | None:
        """The profile of a Despatch user with the author's e-mail address, made if need be."""
        if author is None or not author.email:
            return None
        user = User.objects.filter(email__iexact=author.email).first()
        if user is None:
            return None
        profile = AuthorProfile.objects.filter(user=user).first()
        if profile is None:
            profile = self._new_profile(author.login, self._display_name(author, author.login))
            profile.user = user
            profile.save(update_fields=["user"])
        else:
            self.report.count("author", "matched to a user")
        return profile

    def _display_name(self, author: WxrAuthor | None, login: str) -> str:
        if author is not None:
            full_name = " ".join(part for part in (author.first_name, author.last_name) if part)
            name = plain_text(author.display_name or full_name)
            if name:
                return _truncate(name, 120)
        if login:
            return _truncate(plain_text(login), 120) or login[:120]
        assert self.blog is not None
        return self.blog.name

    def _new_profile(self, login: str, display_name: str) -> AuthorProfile:
        assert self.blog is not None
        base = slugify(login)[:70].strip("-") or slugify(display_name)[:70].strip("-")
        base = base or f"{self.blog.slug[:60]}-author"
        slug, number = base, 1
        while AuthorProfile.objects.filter(slug=slug).exists():
            number += 1
            slug = f"{base}-{number}"
        profile = AuthorProfile.objects.create(slug=slug, display_name=display_name)
        self.report.count("author", "created")
        return profile

    def _tags_for(self, item: WxrItem) -> list[Tag]:
        tags: dict[int, Tag] = {}
        for reference in item.terms:
            domain = reference.domain.strip()
            if domain in {"post_tag", "tag"}:
                taxonomy = "post_tag"
            elif domain == "category":
                taxonomy = "category"
            else:
                self.report.notes[f"terms of the “{domain}” taxonomy ignored"] += 1
                continue
            slug = unquote(reference.slug.strip())
            if taxonomy == "category" and slug == DEFAULT_CATEGORY_SLUG:
                continue
            tag = self._tag(taxonomy, slug, reference.name)
            if tag is not None:
                tags[tag.pk] = tag
        return list(tags.values())

    def _tag(self, taxonomy: str, slug: str, name: str) -> Tag | None:
        """Categories and tags both become tags; a child category sharing a name is qualified."""
        if self._tags is None:
            # Every tag of the site, read once: thousands of posts share a few hundred.
            self._tags = {tag.slug: tag for tag in Tag.objects.all()}
            self._terms_seen.clear()
        reference = (taxonomy, slug, name)
        if reference not in self._terms_seen:
            self._terms_seen[reference] = self._find_or_make_tag(taxonomy, slug, name, self._tags)
        return self._terms_seen[reference]

    def _find_or_make_tag(
        self, taxonomy: str, slug: str, name: str, tags: dict[str, Tag]
    ) -> Tag | None:
        term = self.terms.get((taxonomy, slug))
        name = plain_text(name or (term.name if term else "") or slug)
        if (
            term is not None
            and term.parent
            and taxonomy == "category"
            and name.lower() in self.duplicate_term_names
        ):
            parent = self.terms.get(("category", unquote(term.parent)))
            parent_name = plain_text(parent.name if parent else term.parent)
            name = f"{name} ({parent_name})"
        name = _truncate(name, 80)
        slug = slugify(slug or name, allow_unicode=True)[:90].strip("-")
        if not slug:
            slug = "tag-" + hashlib.sha256(name.encode()).hexdigest()[:10]
        if not name:
            return None
        tag = tags.get(slug) or Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name, slug=slug)
            self.report.count("tag", "created")
        tags[slug] = tag
        return tag

    # --- Media -------------------------------------------------------------------------

    def _media_url(self, url: str) -> str | None:
        """Copy an uploaded file from ``--media-dir`` and return its new address, if it is one."""
        if self.media_dir is None or UPLOADS_MARKER not in url:
            return None
        if url in self._media:
            return self._media[url]
        name = self._media_copy(url)
        self._media[url] = default_storage.url(name) if name else None
        return self._media[url]

    def _media_copy(self, url: str) -> str | None:
        """Copy the file ``url`` names into storage; return its storage name, or None."""
        assert self.media_dir is not None
        parts = urlsplit(url)
        relative = unquote(parts.path.split(UPLOADS_MARKER, 1)[1])
        source = (self.media_dir / relative).resolve()
        if not source.is_relative_to(self.media_dir) or not source.is_file():
            self.report.count("media file", "missing")
            return None
        host = (urlsplit(self.channel.blog_url).hostname or "site").lower()
        name = f"{MEDIA_PREFIX}/{host}/{relative}"
        if default_storage.exists(name):
            self.report.count("media file", "unchanged")
            return name
        if self.dry_run:
            self.report.count("media file", "created")
            return name
        with source.open("rb") as handle:
            stored = default_storage.save(name, File(handle))
        self.report.count("media file", "created")
        return stored

    def _set_top_image(self, post: Post, item: WxrItem) -> None:
        """The featured image becomes the post's top image when its file can be copied in."""
        thumbnail = item.meta_value("_thumbnail_id").strip()
        attachment: WxrAttachment | None = (
            self.inventory.attachments.get(thumbnail) if self.inventory else None
        )
        if not thumbnail or attachment is None:
            return
        if self.media_dir is None:
            self.report.notes["featured images left behind (no --media-dir given)"] += 1
            return
        if self._media_url(attachment.url) is None:
            return
        if self.dry_run:
            # The file is not copied in a dry run, so there is nothing to measure yet.
            return
        parts = urlsplit(attachment.url)
        relative = unquote(parts.path.split(UPLOADS_MARKER, 1)[1])
        host = (urlsplit(self.channel.blog_url).hostname or "site").lower()
        post.top_image = f"{MEDIA_PREFIX}/{host}/{relative}"  # type: ignore[assignment]
        post.top_image_alt = _truncate(plain_text(attachment.alt or attachment.title), 250)

    # --- Old addresses -----------------------------------------------------------------

    def _write_addresses(self, posts: list[tuple[Post, WxrItem]]) -> None:
        """Record the old addresses of each post, all in one statement."""
        rows: list[tuple[int, str, str]] = []
        for post, item in posts:
            rows.extend(self._new_addresses(post, item))
        if rows:
            quote = connection.ops.quote_name
            columns = ", ".join(
                quote(_column(LegacyAddress, name)) for name in ("post", "host", "path")
            )
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {quote(LegacyAddress._meta.db_table)} ({columns}) "  # noqa: S608
                    "VALUES (%s, %s, %s)",
                    rows,
                )
        self.report.count("old address", "recorded", len(rows))

    def _new_addresses(self, post: Post, item: WxrItem) -> list[tuple[int, str, str]]:
        """The old addresses of ``post`` not yet leading anywhere, as rows to insert."""
        addresses: dict[tuple[str, str], None] = {}
        blog_url = urlsplit(self.channel.blog_url)
        host = (blog_url.hostname or "").lower()
        parameter = "page_id" if item.post_type == "page" else "p"
        addresses[(host, id_query_path(blog_url.path, parameter, int(item.post_id)))] = None
        if item.link:
            link = urlsplit(item.link)
            link_host = (link.hostname or host).lower()
            query = parse_qs(link.query)
            numbers = [key for key in ("p", "page_id") if query.get(key, [""])[0].isdigit()]
            if numbers:
                key = numbers[0]
                addresses[(link_host, id_query_path(link.path, key, query[key][0]))] = None
            elif normalise_path(link.path) != normalise_path(blog_url.path):
                link_host, path = address_from_url(item.link)
                addresses[(link_host.lower() or host, path)] = None
                for old_slug in item.meta_values("_wp_old_slug"):
                    old_slug = old_slug.strip()
                    segments = path.rsplit("/", 1)
                    if old_slug and len(segments) == 2 and segments[1]:
                        old_path = f"{segments[0]}/{unquote(old_slug)}"
                        addresses[(link_host.lower() or host, old_path)] = None
        wanted = {(address_host[:255], path[:500]) for address_host, path in addresses}
        wanted.discard((host, "/"))
        rows, elsewhere = [], 0
        for address_host, path in sorted(wanted):
            taken = self._taken_addresses(address_host)
            owner = taken.get(path)
            if owner is None:
                rows.append((post.pk, address_host, path))
                taken[path] = post.pk
            elif owner != post.pk:
                elsewhere += 1
        if elsewhere:
            self.report.notes["old addresses already leading to another post (kept)"] += elsewhere
        return rows

    def _taken_addresses(self, host: str) -> dict[str, int]:
        """Old paths of ``host`` already leading somewhere, read once per run."""
        if host not in self._addresses:
            self._addresses[host] = dict(
                LegacyAddress.objects.filter(host=host).values_list("path", "post_id")
            )
        return self._addresses[host]

    # --- Comments -----------------------------------------------------------------------

    def _comments_to_import(self, item: WxrItem) -> list[WxrComment]:
        """The item's comments proper; pingbacks and other kinds are counted as skipped."""
        comments: list[WxrComment] = []
        for comment in item.comments:
            if comment.comment_type in COMMENT_TYPES:
                comments.append(comment)
            else:
                self.report.notes[f"{comment.comment_type}s skipped"] += 1
                self.report.count("comment", "skipped")
        return comments

    def _is_repeat(self, fields: dict[str, Any], seen: set[tuple[str, str]]) -> bool:
        """The same text from the same address again: WordPress lets it through, we do not."""
        key = (fields["author_email"], fields["fingerprint"])
        if fields["author_email"] and key in seen:
            self.report.notes["comments skipped: the same text twice from one address"] += 1
            self.report.count("comment", "skipped")
            return True
        seen.add(key)
        return False

    def _create_comments(self, posts: list[tuple[WxrItem, Post]]) -> None:
        """Create the comments of posts just made, in a few statements for the whole batch."""
        # (post, comment, fields, thread root), thread starters first so replies can point at them.
        starters: list[tuple[Post, WxrComment, dict[str, Any], str]] = []
        replies: list[tuple[Post, WxrComment, dict[str, Any], str]] = []
        for item, post in posts:
            comments = self._comments_to_import(item)
            if not comments:
                continue
            self.changes.comments_changed(post_id=post.pk, blog_id=post.blog_id)
            parents = {comment.comment_id: comment.parent_id for comment in comments}
            creator = item.creator.strip()
            seen: set[tuple[str, str]] = set()
            for comment in comments:
                fields = self._comment_row(comment, post, creator=creator)
                if fields is None or self._is_repeat(fields, seen):
                    continue
                root = _thread_root(comment.comment_id, parents)
                group = starters if root == comment.comment_id else replies
                group.append((post, comment, fields, root))
        known_ids: dict[tuple[int, str], int] = {}
        made: list[tuple[Post, WxrComment, int, str]] = []
        for group in (starters, replies):
            for post, comment, fields, root in group:
                if root != comment.comment_id:
                    fields["parent_id"] = known_ids.get((post.pk, root))
            new_ids = insert_rows(Comment, [fields for _p, _c, fields, _r in group])
            for (post, comment, fields, _root), new_id in zip(group, new_ids, strict=True):
                known_ids[(post.pk, comment.comment_id)] = new_id
                made.append((post, comment, new_id, fields["status"]))
        self._insert_records(
            ImportedItem.Kind.COMMENT,
            [
                (comment.comment_id, new_id, _digest(_comment_fields(comment)))
                for _post, comment, new_id, _status in made
            ],
        )
        self.report.count("comment", "created", len(made))
        approved = Counter(
            post.pk for post, _c, _id, status in made if status == Comment.Status.APPROVED
        )
        for _item, post in posts:
            # Counted ahead from the file; comments skipped since then make it differ.
            if approved[post.pk] != post.approved_comment_count:
                post.approved_comment_count = approved[post.pk]
                Post.objects.filter(pk=post.pk).update(approved_comment_count=approved[post.pk])

    def _import_comments(self, item: WxrItem, *, post: Post | None, post_id: int) -> None:
        """Bring in the item's comments; replies to replies join their thread's first comment."""
        assert self.blog is not None
        comments = self._comments_to_import(item)
        if not comments:
            return
        records = {
            comment.comment_id: found
            for comment in comments
            if (found := self._records.get((ImportedItem.Kind.COMMENT, comment.comment_id)))
        }
        digests = {comment.comment_id: _digest(_comment_fields(comment)) for comment in comments}
        if all(records.get(c.comment_id, (0, ""))[1] == digests[c.comment_id] for c in comments):
            self.report.count("comment", "unchanged", len(comments))
            return
        if post is None:
            post = Post.objects.filter(pk=post_id).first()
            if post is None:
                return
        self.changes.comments_changed(post_id=post.pk, blog_id=post.blog_id)
        parents = {comment.comment_id: comment.parent_id for comment in comments}
        # Comments imported before and still here; a moderator may have deleted some since.
        still_here = set(
            Comment.objects.filter(
                pk__in=[object_id for object_id, _d in records.values()]
            ).values_list("pk", flat=True)
        )
        known_ids = {
            wordpress_id: object_id
            for wordpress_id, (object_id, _d) in records.items()
            if object_id in still_here
        }
        creator = item.creator.strip()
        seen = self._existing_fingerprints(post) if records else set()
        new_rows: list[tuple[WxrComment, dict[str, Any], str]] = []
        for comment in comments:
            record = records.get(comment.comment_id)
            if record is not None and record[1] == digests[comment.comment_id]:
                self.report.count("comment", "unchanged")
                continue
            fields = self._comment_row(comment, post, creator=creator)
            if fields is None:
                continue
            if record is not None:
                self._update_comment(record[0], fields)
                self._update_record(
                    ImportedItem.Kind.COMMENT, comment.comment_id, digests[comment.comment_id]
                )
                continue
            if self._is_repeat(fields, seen):
                continue
            root = _thread_root(comment.comment_id, parents)
            new_rows.append((comment, fields, root))
        # Thread starters first, so that replies can point at them.
        starters = [row for row in new_rows if row[2] == row[0].comment_id or row[2] in known_ids]
        replies = [row for row in new_rows if row not in starters]
        made: list[tuple[WxrComment, int, str]] = []
        for batch in (starters, replies):
            for comment, fields, root in batch:
                if root != comment.comment_id:
                    fields["parent_id"] = known_ids.get(root)
            # A hundred thousand comments per import: inserted with the least overhead.
            new_ids = insert_rows(Comment, [fields for _c, fields, _r in batch])
            for (comment, fields, _root), new_id in zip(batch, new_ids, strict=True):
                known_ids[comment.comment_id] = new_id
                made.append((comment, new_id, fields["status"]))
        self._insert_records(
            ImportedItem.Kind.COMMENT,
            [
                (comment.comment_id, new_id, digests[comment.comment_id])
                for comment, new_id, _ in made
            ],
        )
        self.report.count("comment", "created", len(made))
        if post.pk in self._fresh_posts:
            # The post was made by this run, so every comment it has was just counted.
            approved = sum(status == Comment.Status.APPROVED for _comment, _key, status in made)
        else:
            approved = Comment.objects.filter(post=post, status=Comment.Status.APPROVED).count()
        if approved != post.approved_comment_count:
            Post.objects.filter(pk=post.pk).update(approved_comment_count=approved)
            post.approved_comment_count = approved

    def _insert_records(self, kind: str, rows: list[tuple[str, int, str]]) -> None:
        """Record imported items, in one statement: tens of thousands are written per import."""
        assert self.blog is not None
        if not rows:
            return
        table = ImportedItem._meta.db_table
        columns = ", ".join(
            connection.ops.quote_name(_column(ImportedItem, name))
            for name in ("source", "blog", "kind", "wordpress_id", "object_id", "digest")
        )
        imported_at = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} "  # noqa: S608 - names, not data
                f"({columns}, {connection.ops.quote_name('imported_at')}) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [
                    (self.source, self.blog.pk, kind, wordpress_id, object_id, digest, imported_at)
                    for wordpress_id, object_id, digest in rows
                ],
            )
        for wordpress_id, object_id, digest in rows:
            self._records[(kind, wordpress_id)] = (object_id, digest)

    def _update_record(self, kind: str, wordpress_id: str, digest: str) -> None:
        ImportedItem.objects.filter(
            source=self.source, blog=self.blog, kind=kind, wordpress_id=wordpress_id
        ).update(digest=digest, imported_at=timezone.now())
        object_id, _old = self._records[(kind, wordpress_id)]
        self._records[(kind, wordpress_id)] = (object_id, digest)

    def _existing_fingerprints(self, post: Post) -> set[tuple[str, str]]:
        return set(
            Comment.objects.filter(post=post)
            .exclude(author_email="")
            .values_list("author_email", "fingerprint")
        )

    def _comment_row(
        self, comment: WxrComment, post: Post, *, creator: str
    ) -> dict[str, Any] | None:
        """The fields of a new ``Comment`` for a WordPress comment, or None if it has no text.

        ``Comment.save()`` does not run for rows inserted in bulk, so what it
        would do is done here, with the conversations app's own functions: the
        rendered text, the lower-cased address, the blog copied from the post.
        """
        body = comment_text_from_wordpress(comment.content)
        if not body:
            self.report.notes["comments skipped: no text"] += 1
            self.report.count("comment", "skipped")
            return None
        submitted_at = (
            parse_wordpress_date(comment.date_gmt)
            or parse_wordpress_date(comment.date)
            or post.published_at
            or timezone.now()
        )
        status = _comment_status(comment)
        # The post's own author answering under it keeps the "Author" badge.
        author = self.authors.get(creator)
        by_post_author = (
            author is not None
            and comment.user_id not in {"", "0"}
            and comment.user_id == author.author_id
        )
        return {
            "post_id": post.pk,
            "blog_id": post.blog_id,
            "author_name": _truncate(plain_text(comment.author), 80) or "Anonymous",
            "author_email": _truncate(normalise_email(clean_text(comment.author_email)), 254),
            "author_website": _website(comment.author_url),
            "body": body,
            "body_html": render_comment_text(body),
            "status": status,
            "badge": Comment.Badge.AUTHOR if by_post_author else Comment.Badge.NONE,
            "spam_score": 1.0 if status == Comment.Status.SPAM else 0.0,
            "fingerprint": fingerprint(body),
            "ip_address": (
                _ip_address(comment.author_ip) if submitted_at >= self.ip_cutoff else None
            ),
            "submitted_at": submitted_at,
            "decided_at": submitted_at if status != Comment.Status.PENDING else None,
        }

    def _update_comment(self, comment_id: int, fields: dict[str, Any]) -> None:
        comment = Comment.objects.filter(pk=comment_id).first()
        if comment is None:
            self.report.notes["comments skipped: deleted in Despatch since the last import"] += 1
            self.report.count("comment", "skipped")
            return
        for name in (
            "author_name",
            "author_email",
            "author_website",
            "body",
            "status",
            "badge",
            "spam_score",
            "fingerprint",
            "submitted_at",
            "decided_at",
        ):
            setattr(comment, name, fields[name])
        comment.save()
        self.report.count("comment", "updated")


# WordPress's comment_approved values and the moderation state each becomes.
COMMENT_STATUSES = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.REJECTED,
    "post-trashed": Comment.Status.REJECTED,
}


def _comment_status(comment: WxrComment) -> str:
    return COMMENT_STATUSES.get(comment.approved.lower(), Comment.Status.PENDING)


def _comment_fields(comment: WxrComment) -> list[str]:
    return [
        comment.author,
        comment.author_email,
        comment.author_url,
        comment.date,
        comment.date_gmt,
        comment.content,
        comment.approved,
        comment.parent_id,
        comment.user_id,
    ]


def _thread_root(comment_id: str, parents: dict[str, str]) -> str:
    """The first comment of the thread ``comment_id`` belongs to (Despatch threads one deep)."""
    current, seen = comment_id, {comment_id}
    while parents.get(current, "0") not in {"", "0"}:
        parent = parents[current]
        if parent in seen or parent not in parents:
            # A loop, or a parent missing from the export: the thread starts here.
            return current
        seen.add(parent)
        current = parent
    return current


def _website(url: str) -> str:
    url = clean_text(url.strip())
    if len(url) > 200 or urlsplit(url).scheme not in {"http", "https"}:
        return ""
    return url


def _ip_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
