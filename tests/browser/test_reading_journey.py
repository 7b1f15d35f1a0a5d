"""A reader's journey through the public site in a real browser, on a desktop and a phone.

home → a blog → one of its posts → one of the post's tags → the archive → a month,
following the links a reader would click, checking each page's heading and that
nothing makes the page scroll sideways (R8: usable at phone widths).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.chromium import OVERFLOW_SCRIPT, VIEWPORTS, Viewport, new_context
from tests.validity.pages import build_corpus

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

pytestmark = pytest.mark.browser


class Reader:
    """A browser tab that follows links and checks what every page it lands on owes a reader."""

    def __init__(self, page: Page, viewport: Viewport, base_url: str) -> None:
        self.page, self.viewport, self.base_url = page, viewport, base_url
        self.statuses: list[tuple[str, int]] = []
        page.on(
            "response",
            lambda response: (
                self.statuses.append((response.url, response.status))
                if response.request.is_navigation_request()
                else None
            ),
        )

    def open(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.check_page()

    def follow(self, link: Locator, *, to: str | re.Pattern[str]) -> None:
        """Click ``link`` (it must be visible) and arrive at the path ``to``."""
        expect(link).to_be_visible()
        link.scroll_into_view_if_needed()
        link.click()
        expected = (
            re.compile(re.escape(self.base_url) + to.pattern)
            if isinstance(to, re.Pattern)
            else self.base_url + to
        )
        expect(self.page).to_have_url(expected)
        self.check_page()

    def check_page(self) -> None:
        """The page answered 200, has one ``h1`` and fits the viewport's width."""
        self.page.wait_for_load_state("load")
        url, status = self.statuses[-1]
        assert status == 200, f"{url} answered {status}"
        expect(self.page.locator("h1")).to_have_count(1)
        expect(self.page.locator("h1")).to_be_visible()
        overflow: dict[str, Any] = self.page.evaluate(OVERFLOW_SCRIPT)
        assert overflow["scroll"] <= overflow["width"], (
            f"{self.page.url} scrolls sideways at {self.viewport.width} px: content is "
            f"{overflow['scroll']} px wide; widest elements: {', '.join(overflow['culprits'])}"
        )

    def heading(self) -> Locator:
        return self.page.locator("h1")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda viewport: viewport.name)
def test_reader_goes_from_home_through_blog_post_and_tag_to_the_archive(
    live_server: Any, browser: Browser, viewport: Viewport
) -> None:
    """Each page of the journey is reached by a visible link, shows its heading and fits."""
    corpus = build_corpus(posts=12)
    post, blog, tag = corpus.rich_post, corpus.blog, corpus.tag
    context = new_context(browser, viewport)
    try:
        reader = Reader(context.new_page(), viewport, live_server.url)
        page = reader.page

        reader.open(reverse("posts:network"))
        expect(page.get_by_role("link", name=post.title).first).to_be_visible()

        reader.follow(
            page.get_by_role("link", name=blog.name, exact=True).first,
            to=blog.get_absolute_url(),
        )
        expect(reader.heading()).to_contain_text(blog.name)

        reader.follow(
            page.get_by_role("link", name=post.title, exact=True).first,
            to=post.get_absolute_url(),
        )
        expect(reader.heading()).to_have_text(post.title)
        expect(page.get_by_text(corpus.author.display_name).first).to_be_visible()

        # The post's tag may lead to the network's or the blog's page for that tag.
        reader.follow(
            page.locator(f'main a[href$="/tags/{tag.slug}/"]').filter(has_text=tag.name).first,
            to=re.compile(rf"/(?:{re.escape(blog.slug)}/)?tags/{re.escape(tag.slug)}/$"),
        )
        expect(reader.heading()).to_contain_text(tag.name)
        expect(page.get_by_role("link", name=post.title).first).to_be_visible()

        reader.follow(
            page.get_by_role("link", name=re.compile("archive", re.IGNORECASE))
            .filter(visible=True)
            .first,
            to=re.compile(rf"/(?:{re.escape(blog.slug)}/)?archive/$"),
        )
        published = corpus.published
        month_path = f"/{published.year:04d}/{published.month:02d}/"
        reader.follow(
            page.locator(f'main a[href$="{month_path}"]').first,
            to=re.compile(rf".*{re.escape(month_path)}$"),
        )
        expect(page.get_by_role("link", name=post.title).first).to_be_visible()
    finally:
        context.close()
