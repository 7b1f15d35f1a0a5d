"""A comment's plain text becomes paragraphs and links, and never markup."""

from __future__ import annotations

import pytest

from despatch.conversations.text import (
    count_links,
    fingerprint,
    normalise_for_comparison,
    render_comment_text,
)

# The shared conftest clears the database-backed cache before every test.
pytestmark = pytest.mark.django_db


def test_blank_lines_make_paragraphs_and_single_newlines_make_breaks():
    """Readers write paragraphs the way they would in an e-mail."""
    html = render_comment_text("First thought.\nStill the first.\n\nSecond thought.")
    assert html == "<p>First thought.<br>Still the first.</p>\n\n<p>Second thought.</p>"


def test_addresses_become_links_marked_as_user_content():
    """Links are followed by nobody's ranking, and cannot reach back through window.opener."""
    html = render_comment_text("The report: https://www.example.org/report")
    assert 'href="https://www.example.org/report"' in html
    assert 'rel="nofollow ugc noopener noreferrer"' in html


def test_markup_is_shown_as_text():
    """Tags typed into a comment appear as the characters typed, not as elements."""
    html = render_comment_text('<b>bold</b> <script>alert("x")</script>')
    assert "<b>" not in html and "<script" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_count_links_counts_what_is_linked():
    assert count_links("no links here") == 0
    assert count_links("see https://a.example and www.b.example and c.example.com") == 3


def test_fingerprint_ignores_case_spacing_and_punctuation():
    """Trivial edits do not disguise the same text sent again."""
    assert fingerprint("Buy NOW!!  cheap") == fingerprint("buy now cheap")
    assert fingerprint("one text") != fingerprint("another text")
    assert normalise_for_comparison("Ça   va, BIEN?") == "ça va bien"
