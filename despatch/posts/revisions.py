"""Comparing two versions of a post (W4) in a form a person can read.

The diff is line by line, as the author wrote the Markdown; within a changed
line the words that changed are marked, so one corrected word in a long
paragraph is easy to spot.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Revision

_WORDS = re.compile(r"\s+|[^\s]+")

COMPARED_FIELDS = [
    ("title", _("Title")),
    ("slug", _("Address")),
    ("excerpt", _("Excerpt")),
    ("tags", _("Tags")),
    ("language", _("Language")),
    ("top_image", _("Top image")),
    ("top_image_alt", _("Top image description")),
    ("body_source", _("Text")),
]


@dataclass(frozen=True)
class DiffLine:
    """One row of a diff: ``kind`` is "same", "added", "removed" or "changed"."""

    kind: str
    old: SafeString
    new: SafeString
    old_number: int | None
    new_number: int | None


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    lines: list[DiffLine]

    @property
    def changed(self) -> bool:
        return any(line.kind != "same" for line in self.lines)


def _mark_words(old: str, new: str) -> tuple[SafeString, SafeString]:
    old_words, new_words = _WORDS.findall(old), _WORDS.findall(new)
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    old_html: list[str] = []
    new_html: list[str] = []
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        removed = escape("".join(old_words[a1:a2]))
        added = escape("".join(new_words[b1:b2]))
        if tag == "equal":
            old_html.append(removed)
            new_html.append(added)
        else:
            if removed:
                old_html.append(f"<del>{removed}</del>")
            if added:
                new_html.append(f"<ins>{added}</ins>")
    return mark_safe("".join(old_html)), mark_safe("".join(new_html))


def diff_text(old: str, new: str, *, context: int | None = 3) -> list[DiffLine]:
    """Line-by-line diff of two texts, with unchanged stretches cut to ``context`` lines."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    groups = (
        matcher.get_grouped_opcodes(context) if context is not None else [matcher.get_opcodes()]
    )
    rows: list[DiffLine] = []
    for group in groups:
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                rows.extend(
                    DiffLine(
                        "same",
                        escape(old_lines[a1 + i]),
                        escape(new_lines[b1 + i]),
                        a1 + i + 1,
                        b1 + i + 1,
                    )
                    for i in range(a2 - a1)
                )
            elif tag == "replace":
                pairs = max(a2 - a1, b2 - b1)
                for i in range(pairs):
                    old_line = old_lines[a1 + i] if a1 + i < a2 else None
                    new_line = new_lines[b1 + i] if b1 + i < b2 else None
                    if old_line is not None and new_line is not None:
                        marked_old, marked_new = _mark_words(old_line, new_line)
                        rows.append(
                            DiffLine("changed", marked_old, marked_new, a1 + i + 1, b1 + i + 1)
                        )
                    elif old_line is not None:
                        rows.append(
                            DiffLine("removed", escape(old_line), mark_safe(""), a1 + i + 1, None)
                        )
                    else:
                        rows.append(
                            DiffLine("added", mark_safe(""), escape(new_line), None, b1 + i + 1)
                        )
            elif tag == "delete":
                rows.extend(
                    DiffLine("removed", escape(old_lines[i]), mark_safe(""), i + 1, None)
                    for i in range(a1, a2)
                )
            elif tag == "insert":
                rows.extend(
                    DiffLine("added", mark_safe(""), escape(new_lines[i]), None, i + 1)
                    for i in range(b1, b2)
                )
    return rows


def snapshot(source: Any) -> dict[str, str]:
    """The compared fields of a revision, a post, or the ``PostChanges`` someone sent."""
    if isinstance(source, Revision):
        tags, top_image, excerpt = ", ".join(source.tag_names), source.top_image, source.excerpt
    elif hasattr(source, "tag_names"):  # PostChanges
        tags = ", ".join(source.tag_names)
        top_image = source.top_image_name or ""
        excerpt = source.excerpt
    else:
        from .lifecycle import written_excerpt

        tags = ", ".join(tag.name for tag in source.tags.order_by("name"))
        top_image = source.top_image.name or ""
        excerpt = written_excerpt(source)
    return {
        "title": source.title,
        "slug": source.slug,
        "excerpt": excerpt,
        "tags": tags,
        "language": source.language,
        "top_image": top_image,
        "top_image_alt": source.top_image_alt,
        "body_source": source.body_source,
    }


def compare(old: Any, new: Any) -> list[FieldDiff]:
    """The fields that differ between two versions, each with its line diff."""
    before, after = snapshot(old), snapshot(new)
    diffs = []
    for name, label in COMPARED_FIELDS:
        if before[name] != after[name]:
            diffs.append(FieldDiff(name, str(label), diff_text(before[name], after[name])))
    return diffs
