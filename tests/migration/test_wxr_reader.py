"""Reading WXR as a stream: versions, namespaces, refusals and where broken XML breaks."""

from __future__ import annotations

import pytest

from despatch.migration.wxr import (
    WxrAuthor,
    WxrChannel,
    WxrFile,
    WxrItem,
    WxrRefused,
    WxrSyntaxError,
    WxrTerm,
)

from .conftest import WXR_DIR, wxr_item


def test_records_come_in_file_order_with_the_channel_before_the_first_item():
    """Authors and terms first, then the header once complete, then items."""
    records = list(WxrFile(WXR_DIR / "embassy-1.2.xml").records())
    kinds = [type(record).__name__ for record in records]
    assert kinds.index("WxrChannel") == kinds.index("WxrItem") - 1
    channel = next(r for r in records if isinstance(r, WxrChannel))
    assert channel.wxr_version == "1.2"
    assert channel.blog_url == "https://blogs.embassy.example"
    assert [r.login for r in records if isinstance(r, WxrAuthor)] == [
        "ambassador",
        "layla",
        "unused",
    ]
    terms = [r for r in records if isinstance(r, WxrTerm)]
    assert ("category", "climate-events", "events") in {
        (t.taxonomy, t.slug, t.parent) for t in terms
    }


def test_items_carry_terms_meta_and_comments():
    """An item's categories, post meta and comments come with it, comments in file order."""
    item = next(r for r in WxrFile(WXR_DIR / "embassy-1.2.xml").records() if isinstance(r, WxrItem))
    assert item.post_id == "101"
    assert item.meta_value("_thumbnail_id") == "201"
    assert [c.comment_id for c in item.comments] == [
        "1001", "1003", "1002", "1004", "1005", "1006", "1007",
    ]  # fmt: skip
    assert ("post_tag", "arms-trade-treaty") in {(t.domain, t.slug) for t in item.terms}


def test_all_three_wxr_versions_are_read():
    """1.0 (no author list, domain="tag"), 1.1 (multisite) and 1.2 namespaces."""
    for name, version in [("classic-1.0.xml", "1.0"), ("multisite-1.1.xml", "1.1")]:
        inventory = WxrFile(WXR_DIR / name).scan()
        assert inventory.channel.wxr_version == version
        assert inventory.items_by_type == {"post": 1}


def test_scan_counts_items_and_indexes_attachments_ahead_of_the_import():
    """Attachments usually follow the posts using them, so a first pass indexes them."""
    inventory = WxrFile(WXR_DIR / "embassy-1.2.xml").scan()
    assert inventory.items == 15
    assert inventory.items_by_type["attachment"] == 2
    assert inventory.attachments["201"].alt == "The residence garden"
    assert inventory.attachments["201"].parent_id == "101"
    assert inventory.comments == 8


def test_a_document_type_is_refused_before_parsing(tmp_path):
    """Entity tricks come in through a DTD; WordPress never writes one."""
    path = tmp_path / "entities.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!-- comment -->\n'
        '<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<rss><channel/></rss>'
    )
    with pytest.raises(WxrRefused, match="document type") as refused:
        list(WxrFile(path).records())
    assert refused.value.line == 3


def test_a_file_that_is_not_rss_is_refused(tmp_path):
    """An Atom feed (or anything else) is refused as not being a WordPress export."""
    path = tmp_path / "feed.xml"
    path.write_text('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>')
    with pytest.raises(WxrRefused, match="not an RSS feed"):
        WxrFile(path).scan()


def test_malformed_xml_is_reported_with_its_line_and_column(write_wxr):
    """The items before the break are read; the error names the line of the bad tag."""
    path = write_wxr(wxr_item(1), wxr_item(2).replace("</title>", "</titel>"))
    read: list[object] = []
    with pytest.raises(WxrSyntaxError, match="mismatched tag") as broken:
        read.extend(WxrFile(path).records())
    assert [r.post_id for r in read if isinstance(r, WxrItem)] == ["1"]
    assert broken.value.line == 32  # the <title> of the second item
    assert broken.value.column is not None


def test_a_truncated_file_is_read_up_to_the_break():
    """The scan counts the complete items and says the file looks cut off."""
    inventory = WxrFile(WXR_DIR / "truncated.xml").scan()
    assert inventory.items == 2
    assert inventory.error is not None
    assert "truncated export" in str(inventory.error)


def test_memory_holds_one_item_at_a_time(write_wxr):
    """Items are cleared from the tree once read, so a huge file needs no more memory."""
    path = write_wxr(*(wxr_item(number, comments=2) for number in range(1, 40)))
    reader = WxrFile(path)
    records = reader.records()
    for record in records:
        if isinstance(record, WxrItem) and record.post_id == "30":
            channel = records.gi_frame.f_locals["channel_element"]
            # The parser reads ahead by one buffer; everything already read is gone.
            numbers = [child.findtext("{*}post_id") for child in channel]
            assert len(numbers) < 10
            assert all(int(number) >= 30 for number in numbers if number)
            break


def test_a_post_longer_than_libxml2s_usual_limit_is_read_whole(write_wxr):
    """libxml2 refuses text over 10 MB unless told otherwise; expat, read before, never did."""
    body = "The treaty text, clause by clause. " * 320_000  # over 11 MB
    path = write_wxr(wxr_item(1, content=body))
    item = next(r for r in WxrFile(path).records() if isinstance(r, WxrItem))
    assert item.content == body


def test_text_after_the_channel_is_refused_as_not_wxr(tmp_path):
    """Only <channel> belongs under <rss>, even after the channel, as before."""
    path = tmp_path / "extra.xml"
    path.write_text(
        '<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        "<wp:wxr_version>1.2</wp:wxr_version></channel><extra/></rss>"
    )
    with pytest.raises(WxrRefused, match="no <channel> right under <rss>"):
        list(WxrFile(path).records())


def test_an_empty_file_is_reported_as_broken_xml(tmp_path):
    """Nothing at all to read: the same "no element found" as a file cut off at once."""
    path = tmp_path / "empty.xml"
    path.write_bytes(b"")
    with pytest.raises(WxrSyntaxError, match="no element found") as broken:
        list(WxrFile(path).records())
    assert broken.value.line == 1
