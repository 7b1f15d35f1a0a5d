"""The WXR export is a WordPress export: readable by WordPress's parsers, and by ours."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from despatch.conversations.models import Comment
from despatch.migration.importer import wordpress_import
from despatch.migration.wxr import WxrFile, WxrItem
from despatch.migration.wxr_export import site_export_wxr
from despatch.posts.models import Post

from .conftest import SHARED_WXR_DIR, WXR_DIR

pytestmark = pytest.mark.django_db


def test_an_exported_blog_imports_back_with_its_posts_comments_and_tags(tmp_path):
    """Export a blog as WXR, import the file into another blog: the same content arrives."""
    wordpress_import(path=WXR_DIR / "embassy-1.2.xml", blog_slug="original")
    path = tmp_path / "out.xml"
    from despatch.blogs.models import Blog

    count = site_export_wxr(path=path, blog=Blog.objects.get(slug="original"))
    assert count == 8
    report = wordpress_import(path=path, blog_slug="copy")
    assert report.error == "" and report.problems == []
    original = Post.objects.filter(blog__slug="original")
    copy = Post.objects.filter(blog__slug="copy")
    assert sorted(original.values_list("title", "status", "published_at")) == sorted(
        copy.values_list("title", "status", "published_at")
    )
    for post in original:
        twin = copy.get(slug=post.slug)
        assert sorted(post.tags.values_list("name", flat=True)) == sorted(
            twin.tags.values_list("name", flat=True)
        )
        assert sorted(Comment.objects.filter(post=post).values_list("body", "status")) == sorted(
            Comment.objects.filter(post=twin).values_list("body", "status")
        )
    assert Comment.objects.filter(post__blog__slug="copy", parent__isnull=False).count() == 2


def test_the_export_is_well_formed_and_counted_by_an_independent_parser(tmp_path):
    """The kit's inventory (Python's own XML parser) counts what we wrote."""
    inventory_script = SHARED_WXR_DIR.parents[1] / "kit" / "wxr_inventory.py"
    if not inventory_script.is_file():
        pytest.skip("../shared/kit is not beside")
    wordpress_import(path=WXR_DIR / "embassy-1.2.xml")
    path = tmp_path / "network.xml"
    site_export_wxr(path=path)
    output = subprocess.run(
        [sys.executable, str(inventory_script), str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    inventory = json.loads(output.rsplit("\n", 2)[0])[str(path)]
    assert inventory["wxr_version"] == "1.2"
    assert inventory["post_types"] == {"post": 8}
    assert inventory["statuses"] == {"publish": 3, "future": 1, "draft": 4}
    assert inventory["comments_approved"] + inventory["comments_other"] == Comment.objects.count()


def test_text_that_would_end_cdata_is_split_like_wordpress_does(tmp_path):
    """``]]>`` in a title survives the trip through CDATA."""
    wordpress_import(path=WXR_DIR / "embassy-1.2.xml")
    post = Post.objects.get(slug="why-we-blog")
    post.title = "Arrays]]>and more"
    post.save()
    path = tmp_path / "out.xml"
    site_export_wxr(path=path)
    assert "Arrays]]]]><![CDATA[>and more" in path.read_text()
    titles = [r.title for r in WxrFile(path).records() if isinstance(r, WxrItem)]
    assert "Arrays]]>and more" in titles
