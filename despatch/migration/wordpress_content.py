"""Turning WordPress post and comment markup into what Despatch stores.

A WordPress post body is not plain HTML. The classic editor stores text whose
paragraphs are blank lines (WordPress adds ``<p>`` on display, with
``wpautop``), sprinkled with shortcodes (``[caption]``, ``[gallery]``,
``[embed]``) and bare video addresses on their own line that WordPress turns
into players. The block editor stores HTML wrapped in ``<!-- wp:… -->``
comments. Here each is turned into plain, meaningful HTML: paragraphs,
figures with captions, our own video figure. The post model then sanitises
the result when it is saved, like any other HTML.

Comments become the plain text Despatch comments are written in.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin

from despatch.core.rendering import render_markdown, video_embed_url

from .wxr import WxrAttachment

# Block-level elements: WordPress's own list, so paragraphs break where its did.
BLOCKS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map"
    "|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside"
    "|hgroup|header|footer|nav|figure|figcaption|details|menu|summary"
)
_BLOCK_OPEN = re.compile(rf"(<(?:{BLOCKS})[\s/>])", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(rf"(</(?:{BLOCKS})>)", re.IGNORECASE)
_P_BEFORE_BLOCK = re.compile(rf"<p>\s*(</?(?:{BLOCKS})[^>]*>)", re.IGNORECASE)
_P_AFTER_BLOCK = re.compile(rf"(</?(?:{BLOCKS})[^>]*>)\s*</p>", re.IGNORECASE)
_BR_AFTER_BLOCK = re.compile(rf"(</?(?:{BLOCKS})[^>]*>)\s*<br />", re.IGNORECASE)
_BR_BEFORE_BLOCK = re.compile(
    r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", re.IGNORECASE
)
_PRE = re.compile(r"<pre[\s>].*?</pre>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>", re.DOTALL)
_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.DOTALL)
_MORE = re.compile(r"<!--\s*more\b.*?-->", re.IGNORECASE | re.DOTALL)
_OTHER_MARKERS = re.compile(r"<!--\s*(?:nextpage|noteaser)\s*-->", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"<figure data-despatch-block=\"(\d+)\"></figure>")
_URL_LINE = re.compile(r"^([ \t]*)(https?://[^\s<>\"]+)([ \t]*)$", re.MULTILINE)
_IFRAME = re.compile(r"<iframe\b[^>]*?\bsrc=([\"'])(.*?)\1[^>]*>.*?</iframe>", re.I | re.DOTALL)
_URL_ATTRIBUTE = re.compile(r"\b(src|href|poster|srcset)=([\"'])(.*?)\2", re.IGNORECASE | re.DOTALL)
_HEADING_ONE = re.compile(r"<(/?)h1\b", re.IGNORECASE)
# WordPress's classes and ids (wp-image-12, alignleft, wp-block-quote, attachment_12) mean
# something only to WordPress themes; ours style plain elements.
_WORDPRESS_ATTRIBUTE = re.compile(r"\s(?:class|id)=(?:\"[^\"]*\"|'[^']*')", re.IGNORECASE)
_OPENING_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_SHORTCODE_ATTRIBUTE = re.compile(
    r"([\w-]+)\s*=\s*\"([^\"]*)\"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s'\"]+)"
)
_CAPTION_MEDIA = re.compile(
    r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.IGNORECASE | re.DOTALL
)
# ``[name attr=…]`` or ``[name]…[/name]``: what a plugin's shortcode looks like, as
# opposed to brackets in prose ("[sic]", "[1]").
_ANY_SHORTCODE = re.compile(
    r"(?<!\[)\[([a-z][\w-]*)(?:\s[^\]]*=[^\]]*\](?!\])|\](?=.*?\[/\1\]))", re.DOTALL
)
_EMBED_BLOCK = re.compile(
    r"<figure\b[^>]*\bwp-block-embed\b[^>]*>\s*<div\b[^>]*wp-block-embed__wrapper[^>]*>\s*"
    r"(\S+?)\s*</div>\s*(?:<figcaption\b[^>]*>(.*?)</figcaption>)?\s*</figure>",
    re.IGNORECASE | re.DOTALL,
)
_OBJECT = re.compile(r"<object\b.*?</object>|<embed\b[^>]*>(?:\s*</embed>)?", re.I | re.DOTALL)
_OBJECT_SOURCE = re.compile(r"\b(?:src|data|value)=([\"'])(.*?)\1", re.IGNORECASE)
_FLASH_YOUTUBE = re.compile(r"youtube(?:-nocookie)?\.com/v/([\w-]{6,20})", re.IGNORECASE)
_COMMENT_LINK = re.compile(r"<a\b[^>]*?\bhref=([\"'])(.*?)\1[^>]*>(.*?)</a>", re.I | re.DOTALL)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH_END = re.compile(r"</p\s*>", re.IGNORECASE)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# Shortcodes WordPress itself provides, and that we convert.
CONVERTED_SHORTCODES = ("caption", "wp_caption", "gallery", "embed", "video", "audio", "playlist")


def _no_media(url: str) -> str | None:
    return None


@dataclass
class ConversionContext:
    """What converting one post needs to know about the rest of the export."""

    base_url: str = ""
    post_id: str = ""
    attachments: Mapping[str, WxrAttachment] = field(default_factory=dict)
    # Given an absolute address of an uploaded file, return its new address or None.
    media_url: Callable[[str], str | None] = field(default=_no_media)


@dataclass
class ConvertedPost:
    """A post body ready to store, and what the conversion noticed on the way."""

    html: str
    teaser: str = ""
    unknown_shortcodes: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)


def clean_text(value: str) -> str:
    """Drop the control characters no database or browser should receive (NUL above all)."""
    return _CONTROL_CHARACTERS.sub("", value)


def plain_text(fragment: str) -> str:
    """Return the text of an HTML fragment (a title or an excerpt), tags dropped, entities read."""
    without_tags = _TAG.sub(" ", fragment)
    return clean_text(" ".join(html.unescape(without_tags).split()))


def comment_text_from_wordpress(content: str) -> str:
    """Return a WordPress comment as plain text: paragraphs kept, links spelled out.

    Despatch comments are plain text escaped on display, so WordPress's few
    allowed tags are unwrapped; a link keeps its address beside its words.
    """

    def spell_out(match: re.Match[str]) -> str:
        address = html.unescape(match.group(2)).strip()
        words = html.unescape(_TAG.sub("", match.group(3))).strip()
        if not words or words == address:
            return address
        return f"{words} ({address})"

    text = content.replace("\r\n", "\n").replace("\r", "\n")
    # Most comments are plain text already: only markup needs the passes below.
    if "<" in text or "&" in text:
        text = _COMMENT_LINK.sub(spell_out, text)
        text = _BREAK.sub("\n", text)
        text = _PARAGRAPH_END.sub("\n\n", text)
        text = html.unescape(_TAG.sub("", text))
    if "\n" in text:
        text = re.sub(r"[ \t]+\n", "\n", text)
        text = re.sub(r"\n{3,}", "\n\n", text)
    return clean_text(text).strip()


def autop(text: str) -> str:
    """Add the paragraphs and line breaks that WordPress adds to classic posts on display.

    Blank lines separate paragraphs, single newlines become ``<br />``, and
    block elements (lists, tables, figures…) are left unwrapped. ``<pre>``
    blocks are kept exactly as written.
    """
    if not text.strip():
        return ""
    kept: dict[str, str] = {}

    def keep(match: re.Match[str]) -> str:
        key = f'<pre data-autop="{len(kept)}"></pre>'
        kept[key] = match.group(0)
        return key

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _PRE.sub(keep, text)
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text, flags=re.IGNORECASE)
    text = _BLOCK_OPEN.sub(r"\n\n\1", text)
    text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
    # A newline inside a tag (between attributes) is not a line break.
    text = _TAG.sub(lambda match: match.group(0).replace("\n", "\x00"), text)
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
    text = "".join(f"<p>{part}</p>\n" for part in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(rf"<p>\s*(</?(?:{BLOCKS})[^>]*>)\s*</p>", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.IGNORECASE)
    text = re.sub(r"</blockquote></p>", "</p></blockquote>", text, flags=re.IGNORECASE)
    text = _P_BEFORE_BLOCK.sub(r"\1", text)
    text = _P_AFTER_BLOCK.sub(r"\1", text)
    text = _line_breaks(text)
    text = _BR_AFTER_BLOCK.sub(r"\1", text)
    text = _BR_BEFORE_BLOCK.sub(r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    text = text.replace("\x00", "\n")
    for key, original in kept.items():
        text = text.replace(key, original)
    return text.strip()


def _line_breaks(text: str) -> str:
    """Every remaining newline becomes ``<br />`` (those after block tags are taken out later)."""
    lines = text.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        if out[-1].endswith("<br />"):
            out.append("\n" + line)
        else:
            out[-1] = out[-1].rstrip()
            out.append("<br />\n" + line)
    return "".join(out)


def shortcode_attributes(text: str) -> dict[str, str]:
    """Parse ``ids="1,2" align='left' width=300`` into a dictionary."""
    attributes: dict[str, str] = {}
    for match in _SHORTCODE_ATTRIBUTE.finditer(html.unescape(text)):
        name = match.group(1) or match.group(3) or match.group(5)
        value = match.group(2) if match.group(1) else match.group(4) or match.group(6) or ""
        attributes[name.lower()] = value
    return attributes


def _shortcode_pattern(name: str) -> re.Pattern[str]:
    """``[name attrs]content[/name]`` or ``[name attrs]`` or ``[name attrs /]``.

    ``[[name]]`` is WordPress's way of writing the shortcode as text and is left
    alone (the outer brackets are removed at the end).
    """
    return re.compile(
        rf"(?<!\[)\[{name}(?![\w-])([^\]]*?)(?:/\]|\](?:(.*?)\[/{name}\])?)(?!\])",
        re.IGNORECASE | re.DOTALL,
    )


_SHORTCODES = {name: _shortcode_pattern(name) for name in CONVERTED_SHORTCODES}


class _BlockStore:
    """Finished HTML blocks kept out of the way of ``autop`` until the end."""

    def __init__(self) -> None:
        self.blocks: list[str] = []

    def put(self, block_html: str) -> str:
        self.blocks.append(block_html)
        return f'\n\n<figure data-despatch-block="{len(self.blocks) - 1}"></figure>\n\n'

    def restore(self, text: str) -> str:
        return _PLACEHOLDER.sub(lambda match: self.blocks[int(match.group(1))], text)


def _escape(value: str) -> str:
    return html.escape(value, quote=True)


def _video_figure(url: str, title: str = "") -> str | None:
    """Our own video figure for a YouTube or Vimeo address, rendered like a ``video`` block."""
    if video_embed_url(url) is None:
        return None
    title_line = f"\ntitle: {' '.join(title.split())}" if title.strip() else ""
    return render_markdown(f"```video\n{url}{title_line}\n```")


def _link_paragraph(url: str, words: str = "") -> str:
    return f'<p><a href="{_escape(url)}">{_escape(words or url)}</a></p>'


def _caption(match: re.Match[str], store: _BlockStore) -> str:
    attributes = shortcode_attributes(match.group(1) or "")
    inner = (match.group(2) or "").strip()
    media = _CAPTION_MEDIA.match(inner)
    if media is None:
        return inner
    caption = media.group(2).strip() or attributes.get("caption", "")
    figure = f"<figure>{media.group(1)}"
    if caption:
        figure += f"<figcaption>{caption}</figcaption>"
    return store.put(figure + "</figure>")


def _gallery(match: re.Match[str], store: _BlockStore, context: ConversionContext) -> str:
    attributes = shortcode_attributes(match.group(1) or "")
    wanted = attributes.get("ids") or attributes.get("include") or ""
    if wanted:
        numbers = [number.strip() for number in wanted.split(",") if number.strip()]
        images = [context.attachments[n] for n in numbers if n in context.attachments]
    else:
        images = [
            attachment
            for attachment in context.attachments.values()
            if context.post_id and attachment.parent_id == context.post_id
        ]
    if not images:
        return ""
    figures = []
    for image in images:
        alt = image.alt or image.title
        figure = f'<figure><img src="{_escape(image.url)}" alt="{_escape(alt)}" loading="lazy">'
        if image.caption:
            figure += f"<figcaption>{_escape(image.caption)}</figcaption>"
        figures.append(figure + "</figure>")
    return store.put(f'<div class="gallery">{"".join(figures)}</div>')


def _embed(match: re.Match[str], store: _BlockStore) -> str:
    url = html.unescape(_TAG.sub("", match.group(2) or "")).strip()
    if not url:
        return ""
    return store.put(_video_figure(url) or _link_paragraph(url))


def _media_shortcode(match: re.Match[str], store: _BlockStore, kind: str) -> str:
    attributes = shortcode_attributes(match.group(1) or "")
    source = attributes.get("src", "")
    if not source:
        extensions = ("mp4", "m4v", "webm", "ogv", "mov") if kind == "video" else ("mp3", "ogg")
        source = next((attributes[e] for e in extensions if attributes.get(e)), "")
    if not source:
        return ""
    if kind == "video":
        figure = _video_figure(source)
        if figure is None and source.startswith("https://"):
            figure = render_markdown(f"```video\n{source}\n```")
        if figure is not None:
            return store.put(figure)
    return store.put(_link_paragraph(source, source.rsplit("/", 1)[-1]))


def _embed_block(match: re.Match[str], store: _BlockStore) -> str:
    """The block editor's embed: the address in a wrapper, and perhaps a caption."""
    url = html.unescape(match.group(1)).strip()
    caption = match.group(2) or ""
    figure = _video_figure(url, plain_text(caption))
    if figure is not None:
        return store.put(figure)
    if caption:
        link = f'<a href="{_escape(url)}">{_escape(url)}</a>'
        return store.put(f"<figure><p>{link}</p><figcaption>{caption}</figcaption></figure>")
    return store.put(_link_paragraph(url))


def _flash_object(match: re.Match[str], store: _BlockStore) -> str:
    """Old Flash players (``<object>``/``<embed>``): YouTube's become our player, others go."""
    for source in _OBJECT_SOURCE.finditer(match.group(0)):
        address = html.unescape(source.group(2)).strip()
        flash = _FLASH_YOUTUBE.search(address)
        if flash:
            address = f"https://www.youtube.com/watch?v={flash.group(1)}"
        if address.startswith("//"):
            address = "https:" + address
        figure = _video_figure(address)
        if figure is not None:
            return store.put(figure)
    return ""


def _iframe(match: re.Match[str], store: _BlockStore) -> str:
    source = html.unescape(match.group(2)).strip()
    if source.startswith("//"):
        source = "https:" + source
    return store.put(_video_figure(source) or _link_paragraph(source))


def _bare_url(match: re.Match[str], store: _BlockStore) -> str:
    """A video address alone on its line becomes a player, as WordPress's auto-embed did."""
    url = match.group(2)
    figure = _video_figure(url)
    if figure is None:
        return f'{match.group(1)}<a href="{_escape(url)}">{_escape(url)}</a>{match.group(3)}'
    return store.put(figure)


def _rewrite_addresses(text: str, context: ConversionContext) -> str:
    """Make site-relative links absolute, and point uploaded files at their copies."""

    def one(address: str) -> str:
        stripped = html.unescape(address.strip())
        if not stripped or stripped.startswith(("#", "mailto:", "data:")):
            return address
        absolute = urljoin(context.base_url, stripped) if context.base_url else stripped
        moved = context.media_url(absolute)
        return _escape(moved or absolute)

    def attribute(match: re.Match[str]) -> str:
        name, quote, value = match.group(1), match.group(2), match.group(3)
        if name.lower() == "srcset":
            candidates = []
            for candidate in value.split(","):
                parts = candidate.strip().split()
                if parts:
                    candidates.append(" ".join([one(parts[0]), *parts[1:]]))
            return f"{name}={quote}{', '.join(candidates)}{quote}"
        return f"{name}={quote}{one(value)}{quote}"

    if "=" not in text:
        return text
    return _URL_ATTRIBUTE.sub(attribute, text)


def post_html_from_wordpress(content: str, *, context: ConversionContext) -> ConvertedPost:
    """Convert a WordPress post body (classic or block editor) into clean HTML."""
    text = clean_text(content.replace("\r\n", "\n").replace("\r", "\n"))
    result = ConvertedPost(html="")
    is_block_content = "<!-- wp:" in text
    if "<!--" in text:
        teaser_match = _MORE.search(text)
        if teaser_match:
            result.teaser = plain_text(_BLOCK_COMMENT.sub("", text[: teaser_match.start()]))
        text = _BLOCK_COMMENT.sub("\n", text)
        text = _MORE.sub("", text)
        text = _OTHER_MARKERS.sub("", text)

    store = _BlockStore()
    if "<pre" in text:
        text = _PRE.sub(lambda match: store.put(match.group(0)), text)
    # Each pass runs only when its marker is present: most posts use none of them.
    if "[" in text:
        lowered = text.lower()
        for name in ("caption", "wp_caption"):
            if f"[{name}" in lowered:
                text = _SHORTCODES[name].sub(lambda match: _caption(match, store), text)
        if "[gallery" in lowered:
            text = _SHORTCODES["gallery"].sub(lambda match: _gallery(match, store, context), text)
        if "[embed" in lowered:
            text = _SHORTCODES["embed"].sub(lambda match: _embed(match, store), text)
        if "[video" in lowered:
            text = _SHORTCODES["video"].sub(
                lambda match: _media_shortcode(match, store, "video"), text
            )
        if "[audio" in lowered:
            text = _SHORTCODES["audio"].sub(
                lambda match: _media_shortcode(match, store, "audio"), text
            )
        if "[playlist" in lowered and _SHORTCODES["playlist"].search(text):
            result.dropped["[playlist]"] += 1
            text = _SHORTCODES["playlist"].sub("", text)
    if "wp-block-embed" in text:
        text = _EMBED_BLOCK.sub(lambda match: _embed_block(match, store), text)
    if "<iframe" in text:
        text = _IFRAME.sub(lambda match: _iframe(match, store), text)
    if "<object" in text or "<embed" in text:
        dropped_objects = 0

        def flash(match: re.Match[str]) -> str:
            nonlocal dropped_objects
            replacement = _flash_object(match, store)
            dropped_objects += not replacement
            return replacement

        text = _OBJECT.sub(flash, text)
        if dropped_objects:
            result.dropped["<object>/<embed> plug-in content"] += dropped_objects
    if "http" in text:
        text = _URL_LINE.sub(lambda match: _bare_url(match, store), text)
    if "[" in text:
        for shortcode in _ANY_SHORTCODE.finditer(text):
            result.unknown_shortcodes[f"[{shortcode.group(1).lower()}]"] += 1
    # ``[[caption]]`` is how WordPress writes a shortcode as text.
    if "[[" in text:
        text = re.sub(r"\[\[([^\[\]]+)\]\]", r"[\1]", text)

    if "class=" in text or "id=" in text:
        text = _OPENING_TAG.sub(lambda tag: _WORDPRESS_ATTRIBUTE.sub("", tag.group(0)), text)
    text = re.sub(r"\n\s*\n\s*", "\n\n", text).strip() if is_block_content else autop(text)
    if store.blocks:
        text = store.restore(text)
    if "<h1" in text or "<H1" in text:
        text = _HEADING_ONE.sub(r"<\1h2", text)
    result.html = _rewrite_addresses(text, context).strip()
    return result
