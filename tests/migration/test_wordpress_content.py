"""WordPress post and comment markup becomes clean Despatch content."""

from __future__ import annotations

import nh3
from django.utils.html import linebreaks, urlize

from despatch.conversations.text import (
    COMMENT_ATTRIBUTES,
    COMMENT_LINK_REL,
    COMMENT_TAGS,
    LINK_TEXT_LIMIT,
    render_comment_text,
)
from despatch.core.rendering import sanitise_html
from despatch.migration.wordpress_content import (
    ConversionContext,
    autop,
    comment_text_from_wordpress,
    post_html_from_wordpress,
)
from despatch.migration.wxr import WxrAttachment


def convert(content: str, **context) -> str:
    return post_html_from_wordpress(content, context=ConversionContext(**context)).html


def test_autop_makes_paragraphs_and_line_breaks_like_wordpress():
    """Blank lines make paragraphs, single newlines <br />, blocks stay unwrapped."""
    assert autop("One.\n\nTwo\nlines.") == "<p>One.</p>\n<p>Two<br />\nlines.</p>"
    assert autop("<ul>\n<li>a</li>\n</ul>\n\nAfter.") == "<ul>\n<li>a</li>\n</ul>\n<p>After.</p>"
    assert autop("<blockquote>Quoted</blockquote>") == "<blockquote><p>Quoted</p></blockquote>"
    assert autop("<pre>a\n\n  b</pre>") == "<pre>a\n\n  b</pre>"
    assert autop('<a\nhref="x">link</a>') == '<p><a\nhref="x">link</a></p>'


def test_captions_become_figures_with_figcaptions():
    """[caption] in both its forms (text after the image, or a caption attribute)."""
    html = convert(
        '[caption id="attachment_1" align="alignleft" width="300"]'
        '<img src="https://old.example/a.jpg" alt="A" /> The caption[/caption]'
    )
    assert html == (
        '<figure><img src="https://old.example/a.jpg" alt="A" />'
        "<figcaption>The caption</figcaption></figure>"
    )
    old_style = convert(
        '[caption caption="Old style"]<img src="https://old.example/b.jpg" />[/caption]'
    )
    assert "<figcaption>Old style</figcaption>" in old_style


def test_galleries_use_the_exports_attachments():
    """[gallery ids=…] in that order, or every image attached to the post."""
    attachments = {
        "5": WxrAttachment(url="https://old.example/5.jpg", alt="Five", parent_id="9"),
        "6": WxrAttachment(
            url="https://old.example/6.jpg", title="Six", caption="Sixth", parent_id="9"
        ),
    }
    by_ids = convert('[gallery ids="6,5"]', attachments=attachments)
    assert by_ids.index("6.jpg") < by_ids.index("5.jpg")
    assert 'alt="Six"' in by_ids and "<figcaption>Sixth</figcaption>" in by_ids
    attached = convert("[gallery]", attachments=attachments, post_id="9")
    assert "5.jpg" in attached and "6.jpg" in attached
    assert convert("[gallery]", attachments=attachments, post_id="1") == ""


def test_video_addresses_on_their_own_line_and_embeds_become_our_player():
    """Bare URLs, [embed], YouTube iframes and old Flash objects all become our player."""
    for source in (
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "[embed]https://youtu.be/dQw4w9WgXcQ[/embed]",
        '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ?feature=oembed"></iframe>',
        '<object><embed src="http://www.youtube.com/v/dQw4w9WgXcQ&hl=en"></embed></object>',
    ):
        html = sanitise_html(convert(source))
        assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html, source
        assert '<figure class="video">' in html
    other = convert("https://twitter.example/status/1")
    assert (
        other
        == '<p><a href="https://twitter.example/status/1">https://twitter.example/status/1</a></p>'
    )


def test_block_editor_comments_are_dropped_and_block_html_kept():
    """<!-- wp:… --> delimiters and WordPress's classes go; the block's HTML stays."""
    html = convert(
        "<!-- wp:paragraph -->\n<p>One</p>\n<!-- /wp:paragraph -->\n\n"
        '<!-- wp:image {"id":3} -->\n<figure class="wp-block-image">'
        '<img src="https://old.example/i.png" alt=""/></figure>\n<!-- /wp:image -->'
    )
    assert "wp:" not in html
    assert html.startswith("<p>One</p>")
    assert '<figure><img src="https://old.example/i.png" alt=""/></figure>' in html


def test_embed_blocks_keep_their_caption_as_the_video_title():
    """The block's caption names the video for screen readers."""
    html = convert(
        '<!-- wp:embed {"url":"https://vimeo.com/76979871"} -->\n'
        '<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">\n'
        "https://vimeo.com/76979871\n</div><figcaption>The talk</figcaption></figure>\n"
        "<!-- /wp:embed -->"
    )
    assert 'src="https://player.vimeo.com/video/76979871" title="The talk"' in html
    assert "wp-block-embed" not in html


def test_relative_addresses_become_absolute_and_headings_start_at_two():
    """Links keep working off the old site; <h1> belongs to the post's title."""
    html = convert(
        '<h1>Top</h1>\n\n<a href="/about/">About</a> <img src="/wp-content/x.png">',
        base_url="https://old.example/",
    )
    assert "<h2>Top</h2>" in html
    assert 'href="https://old.example/about/"' in html
    assert 'src="https://old.example/wp-content/x.png"' in html


def test_unknown_shortcodes_stay_as_text_and_are_counted():
    """A plugin's shortcode is left visible (and reported); prose brackets are not counted."""
    result = post_html_from_wordpress(
        '[contact-form id="1"] and [sic] and [[caption]] and [note]x[/note]',
        context=ConversionContext(),
    )
    assert result.html == '<p>[contact-form id="1"] and [sic] and [caption] and [note]x[/note]</p>'
    assert dict(result.unknown_shortcodes) == {"[contact-form]": 1, "[note]": 1}


def test_the_more_marker_gives_the_teaser():
    """The text before <!--more--> is WordPress's teaser, and becomes the excerpt."""
    result = post_html_from_wordpress(
        "Opening <em>words</em>.\n<!--more Read on-->\nThe rest.", context=ConversionContext()
    )
    assert result.teaser == "Opening words ."
    assert "more" not in result.html


def test_comments_become_plain_text_with_links_spelled_out():
    """Comment HTML becomes the plain text Despatch comments are written in."""
    assert (
        comment_text_from_wordpress(
            'Hi,<br />see <a href="https://a.example/">this</a> &amp; <b>that</b>.<p>Next</p>'
        )
        == "Hi,\nsee this (https://a.example/) & that.Next"
    )
    assert comment_text_from_wordpress("One\r\n\r\n\r\n\r\nTwo \x00") == "One\n\nTwo"
    assert (
        comment_text_from_wordpress('<a href="https://a.example/">https://a.example/</a>')
        == "https://a.example/"
    )


def full_comment_rendering(text: str) -> str:
    """The conversations app's rendering without its short cut: urlize, paragraphs, nh3."""
    linked = urlize(text.strip(), trim_url_limit=LINK_TEXT_LIMIT, autoescape=True)
    return nh3.clean(
        linebreaks(linked, autoescape=False),
        tags=COMMENT_TAGS,
        attributes=COMMENT_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=COMMENT_LINK_REL,
        strip_comments=True,
    )


COMMENT_SAMPLES = [
    "Plain words.",
    "  Padded  \n\nTwo paragraphs\nand a line break.  ",
    "Quotes \"double\" and 'single', <tags> & ampersands; a:b, 3.14, e.g. Mr. Smith.",
    "Typed entities &amp; &lt;b&gt; &#39; and markup <p>kept as text</p> <!-- not a comment -->",
    "السلام عليكم — emoji 🚀, zero\u200bwidth, tabs\tand\r\nWindows lines.",
    "No-break\u00a0space and a control\x07 character.",
    "Trailing dot. Another. ...",
    "See https://example.org/x, www.example.com, example.org and me@example.org.",
    "HTTP://EXAMPLE.NET/ upper case",
    "",
]


def test_comment_text_renders_the_same_by_the_short_cut_as_by_the_full_route():
    """Imported comments are rendered by render_comment_text, whose short cut must agree."""
    for text in COMMENT_SAMPLES:
        assert render_comment_text(text) == full_comment_rendering(text), text


def test_comment_text_without_addresses_skips_urlize_and_nh3(monkeypatch):
    """The short cut that makes importing 100,000 comments affordable is really taken."""
    from despatch.conversations import text as comment_text

    def not_expected(*args, **kwargs):
        raise AssertionError("the short cut was not taken")

    monkeypatch.setattr(comment_text, "urlize", not_expected)
    monkeypatch.setattr(comment_text.nh3, "clean", not_expected)
    rendered = render_comment_text('It\'s "fine" & <good>.\n\nSecond paragraph.')
    assert rendered == ('<p>It\'s "fine" &amp; &lt;good&gt;.</p>\n\n<p>Second paragraph.</p>')
