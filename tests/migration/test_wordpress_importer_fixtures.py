"""Every fixture of WordPress's own importer test suite imports correctly or is clearly refused.

The files live in ``../shared/testdata/wxr/`` beside the repository, unchanged
from WordPress/wordpress-importer (GPL-2.0); see ``SOURCES.md`` there.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from despatch.blogs.models import AuthorProfile, Blog
from despatch.conversations.models import Comment
from despatch.migration.importer import ImportRefused, wordpress_import
from despatch.migration.wxr import WxrAuthor, WxrFile
from despatch.posts.models import Post, Tag

from .conftest import SHARED_WXR_DIR

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SHARED_WXR_DIR.is_dir(), reason="../shared/testdata is not beside"),
]
INVENTORY = SHARED_WXR_DIR.parents[1] / "kit" / "wxr_inventory.py"


def shared(name: str) -> Path:
    return SHARED_WXR_DIR / f"wordpress-importer__{name}.xml"


# Files that are not WXR (or not one we will read): refused before anything is written.
REFUSED = {
    "invalid-version-tag": "WXR version number “abc” is not a number",
    "missing-version-tag": "has no WXR version number",
    "malformed": "no <channel> right under <rss>",
}
# Files whose XML breaks: everything before the break is kept, and the report says where.
BROKEN = {
    "malformed-simple": "line 14, column 0: malformed XML, no element found",
    "crazy-cdata": "line 18, column 71: malformed XML, not well-formed (invalid token): “]]>”",
}
IMPORTED = [
    "authors-multiline",
    "backslashes",
    "crazy-cdata-escaped",
    "namespace-edge-cases",
    "slashes",
    "small-export",
    "term-formats",
    "test-serialized-postmeta-no-cdata",
    "test-serialized-postmeta-with-cdata",
    "valid-wxr-1.0",
    "valid-wxr-1.1",
    "wxr-utf-8-challenges",
]


def test_every_shared_fixture_is_covered():
    """No file of the shared folder escapes this module's three lists."""
    names = {path.name.split("__", 1)[1].removesuffix(".xml") for path in SHARED_WXR_DIR.glob("*")}
    assert names == set(REFUSED) | set(BROKEN) | set(IMPORTED)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_files_that_are_not_wxr_are_refused_with_the_reason(name):
    """Not WXR at all: refused before anything is written, saying why."""
    with pytest.raises(ImportRefused, match=REFUSED[name]):
        wordpress_import(path=shared(name))
    assert not Blog.objects.exists()


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_files_with_broken_xml_report_the_line_and_column(name):
    """Broken XML: the report names the line and column where it breaks."""
    report = wordpress_import(path=shared(name))
    assert report.error.startswith(BROKEN[name])
    assert not Post.objects.exists(), "the break comes before any complete post"


@pytest.mark.parametrize("name", IMPORTED)
def test_imported_posts_and_comments_match_an_independent_inventory(name):
    """Posts and comments arriving equal what the kit's own parser counts in the file."""
    if not INVENTORY.is_file():
        pytest.skip("../shared/kit/wxr_inventory.py is not beside")
    output = subprocess.run(
        [sys.executable, str(INVENTORY), str(shared(name)), "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    inventory = json.loads(output.rsplit("\n", 2)[0])[str(shared(name))]
    report = wordpress_import(path=shared(name))
    assert report.error == ""
    posts = inventory["post_types"].get("post", 0)
    assert Post.objects.count() + report.total("post", "skipped") == posts
    comments = inventory.get("comments_approved", 0) + inventory.get("comments_other", 0)
    assert Comment.objects.count() == comments


def test_slashes_are_kept_exactly_as_written():
    """WordPress once stripped backslashes on import; they are content and must survive."""
    wordpress_import(path=shared("slashes"))
    post = Post.objects.get()
    assert post.body_source == '<p>Slashes aren\\\'t \\"cool\\"</p>'
    assert post.tags.get().name == 'a \\"great\\" category'
    assert Comment.objects.get().body == "\\o/ ¯\\_(ツ)_/¯"
    wordpress_import(path=shared("backslashes"))
    assert "C:\\xampp\\htdocs\\wp-content" in Post.objects.get(title="Paths").body_html


def test_cdata_written_the_wordpress_way_is_read_back_whole():
    """``]]]]><![CDATA[>`` is how a WXR file says ``]]>`` inside CDATA."""
    wordpress_import(path=shared("crazy-cdata-escaped"))
    assert Post.objects.get().body_source == "<p>Content with nested <![CDATA[ tags ]]> :)</p>"


def test_namespaces_are_read_by_uri_not_by_prefix():
    """A wp: prefix bound elsewhere is ignored; wp elements without the prefix still count."""
    report = wordpress_import(path=shared("namespace-edge-cases"))
    assert sorted(Post.objects.values_list("title", flat=True)) == [
        "Empty Namespace",
        "Mixed Namespaces",
        "Namespace Bomb",
        "No Prefix",
        "Unicode Namespace",
    ]
    # The first wp:post_id wins, as in WordPress's parser (the second says 999).
    assert report.problems == [
        "item ? “Hijacked Namespace”: has no WordPress post type (wp:post_type in the "
        "WordPress namespace) — skipped"
    ]
    assert "&amp;lol1;" in Post.objects.get(title="Namespace Bomb").body_html


def test_the_full_wordpress_test_export():
    """small-export.xml: statuses, authors, 27 categories, a private post and five pages."""
    report = wordpress_import(path=shared("small-export"))
    assert Post.objects.count() == 6
    assert Post.objects.get(slug="private-post").status == Post.Status.DRAFT
    many = Post.objects.get(slug="many-categories")
    assert many.tags.count() == 27
    assert Post.objects.get(slug="foo-child").tags.get().name == "Foo (Bar)"
    assert Post.objects.get(slug="top-level-foo").tags.get().name == "Foo"
    assert Tag.objects.filter(name="远征手记", slug="eternity").exists()
    assert Post.objects.get(slug="foo-child").author.display_name == "editor"
    assert report.other_items[("page", next(a for k, a in report.other_items if k == "page"))] == 5


def test_utf8_challenges_arrive_unchanged():
    """Emoji, zalgo text, right-to-left overrides and zero-width characters are content."""
    wordpress_import(path=shared("wxr-utf-8-challenges"))
    post = Post.objects.get()
    assert (
        post.title == '"The Road \u202eNot\u202c Taken" by Rob\u202dert \u202eFrost \u202a🌲\u202c'
    )
    assert "السلام عليكم وﷲ" in post.body_html
    assert post.slug == "hello-world-utf8-test"
    assert AuthorProfile.objects.get().display_name.startswith("A̸̰̅d̴̰͝m̵͎̽i̵̱̋n̷̰̎")


def test_multiline_logins_and_files_without_posts():
    """Logins keep no trailing newline; a post naming no author gets the blog's; terms alone
    create nothing."""
    logins = [
        r.login for r in WxrFile(shared("authors-multiline")).records() if isinstance(r, WxrAuthor)
    ]
    assert logins == ["alice", "bob", "carol"]
    wordpress_import(path=shared("authors-multiline"))
    assert Post.objects.get().author.display_name == "Authors Multiline"
    report = wordpress_import(path=shared("term-formats"))
    assert report.blog == ""
    assert Blog.objects.count() == 1
