"""Fixtures for the migration tests: WXR files, a media folder, and a WXR writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

WXR_DIR = Path(__file__).parent / "wxr"
# The WordPress importer's own fixtures, kept beside the repository (see SOURCES.md there).
SHARED_WXR_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "wxr"

WXR_HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>{title}</title>
	<link>https://old.example</link>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>https://old.example</wp:base_site_url>
	<wp:base_blog_url>https://old.example</wp:base_blog_url>
	<wp:author><wp:author_id>1</wp:author_id><wp:author_login>editor</wp:author_login>
	<wp:author_email>editor@old.example</wp:author_email>
	<wp:author_display_name><![CDATA[The Editor]]></wp:author_display_name></wp:author>
"""


def wxr_item(
    number: int,
    *,
    title: str = "",
    content: str = "",
    status: str = "publish",
    post_type: str = "post",
    date: str = "2011-05-0{day} 10:00:00",
    comments: int = 0,
    extra: str = "",
) -> str:
    """One ``<item>`` in WordPress's own layout."""
    day = number % 9 + 1

    def parent(index: int) -> int:
        """Every third comment answers the one before it."""
        return number * 1000 + index - 1 if index % 3 == 2 else 0

    posted = date.format(day=day)
    replies = "".join(
        f"""
		<wp:comment>
			<wp:comment_id>{number * 1000 + index}</wp:comment_id>
			<wp:comment_author><![CDATA[Reader {index}]]></wp:comment_author>
			<wp:comment_author_email>reader{index}@example.org</wp:comment_author_email>
			<wp:comment_author_url></wp:comment_author_url>
			<wp:comment_author_IP>192.0.2.{index % 250}</wp:comment_author_IP>
			<wp:comment_date>{posted}</wp:comment_date>
			<wp:comment_date_gmt>{posted}</wp:comment_date_gmt>
			<wp:comment_content><![CDATA[Comment {index} on post {number}.]]></wp:comment_content>
			<wp:comment_approved>{"1" if index % 4 else "0"}</wp:comment_approved>
			<wp:comment_type>comment</wp:comment_type>
			<wp:comment_parent>{parent(index)}</wp:comment_parent>
			<wp:comment_user_id>0</wp:comment_user_id>
		</wp:comment>"""
        for index in range(1, comments + 1)
    )
    topic = f"<![CDATA[Topic {number % 3}]]>"
    return f"""
	<item>
		<title><![CDATA[{title or f"Post {number}"}]]></title>
		<link>https://old.example/2011/05/post-{number}/</link>
		<dc:creator><![CDATA[editor]]></dc:creator>
		<content:encoded><![CDATA[{content or f"Body of post {number}."}]]></content:encoded>
		<excerpt:encoded><![CDATA[]]></excerpt:encoded>
		<wp:post_id>{number}</wp:post_id>
		<wp:post_date>{posted}</wp:post_date>
		<wp:post_date_gmt>{posted}</wp:post_date_gmt>
		<wp:post_name>post-{number}</wp:post_name>
		<wp:status>{status}</wp:status>
		<wp:post_type>{post_type}</wp:post_type>
		<category domain="post_tag" nicename="topic-{number % 3}">{topic}</category>{extra}{replies}
	</item>"""


@pytest.fixture
def write_wxr(tmp_path: Path) -> Callable[..., Path]:
    """Write a WXR file from items made with ``wxr_item``; return its path."""

    def write(*items: str, title: str = "Old blog", name: str = "export.xml") -> Path:
        path = tmp_path / name
        path.write_text(WXR_HEADER.format(title=title) + "".join(items) + "\n</channel>\n</rss>\n")
        return path

    return write


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    """A copy of the old site's ``wp-content/uploads`` with the images the fixtures use."""
    folder = tmp_path / "uploads" / "2009" / "09"
    folder.mkdir(parents=True)
    Image.new("RGB", (64, 48), "#1d4e89").save(folder / "residence.jpg")
    Image.new("RGB", (32, 32), "#ffffff").save(folder / "flag.png")
    return tmp_path / "uploads"
