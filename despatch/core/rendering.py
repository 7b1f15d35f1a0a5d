"""Turning what authors write into safe HTML, once, when a post is saved.

Markdown goes through markdown-it-py (CommonMark, tables, footnotes, plus two
fenced blocks of our own: ``video`` and ``pullquote``); every result, and any
HTML an author or an import brings, is then cleaned by nh3 against an
allow-list. Readers' browsers only ever receive the cleaned output.
"""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

import nh3
from django.conf import settings
from django.db import models
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

ALLOWED_TAGS = {
    "a", "abbr", "aside", "b", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "iframe", "img", "ins", "kbd", "li", "mark", "ol",
    "p", "pre", "q", "s", "section", "small", "source", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "track", "u", "ul",
    "video",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "lang", "dir", "title"},
    "a": {"href", "hreflang"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "iframe": {"src", "title", "loading", "allow", "allowfullscreen", "referrerpolicy"},
    "video": {"src", "controls", "preload", "poster", "width", "height"},
    "source": {"src", "type"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "ol": {"start", "reversed"},
    "time": {"datetime"},
    "details": {"open"},
}
# Tables keep their column alignment; nothing else may carry inline style.
ALLOWED_STYLE_PROPERTIES = {"text-align"}
EMBED_PREFIXES = ("https://www.youtube-nocookie.com/embed/", "https://player.vimeo.com/video/")
ATTRIBUTION = re.compile(r"^(—|--|―|–)\s*\S")
EXTERNAL_LINK = re.compile(r'<a href="(https?://[^"]+)"')
# Code points HTML forbids in a document (C0/C1 controls other than whitespace, and
# noncharacters); pasted from word processors or imports, they make pages invalid.
FORBIDDEN_CODE_POINTS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    """Only our own video embeds may frame another site."""
    if element == "iframe" and attribute == "src" and not value.startswith(EMBED_PREFIXES):
        return None
    return value


def sanitise_html(dirty: str) -> str:
    """Return ``dirty`` reduced to the allow-listed tags, attributes and URL schemes.

    Outbound links get ``rel="noopener nofollow"``: author content should not
    lend the ministry's ranking to other sites, nor give them ``window.opener``.
    """
    clean = nh3.clean(
        FORBIDDEN_CODE_POINTS.sub("", dirty),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
        filter_style_properties=ALLOWED_STYLE_PROPERTIES,
        clean_content_tags={"script", "style"},
    )
    return EXTERNAL_LINK.sub(_mark_outbound, clean)


def _mark_outbound(match: re.Match[str]) -> str:
    href = match.group(1)
    own_host = urlsplit(settings.SITE_URL).netloc
    if urlsplit(html.unescape(href)).netloc == own_host:
        return match.group(0)
    return f'<a href="{href}" rel="noopener nofollow"'


def video_embed_url(url: str) -> str | None:
    """Return the privacy-enhanced embed address for a YouTube or Vimeo page, if it is one."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.").removeprefix("m.")
    video_id = ""
    if host in {"youtube.com", "youtube-nocookie.com"}:
        if parts.path == "/watch":
            video_id = parse_qs(parts.query).get("v", [""])[0]
        elif parts.path.startswith(("/embed/", "/shorts/", "/live/")):
            video_id = parts.path.split("/")[2]
        if re.fullmatch(r"[\w-]{6,20}", video_id):
            return f"https://www.youtube-nocookie.com/embed/{video_id}"
    elif host == "youtu.be":
        video_id = parts.path.strip("/")
        if re.fullmatch(r"[\w-]{6,20}", video_id):
            return f"https://www.youtube-nocookie.com/embed/{video_id}"
    elif host in {"vimeo.com", "player.vimeo.com"}:
        numbers = [segment for segment in parts.path.split("/") if segment.isdigit()]
        if numbers:
            return f"https://player.vimeo.com/video/{numbers[0]}"
    return None


def _parse_video_block(content: str) -> tuple[dict[str, str], str]:
    """Split a ``video`` block into its header fields and the transcript below them."""
    header, _sep, transcript = content.partition("\n\n")
    fields: dict[str, str] = {}
    for line in header.splitlines():
        key, colon, value = line.partition(":")
        if colon and key.strip().lower() in {"title", "captions", "poster", "language"}:
            fields[key.strip().lower()] = value.strip()
        elif line.strip():
            fields.setdefault("src", line.strip())
    return fields, transcript.strip()


def _render_video(md: MarkdownIt, content: str) -> str:
    fields, transcript = _parse_video_block(content)
    src = fields.get("src", "")
    title = fields.get("title") or _("Video")
    escape = html.escape
    embed = video_embed_url(src)
    if embed:
        player = (
            f'<div class="video-frame"><iframe src="{escape(embed)}" '
            f'title="{escape(title)}" loading="lazy" '
            'referrerpolicy="strict-origin-when-cross-origin" '
            f'allow="fullscreen; picture-in-picture" allowfullscreen></iframe></div>'
        )
    elif src.startswith(("/", "https://")):
        track = ""
        if fields.get("captions"):
            language = fields.get("language", "en")
            track = (
                f'<track kind="captions" src="{escape(fields["captions"])}" '
                f'srclang="{escape(language)}" label="{escape(_("Captions"))}" default>'
            )
        poster = f' poster="{escape(fields["poster"])}"' if fields.get("poster") else ""
        player = (
            f'<video controls preload="metadata" src="{escape(src)}"{poster}>{track}'
            f'<a href="{escape(src)}">{escape(_("Download the video"))}</a></video>'
        )
    else:
        return f'<p class="video-missing">{escape(_("This video could not be embedded."))}</p>'
    figure = f'<figure class="video">{player}<figcaption>{escape(title)}</figcaption></figure>'
    if not transcript:
        return figure
    return (
        f'{figure}<details class="transcript"><summary>'
        f"{escape(_('Transcript: %(title)s') % {'title': title})}</summary>"
        f"{md.render(transcript)}</details>"
    )


def _fence(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    kind = token.info.strip().lower()
    if kind == "video":
        return _render_video(_transcript_markdown(), token.content)
    if kind in {"pullquote", "pull-quote"}:
        return f'<aside class="pull-quote"><p>{html.escape(token.content.strip())}</p></aside>'
    return self.fence(tokens, idx, options, env)


def _mark_attributions(state: Any) -> None:
    """Treat a blockquote's last paragraph that starts with a dash as its attribution."""
    open_at: list[int] = []
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type == "blockquote_open":
            open_at.append(index)
        elif token.type == "blockquote_close":
            start = open_at.pop()
            last = index - 3
            if (
                last > start + 1
                and tokens[last].type == "paragraph_open"
                and tokens[last].level == token.level + 1
                and tokens[last + 1].type == "inline"
                and ATTRIBUTION.match(tokens[last + 1].content)
            ):
                tokens[start].meta["attributed"] = True
                tokens[last].meta["attribution"] = True
                tokens[last + 2].meta["attribution"] = True
                token.meta["attributed"] = True


def _blockquote_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    prefix = '<figure class="quote">' if tokens[idx].meta.get("attributed") else ""
    return prefix + "<blockquote>\n"


def _blockquote_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return "</figure>\n" if tokens[idx].meta.get("attributed") else "</blockquote>\n"


def _paragraph_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    if tokens[idx].meta.get("attribution"):
        return "</blockquote>\n<figcaption>"
    return self.renderToken(tokens, idx, options, env)


def _paragraph_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    if tokens[idx].meta.get("attribution"):
        return "</figcaption>\n"
    return self.renderToken(tokens, idx, options, env)


def _image(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    token.attrSet("alt", self.renderInlineAsText(token.children or [], options, env))
    token.attrSet("loading", "lazy")
    token.attrSet("decoding", "async")
    return self.renderToken(tokens, idx, options, env)


def _base_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "typographer": True}).enable(
        ["table", "strikethrough", "replacements", "smartquotes"]
    )
    md.add_render_rule("image", _image)
    return md


@cache
def _transcript_markdown() -> MarkdownIt:
    return _base_markdown()


@cache
def _post_markdown() -> MarkdownIt:
    md = _base_markdown().use(footnote_plugin)
    md.core.ruler.push("quote_attribution", _mark_attributions)
    md.add_render_rule("fence", _fence)
    md.add_render_rule("blockquote_open", _blockquote_open)
    md.add_render_rule("blockquote_close", _blockquote_close)
    md.add_render_rule("paragraph_open", _paragraph_open)
    md.add_render_rule("paragraph_close", _paragraph_close)
    return md


def render_markdown(source: str) -> str:
    """Render a post's Markdown to sanitised HTML."""
    return sanitise_html(_post_markdown().render(source))


def images_missing_alt(source: str) -> list[str]:
    """Return the addresses of Markdown images written without a description."""
    missing = []
    for token in _post_markdown().parse(source):
        for child in token.children or []:
            if child.type == "image" and not (child.content or "").strip():
                missing.append(str(child.attrGet("src") or ""))
    return missing


def excerpt_from_html(body_html: str, words: int = 45) -> str:
    """Return the opening words of a rendered body as plain text, for listings and feeds."""
    text = " ".join(html.unescape(strip_tags(body_html)).split())
    return Truncator(text).words(words, truncate="…")


class BodyFormat(models.TextChoices):
    """The format a post's body is written in, and how each becomes HTML."""

    MARKDOWN = "markdown", gettext_lazy("Markdown")
    HTML = "html", gettext_lazy("HTML (imported)")

    def render(self, source: str) -> str:
        if self == BodyFormat.MARKDOWN:
            return render_markdown(source)
        return sanitise_html(source)
