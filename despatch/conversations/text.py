"""What a comment's text becomes on the page, and the facts the spam rules read from it.

Readers write plain text. It is escaped, split into paragraphs at blank lines,
its addresses turned into links, and the result passed through nh3 with an
allow-list of three tags, so nothing a commenter types can become markup.
Text with nothing that could be an address takes a short cut to the same HTML.
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
# Anything ``urlize`` could make a link of: a scheme, "www.", an e-mail address or
# one of the top-level domains it links without a scheme. Errs towards "maybe".
_MAYBE_LINK = re.compile(r"://|www\.|@|\.(?:com|edu|gov|int|mil|net|org)", re.IGNORECASE)
# Characters nh3 (html5ever) rewrites or refuses in text: controls, the no-break
# space it writes as &nbsp;, and lone surrogates, which cannot be encoded at all.
_REWRITTEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xa0\ud800-\udfff]")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def render_comment_text(text: str) -> str:
    """Return ``text`` as safe HTML: paragraphs, line breaks and links, nothing else."""
    text = text.strip()
    if not _MAYBE_LINK.search(text) and not _REWRITTEN.search(text):
        # Most comments hold no address. For them ``urlize`` only escapes, and nh3
        # would give back the paragraphs as they are, writing quotes plainly and
        # escaping only &, < and >; both cost far more than doing that here, which
        # matters when a hundred thousand comments are imported at once.
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return linebreaks(escaped, autoescape=False)
    linked = urlize(text, trim_url_limit=LINK_TEXT_LIMIT, autoescape=True)
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
