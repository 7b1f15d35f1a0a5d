"""Reading WordPress eXtended RSS (WXR) files, one item at a time.

A WXR file is an RSS 2.0 feed whose ``<channel>`` holds, in this order, the
site's header (``wp:wxr_version``, ``wp:base_site_url``, ``wp:base_blog_url``),
its authors (``wp:author``), its terms (``wp:category``, ``wp:tag``,
``wp:term``) and then one ``<item>`` per post, page, attachment, menu entry and
so on, each carrying its ``wp:postmeta`` and ``wp:comment`` children.

Exports of large sites run to hundreds of megabytes, so the file is parsed
with lxml's ``iterparse`` and every channel child is cleared and dropped once
read: memory holds one item at a time, whatever the size of the file. The
parser reports only the channel and the elements that can be its children
(``item``, ``wp:author``, ``title``…); the elements inside an item, over a
million in a large export, are built into its tree without a round trip
through Python for each.

Where the XML breaks, expat (through ElementTree) reads the file once more up
to the break to describe it: its messages ("mismatched tag", "no element
found") and positions are the ones users and our hints know.

Elements are recognised by namespace, not by prefix. WordPress has written the
``wp`` namespace as ``http://wordpress.org/export/1.0/``, ``1.1/`` and ``1.2/``
over the years, and any of them is accepted; a ``wp:`` prefix bound to some
other namespace (a hijack, or a plugin's own vocabulary) is ignored.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lxml import etree

# Versions written by WordPress's exporter; later minor versions are read the same way.
KNOWN_WXR_VERSIONS = ("1.0", "1.1", "1.2")
WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/$")
EXCERPT_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$")
CONTENT_NAMESPACE = "http://purl.org/rss/1.0/modules/content/"
DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"
VERSION_NUMBER = re.compile(r"^\d+\.\d+$")
PROLOG_BYTES = 256 * 1024
# The parser takes the file this much at a time, and builds the items in it ahead
# of the one being read: the smaller, the fewer items held at once.
READ_BYTES = 16 * 1024
# The elements the parser reports (see the module docstring). Their namesakes
# inside items (an item's <title> and <category>) are reported too, and passed over.
CHANNEL_TAGS = (
    "channel",
    "item",
    "title",
    "link",
    "description",
    "language",
    "{*}author",
    "{*}category",
    "{*}tag",
    "{*}term",
    "{*}wxr_version",
    "{*}base_site_url",
    "{*}base_blog_url",
)


class WxrError(Exception):
    """The file cannot be read as WXR; ``str()`` says why, and where when known."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        self.message = message
        self.line = line
        self.column = column
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(f"{where}{message}")


class WxrRefused(WxrError):
    """The file is not a WXR export at all (or not one we will read): nothing is imported."""


class WxrSyntaxError(WxrError):
    """The XML breaks off or goes wrong part-way; everything before that point was read."""


@dataclass(slots=True)
class WxrChannel:
    """The header of the export: which site it came from and in which version of WXR."""

    wxr_version: str = ""
    title: str = ""
    link: str = ""
    description: str = ""
    language: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""

    @property
    def blog_url(self) -> str:
        """The address of the exported blog: its own on a multisite network, else the site's."""
        return self.base_blog_url or self.base_site_url or self.link


@dataclass(slots=True)
class WxrAuthor:
    author_id: str
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass(slots=True)
class WxrTerm:
    """A category, tag or custom taxonomy term declared in the channel."""

    taxonomy: str
    slug: str
    name: str
    parent: str = ""
    description: str = ""


@dataclass(slots=True)
class WxrTermReference:
    """An item's ``<category domain=… nicename=…>``: the term it is filed under."""

    domain: str
    slug: str
    name: str


@dataclass(slots=True)
class WxrComment:
    comment_id: str
    author: str = ""
    author_email: str = ""
    author_url: str = ""
    author_ip: str = ""
    date: str = ""
    date_gmt: str = ""
    content: str = ""
    approved: str = ""
    comment_type: str = ""
    parent_id: str = ""
    user_id: str = ""


@dataclass(slots=True)
class WxrItem:
    """One ``<item>``: a post, page, attachment or any other WordPress post type."""

    post_id: str = ""
    title: str = ""
    link: str = ""
    guid: str = ""
    pub_date: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    post_name: str = ""
    status: str = ""
    post_type: str = ""
    post_parent: str = ""
    password: str = ""
    is_sticky: str = ""
    attachment_url: str = ""
    terms: list[WxrTermReference] = field(default_factory=list)
    meta: list[tuple[str, str]] = field(default_factory=list)
    comments: list[WxrComment] = field(default_factory=list)

    def meta_values(self, key: str) -> list[str]:
        return [value for meta_key, value in self.meta if meta_key == key]

    def meta_value(self, key: str) -> str:
        values = self.meta_values(key)
        return values[0] if values else ""

    @property
    def label(self) -> str:
        """How reports name the item: its WordPress number and title."""
        title = " ".join(self.title.split())[:60] or "(no title)"
        return f"item {self.post_id or '?'} “{title}”"


@dataclass(slots=True)
class WxrAttachment:
    """What an attachment item tells about a media file: where it was, and its text."""

    url: str
    title: str = ""
    alt: str = ""
    caption: str = ""
    parent_id: str = ""


@dataclass
class WxrInventory:
    """What a first, quick pass over the file found: for progress and for look-ups ahead."""

    channel: WxrChannel
    items_by_type: dict[str, int] = field(default_factory=dict)
    comments: int = 0
    attachments: dict[str, WxrAttachment] = field(default_factory=dict)
    error: WxrSyntaxError | None = None

    @property
    def items(self) -> int:
        return sum(self.items_by_type.values())


WxrRecord = WxrChannel | WxrAuthor | WxrTerm | WxrItem

# What a namespaced tag means to us: "wp:post_id", "content:encoded", "title"…
_VOCABULARY_CACHE: dict[str, str] = {}


def vocabulary(tag: str) -> str:
    """Return the WXR name of ``tag``, e.g. ``wp:post_id``, or ``""`` for foreign elements."""
    name = _VOCABULARY_CACHE.get(tag)
    if name is not None:
        return name
    if tag.startswith("{"):
        uri, _brace, local = tag[1:].partition("}")
        if WP_NAMESPACE.match(uri):
            name = f"wp:{local}"
        elif EXCERPT_NAMESPACE.match(uri):
            name = f"excerpt:{local}"
        elif uri == CONTENT_NAMESPACE:
            name = f"content:{local}"
        elif uri == DC_NAMESPACE:
            name = f"dc:{local}"
        else:
            name = ""
    else:
        name = tag
    _VOCABULARY_CACHE[tag] = name
    return name


def _text(element: Any) -> str:
    if len(element):
        return "".join(element.itertext())
    return element.text or ""


def _children(element: Any) -> dict[str, str]:
    """The text of each recognised child, the first one winning as in WordPress's parser."""
    fields: dict[str, str] = {}
    for child in element:
        name = vocabulary(child.tag)
        if name and name not in fields:
            fields[name] = _text(child)
    return fields


def _author(element: Any) -> WxrAuthor | None:
    fields = _children(element)
    login = fields.get("wp:author_login", "").strip()
    if not login:
        return None
    return WxrAuthor(
        author_id=fields.get("wp:author_id", "").strip(),
        login=login,
        email=fields.get("wp:author_email", "").strip(),
        display_name=fields.get("wp:author_display_name", "").strip(),
        first_name=fields.get("wp:author_first_name", "").strip(),
        last_name=fields.get("wp:author_last_name", "").strip(),
    )


def _term(element: Any, kind: str) -> WxrTerm | None:
    fields = _children(element)
    if kind == "wp:category":
        term = WxrTerm(
            taxonomy="category",
            slug=fields.get("wp:category_nicename", "").strip(),
            name=fields.get("wp:cat_name", "").strip(),
            parent=fields.get("wp:category_parent", "").strip(),
            description=fields.get("wp:category_description", "").strip(),
        )
    elif kind == "wp:tag":
        term = WxrTerm(
            taxonomy="post_tag",
            slug=fields.get("wp:tag_slug", "").strip(),
            name=fields.get("wp:tag_name", "").strip(),
            description=fields.get("wp:tag_description", "").strip(),
        )
    else:
        term = WxrTerm(
            taxonomy=fields.get("wp:term_taxonomy", "").strip(),
            slug=fields.get("wp:term_slug", "").strip(),
            name=fields.get("wp:term_name", "").strip(),
            parent=fields.get("wp:term_parent", "").strip(),
            description=fields.get("wp:term_description", "").strip(),
        )
    return term if (term.slug or term.name) else None


def _comment(element: Any) -> WxrComment | None:
    fields = _children(element)
    comment_id = fields.get("wp:comment_id", "").strip()
    if not comment_id:
        return None
    return WxrComment(
        comment_id=comment_id,
        author=fields.get("wp:comment_author", "").strip(),
        author_email=fields.get("wp:comment_author_email", "").strip(),
        author_url=fields.get("wp:comment_author_url", "").strip(),
        author_ip=fields.get("wp:comment_author_IP", "").strip(),
        date=fields.get("wp:comment_date", "").strip(),
        date_gmt=fields.get("wp:comment_date_gmt", "").strip(),
        content=fields.get("wp:comment_content", ""),
        approved=fields.get("wp:comment_approved", "").strip(),
        comment_type=fields.get("wp:comment_type", "").strip(),
        parent_id=fields.get("wp:comment_parent", "").strip(),
        user_id=fields.get("wp:comment_user_id", "").strip(),
    )


def _item(element: Any) -> WxrItem:
    item = WxrItem()
    simple = {
        "title": "title",
        "link": "link",
        "guid": "guid",
        "pubDate": "pub_date",
        "dc:creator": "creator",
        "content:encoded": "content",
        "excerpt:encoded": "excerpt",
        "wp:post_id": "post_id",
        "wp:post_date": "post_date",
        "wp:post_date_gmt": "post_date_gmt",
        "wp:post_name": "post_name",
        "wp:status": "status",
        "wp:post_type": "post_type",
        "wp:post_parent": "post_parent",
        "wp:post_password": "password",
        "wp:is_sticky": "is_sticky",
        "wp:attachment_url": "attachment_url",
    }
    seen: set[str] = set()
    for child in element:
        name = vocabulary(child.tag)
        if not name:
            continue
        if name == "category":
            domain = child.get("domain", "category")
            text = _text(child).strip()
            slug = child.get("nicename", "")
            if text or slug:
                item.terms.append(WxrTermReference(domain=domain, slug=slug, name=text))
        elif name == "wp:postmeta":
            fields = _children(child)
            key = fields.get("wp:meta_key", "").strip()
            if key:
                item.meta.append((key, fields.get("wp:meta_value", "")))
        elif name == "wp:comment":
            comment = _comment(child)
            if comment is not None:
                item.comments.append(comment)
        elif name in simple and name not in seen:
            seen.add(name)
            value = _text(child)
            attribute = simple[name]
            if attribute not in {"content", "excerpt", "title"}:
                value = value.strip()
            setattr(item, attribute, value)
    return item


def _item_outline(element: Any) -> WxrItem:
    """Only an item's type, number and comment count: enough for the first pass."""
    item = WxrItem()
    comments = 0
    for child in element:
        name = vocabulary(child.tag)
        if name == "wp:post_type" and not item.post_type:
            item.post_type = _text(child).strip()
        elif name == "wp:post_id" and not item.post_id:
            item.post_id = _text(child).strip()
        elif name == "wp:comment":
            comments += 1
    if item.post_type == "attachment":
        return _item(element)
    item.comments = [WxrComment(comment_id="")] * comments
    return item


def _attachment(item: WxrItem) -> WxrAttachment:
    return WxrAttachment(
        url=item.attachment_url or item.guid,
        title=item.title.strip(),
        alt=item.meta_value("_wp_attachment_image_alt").strip(),
        caption=item.excerpt.strip(),
        parent_id=item.post_parent,
    )


class _CountingReader:
    """A binary file that remembers how many bytes the parser has taken from it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(READ_BYTES if size < 0 else min(size, READ_BYTES))
        self.bytes_read += len(chunk)
        return chunk


def _refuse_document_type(path: Path) -> None:
    """Refuse files that declare a document type before parsing them.

    WordPress never writes one, and a DTD is how entity tricks (billion laughs,
    external files) get into XML. The parser is told neither to expand entities
    nor to fetch anything, but a file that tries is not an export to trust with
    anything else either.
    """
    with path.open("rb") as raw:
        head = raw.read(PROLOG_BYTES)
    text = head.decode("utf-8", errors="replace")
    position = 0
    while True:
        start = text.find("<", position)
        if start == -1:
            return
        if text.startswith(("<?", "<!--"), start):
            closing = "?>" if text.startswith("<?", start) else "-->"
            end = text.find(closing, start)
            if end == -1:
                return
            position = end + len(closing)
        elif text.startswith("<!DOCTYPE", start):
            line = text.count("\n", 0, start) + 1
            raise WxrRefused(
                "the file declares a document type (<!DOCTYPE>); WordPress exports never do, "
                "and document types can define entities, so the file is refused",
                line=line,
                column=start - text.rfind("\n", 0, start),
            )
        else:
            return


def _check_shape(root: Any) -> None:
    """Refuse a document that is not ``<rss>`` with only ``<channel>`` under it, so far."""
    if root.tag != "rss":
        raise WxrRefused(
            f"the document is <{vocabulary(root.tag) or root.tag}>, "
            "not an RSS feed (<rss>): this is not a WordPress export"
        )
    if any(child.tag != "channel" for child in root):
        raise WxrRefused(
            "the feed has no <channel> right under <rss>: this is not a WordPress export"
        )


class _NoTree:
    """A parser target that keeps nothing: reading a file again only to find where it breaks."""


def _syntax_error(error: etree.XMLSyntaxError, path: Path) -> WxrSyntaxError:
    """Where and why the XML of ``path`` breaks, in expat's words (see the module docstring)."""
    parser = ElementTree.XMLParser(target=_NoTree())  # noqa: S314 - DTDs refused before parsing
    try:
        with path.open("rb") as raw:
            while chunk := raw.read(1024 * 1024):
                parser.feed(chunk)
        parser.close()
    except ElementTree.ParseError as described:
        return _described_syntax_error(described, path)
    # Something only libxml2 refuses, such as text beyond its limits: its own words, then.
    line, column = error.position
    return WxrSyntaxError(f"malformed XML, {error.msg}", line=line, column=column)


def _described_syntax_error(error: ElementTree.ParseError, path: Path) -> WxrSyntaxError:
    line, column = error.position
    message = str(error).split(":")[0]
    hint = ""
    if "invalid token" in message:
        source_line = _line_of(path, line)
        if "]]>" in source_line[max(0, column - 3) : column + 3]:
            hint = (
                ": “]]>” appears inside CDATA text without being split the way "
                "WordPress's exporter writes it (]]]]><![CDATA[>)"
            )
    elif message.startswith(("no element found", "unclosed")):
        hint = ": the file ends before its last element closes (a truncated export?)"
    return WxrSyntaxError(f"malformed XML, {message}{hint}", line=line, column=column)


def _line_of(path: Path, number: int) -> str:
    with path.open("rb") as raw:
        for index, line in enumerate(raw, start=1):
            if index == number:
                return line.decode("utf-8", errors="replace")
    return ""


class WxrFile:
    """A WXR file on disk, read as a stream of records.

    ``scan()`` makes a quick first pass (item counts for the progress bar, and
    attachments, which WordPress usually exports after the posts using them);
    ``records()`` then yields the channel, authors, terms and items in order.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.size = self.path.stat().st_size
        self._reader: _CountingReader | None = None

    @property
    def bytes_read(self) -> int:
        return self._reader.bytes_read if self._reader is not None else 0

    def scan(self) -> WxrInventory:
        """Count the items and index the attachments; refuse a file that is not WXR."""
        inventory = WxrInventory(channel=WxrChannel())
        try:
            for record in self.records(outline=True):
                if isinstance(record, WxrChannel):
                    inventory.channel = record
                elif isinstance(record, WxrItem):
                    kind = record.post_type or "(none)"
                    inventory.items_by_type[kind] = inventory.items_by_type.get(kind, 0) + 1
                    inventory.comments += len(record.comments)
                    if record.post_type == "attachment" and record.post_id:
                        inventory.attachments[record.post_id] = _attachment(record)
        except WxrSyntaxError as error:
            inventory.error = error
        return inventory

    def records(self, *, outline: bool = False) -> Generator[WxrRecord, None, None]:
        """Yield the channel header, authors, terms and items as the parser reaches them.

        The ``WxrChannel`` comes once, just before the first item (or at the end
        of a file without items), when the header is complete. Raises
        ``WxrRefused`` when the file is not WXR, ``WxrSyntaxError`` where the
        XML breaks off. With ``outline``, items other than attachments carry only
        their type, number and comment count.
        """
        _refuse_document_type(self.path)
        channel = WxrChannel()
        channel_sent = False
        with self.path.open("rb") as raw:
            self._reader = _CountingReader(raw)
            events = etree.iterparse(
                self._reader,
                events=("start", "end"),
                tag=CHANNEL_TAGS,
                remove_comments=True,
                remove_pis=True,
                # DTDs are refused above; nothing may be fetched or expanded either.
                resolve_entities=False,
                no_network=True,
                # A post may hold more than libxml2's usual 10 MB of text; expat did not
                # mind, and nor should we.
                huge_tree=True,
            )
            root: Any = None
            channel_element: Any = None
            try:
                for event, element in events:
                    if root is None:
                        root = element.getroottree().getroot()
                        _check_shape(root)
                    parent = element.getparent()
                    if event == "start":
                        if element.tag == "channel":
                            _check_shape(root)
                            channel_element = element
                        continue
                    if parent is root:
                        _check_shape(root)
                        if not channel_sent:
                            self._check_version(channel)
                            channel_sent = True
                            yield channel
                        continue
                    if parent is not channel_element or channel_element is None:
                        continue
                    name = vocabulary(element.tag)
                    if name == "item":
                        if not channel_sent:
                            self._check_version(channel)
                            channel_sent = True
                            yield channel
                        yield _item_outline(element) if outline else _item(element)
                    elif name == "wp:author":
                        author = _author(element)
                        if author is not None:
                            yield author
                    elif name in {"wp:category", "wp:tag", "wp:term"}:
                        term = _term(element, name)
                        if term is not None:
                            yield term
                    else:
                        self._read_header(channel, name, element)
                    # Unreported children before this one (a <generator>, an <image>) go too.
                    element.clear()
                    while element.getprevious() is not None:
                        del channel_element[0]
                    channel_element.remove(element)
            except etree.XMLSyntaxError as error:
                # libxml2 also complains, once the whole file is read, about namespace
                # names that XML allows and expat accepts (a URI with accented letters);
                # only an error that stopped the parse, or came before any element, is one.
                fatal = etree.ErrorLevels.FATAL
                stopped = any(entry.level == fatal for entry in events.error_log)
                if stopped or self.bytes_read < self.size or root is None:
                    raise _syntax_error(error, self.path) from error
            # A document none of whose elements was reported (<feed/>), or one with
            # something else than a channel after the channel.
            _check_shape(events.root if root is None else root)

    @staticmethod
    def _read_header(channel: WxrChannel, name: str, element: Any) -> None:
        fields = {
            "title": "title",
            "link": "link",
            "description": "description",
            "language": "language",
            "wp:wxr_version": "wxr_version",
            "wp:base_site_url": "base_site_url",
            "wp:base_blog_url": "base_blog_url",
        }
        if name in fields and not getattr(channel, fields[name]):
            setattr(channel, fields[name], _text(element).strip())

    @staticmethod
    def _check_version(channel: WxrChannel) -> None:
        """Refuse a file without a WXR version, as WordPress's own importer does."""
        if not channel.wxr_version:
            raise WxrRefused(
                "this does not appear to be a WXR file: its header has no WXR version "
                "number (<wp:wxr_version>)"
            )
        if not VERSION_NUMBER.match(channel.wxr_version):
            raise WxrRefused(
                f"this does not appear to be a WXR file: its WXR version number "
                f"“{channel.wxr_version}” is not a number such as 1.2"
            )
