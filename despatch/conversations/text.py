"""What a comment's text becomes on the page, and the facts the spam rules read from it.

Readers write plain text. It is escaped, split into paragraphs at blank lines,
its addresses turned into links, and the result passed through nh3 with an
allow-list of three tags, so nothing a commenter types can become markup.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import nh3
from django.utils.html import linebreaks, urlize

COMMENT_TAGS = {"p", "br", "a"}
COMMENT_ATTRIBUTES = {"a": {"href"}}
# "ugc" tells search engines the link is a reader's, not the ministry's endorsement.
COMMENT_LINK_REL = "nofollow ugc noopener noreferrer"
LINK_TEXT_LIMIT = 60
_ANCHOR = re.compile(r"<a\s", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def render_comment_text(text: str) -> str:
    """Return ``text`` as safe HTML: paragraphs, line breaks and links, nothing else."""
    linked = urlize(text.strip(), trim_url_limit=LINK_TEXT_LIMIT, autoescape=True)
    paragraphs = linebreaks(linked, autoescape=False)
    return nh3.clean(
        paragraphs,
        tags=COMMENT_TAGS,
        attributes=COMMENT_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=COMMENT_LINK_REL,
        strip_comments=True,
    )


def count_links(text: str) -> int:
    """How many links the comment would show: exactly what ``render_comment_text`` links."""
    return len(_ANCHOR.findall(urlize(text, autoescape=True)))


def normalise_for_comparison(text: str) -> str:
    """Reduce text to lower-case words, so trivial edits do not hide a repeated comment."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", folded).split())


def fingerprint(text: str) -> str:
    """A stable digest of the comment's words, for spotting the same text posted again."""
    return hashlib.sha256(normalise_for_comparison(text).encode()).hexdigest()
