"""Writers for RSS 2.0, Atom 1.0 and JSON Feed 1.1, on top of Django's feed generator.

Django's writers cover the common elements. These add what readers of this
network rely on: the full post (``content:encoded`` in RSS, ``<content>`` in
Atom, ``content_html`` in JSON Feed), each entry's language, the WebSub hub,
and the stylesheet that turns an RSS or Atom feed into a readable page when a
person opens it in a browser.

Every item is given as plain text plus its HTML body; each writer encodes them
the way its format's readers expect.
"""

from __future__ import annotations

import html
import json
from typing import Any

from django.utils import feedgenerator
from django.utils.feedgenerator import rfc2822_date, rfc3339_date
from django.utils.xmlutils import SimplerXMLGenerator

from .content import Media, xml_text
from .formats import FeedFormat

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def _clean(value: Any) -> Any:
    """Drop characters XML cannot carry from every string, however deeply nested."""
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, list | tuple):
        return type(value)(_clean(part) for part in value)
    return value


class DespatchFeedMixin:
    """What the three writers share: clean text in, extra feed-level links out.

    Extra feed arguments: ``hub_url``. Extra item arguments: ``content_html``,
    ``language``, ``media`` (a list of ``Media``), ``image`` and ``author_avatar``.
    """

    feed: dict[str, Any]
    items: list[dict[str, Any]]
    content_type: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*_clean(args), **{key: _clean(value) for key, value in kwargs.items()})

    def add_item(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("media", [])
        super().add_item(  # type: ignore[misc]
            *_clean(args), **{key: _clean(value) for key, value in kwargs.items()}
        )


class RssFeed(DespatchFeedMixin, feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with the full post in ``content:encoded``.

    Served as ``application/xml`` rather than ``application/rss+xml``: browsers
    download the latter instead of applying the stylesheet, and feed readers
    do not mind.
    """

    format = FeedFormat.RSS
    content_type = "application/xml; charset=utf-8"

    def rss_attributes(self) -> dict[str, str]:
        return {
            **super().rss_attributes(),
            "xmlns:content": CONTENT_NS,
            "xmlns:dc": DC_NS,
        }

    def add_root_elements(self, handler: SimplerXMLGenerator) -> None:
        super().add_root_elements(handler)
        if self.feed.get("hub_url"):
            handler.addQuickElement("atom:link", None, {"rel": "hub", "href": self.feed["hub_url"]})
        handler.addQuickElement("docs", "https://www.rssboard.org/rss-specification")

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        # RSS readers treat titles and descriptions as HTML (Django ticket #6533),
        # so plain text is escaped once more than XML alone would need.
        handler.addQuickElement("title", html.escape(item["title"], quote=False))
        handler.addQuickElement("link", item["link"])
        if item["description"]:
            handler.addQuickElement("description", html.escape(item["description"], quote=False))
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])
        if item["author_name"]:
            handler.addQuickElement("dc:creator", item["author_name"])
        if item.get("language"):
            handler.addQuickElement("dc:language", item["language"])
        if item["pubdate"] is not None:
            handler.addQuickElement("pubDate", rfc2822_date(item["pubdate"]))
        if item["comments"] is not None:
            handler.addQuickElement("comments", item["comments"])
        handler.addQuickElement("guid", item["unique_id"], {"isPermaLink": "false"})
        # RSS allows one enclosure per item: the first medium, videos before images.
        media: list[Media] = item["media"]
        if media:
            handler.addQuickElement(
                "enclosure",
                "",
                {
                    "url": media[0].url,
                    "length": str(media[0].size or 0),
                    "type": media[0].mime_type,
                },
            )
        for category in item["categories"]:
            handler.addQuickElement("category", category)


class AtomFeed(DespatchFeedMixin, feedgenerator.Atom1Feed):
    """Atom 1.0 with text summaries, HTML content and ``xml:lang`` on every entry.

    Served as ``application/xml`` for the same reason as ``RssFeed``.
    """

    format = FeedFormat.ATOM
    content_type = "application/xml; charset=utf-8"

    def write(self, outfile: Any, encoding: str) -> None:
        # Django's Atom writer has no stylesheet hook; this is its ``write`` with one.
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        for stylesheet in self.feed["stylesheets"] or []:
            handler.processingInstruction("xml-stylesheet", stylesheet)
        # Django's own writers pass plain dicts here too; the stubs ask for AttributesImpl.
        handler.startElement("feed", self.root_attributes())  # type: ignore[arg-type]
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def add_root_elements(self, handler: SimplerXMLGenerator) -> None:
        super().add_root_elements(handler)
        if self.feed.get("hub_url"):
            handler.addQuickElement("link", "", {"rel": "hub", "href": self.feed["hub_url"]})

    def item_attributes(self, item: dict[str, Any]) -> dict[str, str]:
        return {"xml:lang": item["language"]} if item.get("language") else {}

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        handler.addQuickElement("title", item["title"], {"type": "text"})
        handler.addQuickElement("link", "", {"rel": "alternate", "href": item["link"]})
        if item["comments"]:
            handler.addQuickElement(
                "link", "", {"rel": "replies", "type": "text/html", "href": item["comments"]}
            )
        handler.addQuickElement("id", item["unique_id"])
        if item["pubdate"] is not None:
            handler.addQuickElement("published", rfc3339_date(item["pubdate"]))
        handler.addQuickElement("updated", rfc3339_date(item["updateddate"] or item["pubdate"]))
        if item["author_name"]:
            handler.startElement("author", {})  # type: ignore[arg-type]
            handler.addQuickElement("name", item["author_name"])
            if item["author_link"]:
                handler.addQuickElement("uri", item["author_link"])
            handler.endElement("author")
        if item["description"]:
            handler.addQuickElement("summary", item["description"], {"type": "text"})
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})
        for media in item["media"]:
            attributes = {"rel": "enclosure", "href": media.url, "type": media.mime_type}
            if media.size:
                attributes["length"] = str(media.size)
            handler.addQuickElement("link", "", attributes)
        for category in item["categories"]:
            handler.addQuickElement("category", "", {"term": category, "label": category})


class JsonFeed(DespatchFeedMixin, feedgenerator.SyndicationFeed):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""

    format = FeedFormat.JSON
    content_type = "application/feed+json; charset=utf-8"

    def write(self, outfile: Any, encoding: str) -> None:
        outfile.write(json.dumps(self.document(), ensure_ascii=False, indent=1))

    def document(self) -> dict[str, Any]:
        feed = self.feed
        document: dict[str, Any] = {
            "version": JSON_FEED_VERSION,
            "title": feed["title"],
            "home_page_url": feed["link"],
            "feed_url": feed["feed_url"],
        }
        if feed["description"]:
            document["description"] = feed["description"]
        if feed["language"]:
            document["language"] = feed["language"]
        if feed["author_name"]:
            document["authors"] = [_json_author(feed["author_name"], feed["author_link"])]
        if feed.get("hub_url"):
            document["hubs"] = [{"type": "WebSub", "url": feed["hub_url"]}]
        document["items"] = [self.json_item(item) for item in self.items]
        return document

    def json_item(self, item: dict[str, Any]) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": item["unique_id"], "url": item["link"]}
        if item["title"]:
            entry["title"] = item["title"]
        entry["content_html"] = item.get("content_html") or html.escape(item["description"] or "")
        if item["description"]:
            entry["summary"] = item["description"]
        if item.get("image"):
            entry["image"] = item["image"]
        if item["pubdate"] is not None:
            entry["date_published"] = rfc3339_date(item["pubdate"])
        if item["updateddate"] is not None:
            entry["date_modified"] = rfc3339_date(item["updateddate"])
        if item["author_name"]:
            entry["authors"] = [
                _json_author(item["author_name"], item["author_link"], item.get("author_avatar"))
            ]
        if item["categories"]:
            entry["tags"] = list(item["categories"])
        if item.get("language"):
            entry["language"] = item["language"]
        if item["media"]:
            entry["attachments"] = [_json_attachment(media) for media in item["media"]]
        return entry


def _json_author(name: str, url: str | None, avatar: str | None = None) -> dict[str, str]:
    author = {"name": name}
    if url:
        author["url"] = url
    if avatar:
        author["avatar"] = avatar
    return author


def _json_attachment(media: Media) -> dict[str, Any]:
    attachment: dict[str, Any] = {"url": media.url, "mime_type": media.mime_type}
    if media.size:
        attachment["size_in_bytes"] = media.size
    return attachment


GENERATORS: dict[str, type[RssFeed | AtomFeed | JsonFeed]] = {
    FeedFormat.RSS: RssFeed,
    FeedFormat.ATOM: AtomFeed,
    FeedFormat.JSON: JsonFeed,
}
