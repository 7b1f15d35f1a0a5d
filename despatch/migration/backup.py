"""A full export of the site as JSON (with its media files in a zip), and restoring one.

The export walks ``EXPORTED_MODELS`` in order and writes every row with its
primary key, so a restore into an empty site rebuilds the same network: same
addresses, same numbers, same links between rows. Exporting the restored site
gives the same file again, byte for byte apart from the time of the export.

Adding a model to the product means adding one line here: either to
``EXPORTED_MODELS`` or, with the reason, to ``NOT_EXPORTED``. A test fails
while any installed model is in neither.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from despatch.posts.bulk import posts_changed_in_bulk
from despatch.posts.statistics import refresh_blog_statistics

FORMAT_NAME = "despatch-export"
FORMAT_VERSION = 1
CHUNK_SIZE = 1000
OBJECTS_LINE = ' "objects": ['
# Zip entries carry this fixed time, so the same files always make the same archive.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ExportedModel:
    """One model in the export, and what of it is a secret.

    ``secret_fields`` are left out unless credentials are asked for (a restored
    user then has no usable password and sets one by the usual reset);
    ``credentials_only`` models (two-factor devices) are left out entirely.
    """

    label: str
    secret_fields: tuple[str, ...] = ()
    credentials_only: bool = False

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


# In the order a restore loads them: every row's links point to rows loaded before it,
# except where a model links to itself or the database checks links at commit.
EXPORTED_MODELS: tuple[ExportedModel, ...] = (
    ExportedModel("auth.Group"),
    ExportedModel("accounts.User", secret_fields=("password",)),
    ExportedModel("otp_totp.TOTPDevice", credentials_only=True),
    ExportedModel("otp_static.StaticDevice", credentials_only=True),
    ExportedModel("otp_static.StaticToken", credentials_only=True),
    ExportedModel("blogs.AuthorProfile"),
    ExportedModel("blogs.Blog"),
    ExportedModel("blogs.HistoricalPeriod"),
    ExportedModel("accounts.Membership"),
    ExportedModel("accounts.AuditLogEntry"),
    ExportedModel("media.Image"),
    ExportedModel("media.Rendition"),
    ExportedModel("media.Video"),
    ExportedModel("posts.Tag"),
    ExportedModel("posts.PublishingPolicy"),
    ExportedModel("posts.Post"),
    ExportedModel("posts.Revision"),
    ExportedModel("posts.ReviewComment"),
    ExportedModel("conversations.BlogCommentPolicy"),
    ExportedModel("conversations.CommentClosure"),
    ExportedModel("conversations.Comment"),
    ExportedModel("conversations.ModerationLogEntry"),
    ExportedModel("conversations.BlockedTerm"),
    ExportedModel("conversations.SpamToken"),
    ExportedModel("conversations.SpamModelTotals"),
    ExportedModel("migration.ImportedItem"),
    ExportedModel("migration.LegacyAddress"),
)

# Installed models that are not exported, and why.
NOT_EXPORTED: dict[str, str] = {
    "admin.LogEntry": "the admin's own history; the audit log is exported",
    "auth.Permission": "made by migrations; exported rows name permissions by natural key",
    "contenttypes.ContentType": "made by migrations; referred to by natural key",
    "sessions.Session": "sign-ins end with the old site",
    "django_tasks_database.DBTaskResult": "queued work belongs to the old site's worker",
    "posts.TagUsage": "derived: recounted after a restore",
    "posts.ArchiveMonth": "derived: recounted after a restore",
    "search.SearchEntry": "derived: the search index is rebuilt after a restore",
    "search.SearchTerm": "derived: the search index is rebuilt after a restore",
}

# Rebuilders of derived data, called after a restore has committed (dotted paths, no
# arguments); a restore loads rows raw, without the signals that keep these in step.
REBUILT_AFTER_RESTORE: tuple[str, ...] = ("despatch.search.indexing.search_reindex",)

# A restore only goes into a site with none of these (migrations may make other rows).
CONTENT_MODELS = ("accounts.User", "blogs.Blog", "posts.Post", "conversations.Comment")


class RestoreRefused(Exception):
    """The restore cannot go ahead; nothing was changed."""


@dataclass
class ExportSummary:
    path: Path
    media_path: Path | None
    counts: dict[str, int] = field(default_factory=dict)
    media_files: int = 0


@dataclass
class RestoreSummary:
    counts: dict[str, int] = field(default_factory=dict)
    media_files: int = 0
    dry_run: bool = False
    rebuilt: list[str] = field(default_factory=list)


ProgressCallback = Callable[[int, int], None]


def exported_models(*, include_credentials: bool) -> list[ExportedModel]:
    return [entry for entry in EXPORTED_MODELS if include_credentials or not entry.credentials_only]


def _json_default(value: Any) -> Any:
    """Full precision for dates and times (Django's own encoder drops microseconds)."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json_default)


def _serialised_rows(entry: ExportedModel, *, include_credentials: bool) -> Iterator[dict]:
    """Every row of ``entry``'s model in primary-key order, as Django's serialiser writes it."""
    model = entry.model
    many_to_many = [field.name for field in model._meta.many_to_many]
    queryset = model._base_manager.order_by("pk")
    last_pk: Any = None
    while True:
        chunk_query = queryset if last_pk is None else queryset.filter(pk__gt=last_pk)
        chunk = list(chunk_query.prefetch_related(*many_to_many)[:CHUNK_SIZE])
        if not chunk:
            return
        last_pk = chunk[-1].pk
        for row in serializers.serialize("python", chunk, use_natural_foreign_keys=True):
            for name in many_to_many:
                row["fields"][name] = sorted(row["fields"][name], key=_dumps)
            if not include_credentials:
                for name in entry.secret_fields:
                    row["fields"].pop(name, None)
            yield row


def _media_names(directory: str = "") -> Iterator[str]:
    """Every file in default storage, depth first, in name order."""
    try:
        folders, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for folder in sorted(folders):
        yield from _media_names(f"{directory}/{folder}" if directory else folder)


def media_archive_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.media.zip")


def site_export_json(
    *, path: Path, include_credentials: bool = False, progress: ProgressCallback | None = None
) -> ExportSummary:
    """Write everything to ``path`` (JSON) and the media files to ``<name>.media.zip`` beside it.

    Rows are streamed a thousand at a time, so a large site does not need its
    whole database in memory. Run in one transaction, so the file is a
    consistent picture even while the site is in use.
    """
    entries = exported_models(include_credentials=include_credentials)
    media_path = media_archive_path(path)
    summary = ExportSummary(path=path, media_path=media_path)
    with transaction.atomic():
        summary.counts = {entry.label: entry.model._base_manager.count() for entry in entries}
        total = sum(summary.counts.values())
        done = 0
        with path.open("w", encoding="utf-8") as out:
            out.write("{\n")
            out.write(f' "format": {_dumps(FORMAT_NAME)},\n')
            out.write(f' "version": {FORMAT_VERSION},\n')
            out.write(f' "exported_at": {_dumps(timezone.now())},\n')
            out.write(f' "site_url": {_dumps(settings.SITE_URL)},\n')
            out.write(f' "includes_credentials": {_dumps(include_credentials)},\n')
            out.write(f' "media_archive": {_dumps(media_path.name)},\n')
            out.write(f' "counts": {_dumps(summary.counts)},\n')
            out.write(OBJECTS_LINE + "\n")
            separator = ""
            for entry in entries:
                for row in _serialised_rows(entry, include_credentials=include_credentials):
                    out.write(f"{separator}  {_dumps(row)}")
                    separator = ",\n"
                    done += 1
                    if progress is not None and done % 500 == 0:
                        progress(done, total)
            out.write("\n ]\n}\n")
        summary.media_files = _write_media_archive(media_path)
    if progress is not None:
        progress(total, total)
    return summary


def _write_media_archive(media_path: Path) -> int:
    count = 0
    with zipfile.ZipFile(media_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in _media_names():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with default_storage.open(name, "rb") as source, archive.open(info, "w") as target:
                for block in iter(lambda: source.read(1024 * 1024), b""):
                    target.write(block)
            count += 1
    return count


def _read_export(handle: IO[str]) -> tuple[dict[str, Any], Iterable[dict[str, Any]]]:
    """Return the export's header and its rows, read one line at a time.

    The exporter writes one row per line; a file reformatted by some other
    tool is still read, all at once.
    """
    header_lines = []
    for line in handle:
        if line.rstrip("\n") == OBJECTS_LINE:
            break
        header_lines.append(line)
    else:
        handle.seek(0)
        document = json.load(handle)
        return {k: v for k, v in document.items() if k != "objects"}, document.get("objects", [])
    header_text = "".join(header_lines).rstrip().rstrip(",") + "\n}"
    header = json.loads(header_text)

    def rows() -> Iterator[dict[str, Any]]:
        for line in handle:
            text = line.strip()
            if text in {"]", "}", ""}:
                continue
            yield json.loads(text.rstrip(","))

    return header, rows()


def site_restore_json(
    *, path: Path, dry_run: bool = False, progress: ProgressCallback | None = None
) -> RestoreSummary:
    """Load an export made by ``site_export_json`` into this (empty) site.

    Everything happens in one transaction: a restore that fails half-way
    leaves the site as it was. Rows that migrations make in a new site (the
    moderators' group, say) are replaced by the exported ones. Afterwards the
    derived counts are recomputed and the database's id sequences moved past
    the restored rows.
    """
    occupied = {label: apps.get_model(label)._base_manager.count() for label in CONTENT_MODELS}
    if any(occupied.values()):
        present = ", ".join(f"{count} {label}" for label, count in occupied.items() if count)
        raise RestoreRefused(f"this site is not empty ({present}); restore into a new site only")
    summary = RestoreSummary(dry_run=dry_run)
    with path.open(encoding="utf-8") as handle:
        header, rows = _read_export(handle)
        if header.get("format") != FORMAT_NAME or header.get("version") != FORMAT_VERSION:
            raise RestoreRefused(f"{path.name} is not a Despatch export (version {FORMAT_VERSION})")
        entries = exported_models(include_credentials=bool(header.get("includes_credentials")))
        known = {entry.label.lower(): entry for entry in entries}
        total = sum(header.get("counts", {}).values())
        with posts_changed_in_bulk(rolled_back=dry_run), transaction.atomic():
            for entry in reversed(entries):
                entry.model._base_manager.all().delete()
            summary.counts = _load_rows(rows, known=known, progress=progress, total=total)
            _reset_sequences([entry.model for entry in entries])
            if dry_run:
                transaction.set_rollback(True)
        if dry_run:
            return summary
    media_path = path.with_name(str(header.get("media_archive") or media_archive_path(path).name))
    if media_path.is_file():
        summary.media_files = _restore_media(media_path)
    refresh_blog_statistics(
        blog_ids=apps.get_model("blogs.Blog")._base_manager.values_list("pk", flat=True)
    )
    for dotted_path in REBUILT_AFTER_RESTORE:
        import_string(dotted_path)()
        summary.rebuilt.append(dotted_path)
    return summary


def _load_rows(
    rows: Iterable[dict[str, Any]],
    *,
    known: dict[str, ExportedModel],
    progress: ProgressCallback | None,
    total: int,
) -> dict[str, int]:
    counts: dict[str, int] = {}
    deferred = []
    for done, row in enumerate(rows, start=1):
        entry = known.get(str(row.get("model", "")).lower())
        if entry is None:
            raise RestoreRefused(f"the export holds rows of an unknown model: {row.get('model')}")
        for deserialised in serializers.deserialize(
            "python", [row], handle_forward_references=True
        ):
            if entry.secret_fields and any(n not in row["fields"] for n in entry.secret_fields):
                _without_secrets(deserialised.object)
            deserialised.save()
            if deserialised.deferred_fields:
                deferred.append(deserialised)
        counts[entry.label] = counts.get(entry.label, 0) + 1
        if progress is not None and done % 500 == 0:
            progress(done, total)
    for deserialised in deferred:
        deserialised.save_deferred_fields()
    if progress is not None:
        progress(total, total)
    return counts


def _without_secrets(instance: models.Model) -> None:
    """A user exported without credentials gets no usable password."""
    if hasattr(instance, "set_unusable_password"):
        instance.set_unusable_password()


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _restore_media(media_path: Path) -> int:
    """Put the archived files back into storage; names that would escape it are refused."""
    count = 0
    with zipfile.ZipFile(media_path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = PurePosixPath(info.filename)
            if name.is_absolute() or ".." in name.parts:
                raise RestoreRefused(f"the media archive holds an unsafe name: {info.filename}")
            if default_storage.exists(info.filename):
                default_storage.delete(info.filename)
            with archive.open(info) as source:
                default_storage.save(info.filename, ContentFile(source.read()))
            count += 1
    return count
