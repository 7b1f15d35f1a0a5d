"""A post's whole journey through the studio in a real browser, on a desktop and a phone.

A contributor writes a post with a picture and a video with its transcript, previews it
and submits it; an editor (signing in with a second factor) asks for a change; the
contributor revises; the editor approves and schedules it; the worker publishes it; it
appears on the blog and in the right month of the archive, with its picture's renditions.

With ``DESPATCH_SCREENSHOTS=1`` the editor is photographed at both widths into
``docs/screenshots/`` for the README.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image
from playwright.sync_api import expect

from despatch.accounts.models import Membership, Role
from despatch.posts.models import Post
from tests.browser.chromium import OVERFLOW_SCRIPT, VIEWPORTS, Viewport, new_context
from tests.factories import make_author, make_blog, make_user

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def fits(page: Page, viewport: Viewport) -> None:
    # Measured once the page's stylesheets have loaded: a page reached by a click
    # is checked as soon as its first elements appear, before its styles apply.
    page.wait_for_load_state("load")
    overflow: dict[str, Any] = page.evaluate(OVERFLOW_SCRIPT)
    assert overflow["scroll"] <= overflow["width"], (
        f"{page.url} scrolls sideways at {viewport.width} px: {', '.join(overflow['culprits'])}"
    )


def sign_in(page: Page, base_url: str, username: str, *, device: TOTPDevice | None = None) -> None:
    page.goto(base_url + "/studio/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        page.get_by_label(re.compile("Code from your authenticator")).fill(f"{totp.token():06d}")
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Dashboard")).to_be_visible()


def show_preview(page: Page, viewport: Viewport) -> None:
    """On a phone the preview sits behind a tab; on a desktop it is beside the text."""
    if viewport.mobile:
        page.get_by_role("tab", name="Preview").click()


def show_writing(page: Page, viewport: Viewport) -> None:
    if viewport.mobile:
        page.get_by_role("tab", name="Write").click()


@pytest.fixture
def newsroom(tmp_path: Path) -> dict[str, Any]:
    blog = make_blog(name="Digital diplomacy", slug="digital-diplomacy")
    contributor = make_user(username="carla", first_name="Carla")
    Membership.objects.create(user=contributor, blog=blog, role=Role.CONTRIBUTOR)
    make_author(user=contributor, display_name="Carla Mendes", slug="carla-mendes")
    editor = make_user(username="edith", first_name="Edith")
    Membership.objects.create(user=editor, blog=blog, role=Role.EDITOR)
    device = TOTPDevice.objects.create(user=editor, name="authenticator", confirmed=True)
    photo = tmp_path / "geneva.jpg"
    # A sky-to-lake gradient, so that the picture looks like one in the screenshots.
    sky = Image.linear_gradient("L").resize((1600, 1000))
    Image.merge(
        "RGB",
        (
            sky.point(lambda v: 40 + v // 3),
            sky.point(lambda v: 90 + v // 3),
            sky.point(lambda v: 160 + v // 4),
        ),
    ).save(photo, quality=85)
    return {"blog": blog, "editor_device": device, "photo": photo}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda viewport: viewport.name)
def test_a_post_goes_from_contributor_through_review_and_the_worker_to_the_blog(
    live_server: Any, browser: Browser, viewport: Viewport, newsroom: dict[str, Any], settings: Any
) -> None:
    settings.TASKS = DATABASE_TASKS
    base = live_server.url
    title = f"Notes from the Geneva talks ({viewport.name})"

    # --- The contributor writes, with a picture and a video, and submits -----------------
    writer = new_context(browser, viewport)
    page = writer.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base, "carla")
    page.get_by_role("button", name="Write a post").first.click()
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Start writing").click()
    expect(page.get_by_role("status").filter(has_text="Version 1")).to_be_visible()

    text = page.locator("textarea[name=body_source]")
    text.fill("## What we agreed\n\nThe **Arms Trade Treaty** sets common standards.\n")
    page.get_by_role("button", name="Image", exact=True).click()
    page.get_by_label("Picture (JPEG, PNG, WebP or GIF)").set_input_files(str(newsroom["photo"]))
    page.get_by_label("Description (alt text), required").fill(
        "Delegates around the table in Geneva"
    )
    page.locator("[data-upload-form]").get_by_role("button", name="Upload").click()
    expect(page.locator("[data-upload-state]")).to_have_text("Uploaded and inserted.")
    assert "![Delegates around the table in Geneva](/media/images/" in text.input_value()

    page.get_by_role("button", name="Video", exact=True).click()
    page.locator("#video-url").fill("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    page.locator("#video-title").fill("The closing press conference")
    page.locator("#video-transcript").fill("Ambassador: Today we agreed on common standards.")
    page.get_by_role("button", name="Insert the video").click()
    assert "```video" in text.input_value()
    expect(page.locator("[data-save-state]")).to_have_text(re.compile("Saved at"), timeout=15_000)

    show_preview(page, viewport)
    preview = page.locator("[data-preview]")
    expect(preview.locator("h2")).to_have_text("What we agreed")
    expect(preview.locator("img[alt='Delegates around the table in Geneva']")).to_be_visible()
    expect(preview.locator("details.transcript summary")).to_contain_text(
        "The closing press conference"
    )
    fits(page, viewport)
    if os.environ.get("DESPATCH_SCREENSHOTS"):
        show_writing(page, viewport)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate(
            "window.scrollTo(0, 0); document.querySelector('[data-toolbar]').scrollLeft = 0;"
            "document.querySelector('textarea[name=body_source]').scrollTop = 0;"
        )
        page.screenshot(path=str(SCREENSHOTS / f"editor-{viewport.name}.png"))
        show_preview(page, viewport)

    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".editor__state .status")).to_have_text("In review")
    post = Post.objects.get(title=title)

    # --- The editor, with a second factor, asks for a change ----------------------------
    reviewer_context = new_context(browser, viewport)
    reviewer = reviewer_context.new_page()
    sign_in(reviewer, base, "edith", device=newsroom["editor_device"])
    reviewer.get_by_role("link", name=title).first.click()
    reviewer.get_by_label("Your decision, with a comment for the author").fill(
        "Please say who signed, in the first paragraph."
    )
    reviewer.get_by_role("button", name="Ask for changes").click()
    expect(reviewer.locator(".editor__state .status")).to_have_text("Draft")

    # --- The contributor sees the comment, revises and resubmits ------------------------
    page.reload()
    expect(page.locator(".review-comment")).to_contain_text("Please say who signed")
    show_writing(page, viewport)
    text = page.locator("textarea[name=body_source]")
    text.fill(
        text.input_value().replace(
            "sets common standards.", "sets common standards, signed by 130 states."
        )
    )
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".editor__state .status")).to_have_text("In review")
    assert "signed by 130 states" in Post.objects.get(pk=post.pk).body_source

    # --- The editor approves and schedules it --------------------------------------------
    reviewer.reload()
    reviewer.locator("#post-form").get_by_role("button", name="Approve").click()
    expect(reviewer.locator(".editor__state .status")).to_have_text("Approved")
    when = timezone.localtime(timezone.now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    reviewer.get_by_label("At a later time (optional)").fill(when)
    reviewer.get_by_role("button", name="Schedule").click()
    expect(reviewer.locator(".editor__when")).to_contain_text("Scheduled for")
    expect(reviewer.locator(".editor__state .status")).to_have_text("Scheduled")

    # --- Its time comes; the worker publishes it and makes the picture's sizes -----------
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    call_command("worker", batch=True, startup_delay=False, interval=0, verbosity=0)
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED and not post.awaiting_announcement

    # --- Readers find it on the blog and in the archive, with renditions -----------------
    reader = new_context(browser, viewport).new_page()
    reader.goto(base + "/digital-diplomacy/")
    reader.get_by_role("link", name=title).first.click()
    expect(reader.locator("h1")).to_have_text(title)
    image = reader.locator(".prose img[alt='Delegates around the table in Geneva']")
    assert re.search(r"-640w\.webp 640w", image.get_attribute("srcset") or "")
    expect(reader.locator("details.transcript")).to_contain_text("The closing press conference")
    fits(reader, viewport)
    published = timezone.localtime(post.published_at)
    reader.goto(base + "/digital-diplomacy/archive/")
    reader.locator(f"a[href$='/{published.year:04d}/{published.month:02d}/']").first.click()
    expect(reader.get_by_role("link", name=title, exact=True)).to_be_visible()
    assert errors == [], errors
