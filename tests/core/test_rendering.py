"""Markdown becomes rich, safe HTML: every hostile input is neutralised."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from despatch.core.rendering import (
    images_missing_alt,
    render_markdown,
    sanitise_html,
    video_embed_url,
)

# Payloads in the spirit of the OWASP XSS filter-evasion cheat sheet, written out here.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<IMG SRC="javascript:alert(1);">',
    "<IMG SRC=javascript:alert(1)>",
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    '<IMG SRC=`javascript:alert("x")`>',
    '<IMG """><SCRIPT>alert(1)</SCRIPT>">',
    "<IMG SRC=# onmouseover=\"alert('x')\">",
    '<IMG SRC=/ onerror="alert(1)"></img>',
    "<img src=x onerror=" + "".join(f"&#{ord(c):07d}" for c in "javascript:alert(1)") + ">",
    '<IMG SRC="jav&#x09;ascript:alert(1);">',
    '<IMG SRC="jav&#x0A;ascript:alert(1);">',
    '<IMG SRC=" &#14;  javascript:alert(1);">',
    '<SCRIPT/XSS SRC="http://evil.example/xss.js"></SCRIPT>',
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(1)>",
    "<<SCRIPT>alert(1);//\\<</SCRIPT>",
    "<SCRIPT SRC=http://evil.example/xss.js?< B >",
    "<iframe src=http://evil.example/scriptlet.html <",
    "</TITLE><SCRIPT>alert(1);</SCRIPT>",
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(1);">',
    '<BODY BACKGROUND="javascript:alert(1)">',
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<LINK REL="stylesheet" HREF="javascript:alert(1);">',
    "<STYLE>@import'http://evil.example/xss.css';</STYLE>",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(1);">',
    '<IFRAME SRC="javascript:alert(1);"></IFRAME>',
    '<FRAMESET><FRAME SRC="javascript:alert(1);"></FRAMESET>',
    '<TABLE BACKGROUND="javascript:alert(1)">',
    '<DIV STYLE="background-image: url(javascript:alert(1))">',
    '<DIV STYLE="width: expression(alert(1));">',
    '<OBJECT TYPE="text/x-scriptlet" DATA="http://evil.example/scriptlet.html"></OBJECT>',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "![x](javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    '<base href="javascript:alert(1)//">',
    '<p style="color:red" onclick="alert(1)">x</p>',
    '<img src="x" alt="&quot; onerror=&quot;alert(1)">',
    "```video\njavascript:alert(1)\n```",
    "```video\nhttps://www.youtube.com/watch?v=abc123def45\n"
    'Title: "><script>alert(1)</script>\n```',
    '<iframe src="https://evil.example/embed"></iframe>',
]

FORBIDDEN_ELEMENTS = {"script", "style", "object", "embed", "form", "base", "meta", "link", "svg"}
EMBED_PREFIXES = ("https://www.youtube-nocookie.com/embed/", "https://player.vimeo.com/video/")


class _DangerFinder(HTMLParser):
    """Collects every element, attribute or URL in rendered HTML that could run code."""

    def __init__(self) -> None:
        super().__init__()
        self.dangers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_ELEMENTS:
            self.dangers.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.dangers.append(f"{tag}[{name}]")
            if name in {"href", "src", "action", "background", "poster"} and re.match(
                r"(javascript|vbscript|data):", re.sub(r"[\s\x00-\x1f]", "", value)
            ):
                self.dangers.append(f"{tag}[{name}={value}]")
            if tag == "iframe" and name == "src" and not value.startswith(EMBED_PREFIXES):
                self.dangers.append(f"iframe[src={value}]")
            if name == "style" and ("url(" in value or "expression" in value):
                self.dangers.append(f"{tag}[style={value}]")


def dangers_in(html: str) -> list[str]:
    finder = _DangerFinder()
    finder.feed(html)
    return finder.dangers


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_hostile_markdown_and_html_are_neutralised(payload):
    """Each payload renders without script, handlers, foreign frames or dangerous URLs."""
    assert dangers_in(render_markdown(payload)) == []
    assert dangers_in(sanitise_html(payload)) == []


def test_there_are_at_least_fifty_payloads():
    assert len(XSS_PAYLOADS) >= 50


def test_commonmark_tables_and_footnotes():
    """R7: tables and footnotes render as HTML a reader can follow."""
    html = render_markdown("| A | B |\n|---|---|\n| 1 | 2 |\n\nA claim.[^1]\n\n[^1]: The source.")
    assert "<table>" in html and "<td>1</td>" in html
    assert 'class="footnote-ref"' in html and "The source." in html


def test_blockquote_with_dash_line_gets_an_attribution():
    """R7: a closing “— Name” line becomes the quote's caption outside the blockquote."""
    html = render_markdown("> We will not give up.\n>\n> — The Ambassador, Geneva")
    assert '<figure class="quote"><blockquote>' in html
    assert "<figcaption>— The Ambassador, Geneva</figcaption>" in html
    assert html.index("</blockquote>") < html.index("<figcaption>")


def test_plain_blockquote_is_untouched():
    html = render_markdown("> Just a quote.")
    assert "<blockquote>" in html and "figure" not in html


def test_youtube_video_uses_privacy_enhanced_embed_with_transcript():
    """R7: a video block embeds youtube-nocookie and shows its transcript below."""
    html = render_markdown(
        "```video\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\nTitle: Town hall\n\n"
        "**Ambassador:** Good evening.\n\nThank you for coming.\n```"
    )
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert 'title="Town hall"' in html
    assert '<details class="transcript"><summary>Transcript: Town hall</summary>' in html
    assert "<strong>Ambassador:</strong> Good evening." in html


def test_self_hosted_video_gets_captions_track():
    html = render_markdown(
        "```video\n/media/videos/speech.mp4\nTitle: Speech\nCaptions: /media/videos/speech.vtt"
        "\nLanguage: fr\n\nTranscript text.\n```"
    )
    assert '<video controls="" preload="metadata" src="/media/videos/speech.mp4">' in html or (
        "<video" in html and 'src="/media/videos/speech.mp4"' in html
    )
    assert 'kind="captions"' in html and 'srclang="fr"' in html


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        (
            "https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=3",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
        ("https://evil.example/watch?v=dQw4w9WgXcQ", None),
    ],
)
def test_video_embed_urls(url, embed):
    assert video_embed_url(url) == embed


def test_outbound_links_get_noopener_nofollow_but_internal_links_do_not():
    html = render_markdown("[out](https://example.org/) and [in](/digital-diplomacy/)")
    assert '<a href="https://example.org/" rel="noopener nofollow">' in html
    assert '<a href="/digital-diplomacy/">' in html


def test_images_are_lazy_and_missing_alt_text_is_reported():
    html = render_markdown("![A delegation at the UN](/media/un.jpg)")
    assert 'alt="A delegation at the UN"' in html and 'loading="lazy"' in html
    assert images_missing_alt("![](/media/a.jpg) and ![ok](/media/b.jpg)") == ["/media/a.jpg"]


def test_pull_quote_block_is_escaped():
    html = render_markdown("```pullquote\nDiplomacy <b>is</b> listening.\n```")
    assert (
        '<aside class="pull-quote"><p>Diplomacy &lt;b&gt;is&lt;/b&gt; listening.</p></aside>'
        in html
    )


def test_the_danger_finder_itself_catches_unsanitised_payloads():
    """Guard for the corpus test: raw payloads are caught, so a pass means something."""
    assert dangers_in('<img src=x onerror="alert(1)">') == ["img[onerror]"]
    assert dangers_in('<a href=" javascript:alert(1)">x</a>')
    assert dangers_in("<script>alert(1)</script>") == ["<script>"]


def test_code_points_html_forbids_are_removed():
    """Control characters pasted from elsewhere would make the page invalid HTML."""
    html = render_markdown("Vertical\x0btab and escape\x1b and \x7f delete, \ufffe gone.")
    assert not any(ch in html for ch in "\x0b\x1b\x7f\ufffe")
    assert "Verticaltab" in html
