"""Uploads (W2): real pictures are stored with renditions for srcset; anything else is refused
with a clear message and nothing written (the issue's "Bad input")."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image as PillowImage

from despatch.accounts.models import Membership, Role
from despatch.media.models import Image, Video
from despatch.media.services import image_upload, video_upload
from despatch.posts.models import Post
from tests.factories import make_author, make_blog, make_post, make_user

from .conftest import picture

pytestmark = pytest.mark.django_db


@pytest.fixture
def blog():
    return make_blog(slug="digital-diplomacy")


@pytest.fixture
def writer(blog):
    user = make_user(username="writer")
    Membership.objects.create(user=user, blog=blog, role=Role.AUTHOR)
    make_author(user=user)
    return user


@pytest.fixture
def writer_client(writer) -> Client:
    client = Client()
    client.force_login(writer)
    return client


@pytest.fixture
def store(django_capture_on_commit_callbacks):
    """Upload as the studio does, running what waits for the commit (the renditions task)."""

    def upload(**arguments):
        with django_capture_on_commit_callbacks(execute=True):
            return image_upload(**arguments)

    return upload


def stored_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_a_picture_is_stored_under_our_name_with_webp_renditions(
    store, blog, writer, settings
) -> None:
    image = store(
        blog=blog, upload=picture("Holiday Snap.JPG"), alt_text="The embassy garden", by=writer
    )
    assert image.file.name.startswith("images/") and image.file.name.endswith(".jpg")
    assert "Holiday" not in image.file.name
    assert image.original_name == "Holiday Snap.JPG"
    assert (image.width, image.height, image.format) == (1600, 900, "JPEG")
    widths = list(image.renditions.values_list("width", flat=True))
    assert widths == [320, 640, 960, 1280], "every configured width below the original"
    rendition = image.renditions.get(width=640)
    assert rendition.file.name.endswith(".webp")
    with PillowImage.open(rendition.file.path) as made:
        assert made.format == "WEBP" and made.size == (640, 360)


@pytest.mark.parametrize(
    "format_name,extension", [("PNG", "png"), ("WEBP", "webp"), ("GIF", "gif")]
)
def test_png_webp_and_gif_are_accepted(store, blog, writer, format_name, extension) -> None:
    image = store(
        blog=blog,
        upload=picture(f"chart.{extension}", format=format_name, size=(800, 600)),
        alt_text="A chart",
        by=writer,
    )
    assert image.format == format_name


def test_an_animated_gif_keeps_its_frames_and_gets_no_still_renditions(store, blog, writer) -> None:
    image = store(
        blog=blog, upload=picture("wave.gif", format="GIF", frames=3), alt_text="A wave", by=writer
    )
    image.refresh_from_db()
    assert image.renditions.count() == 0
    assert image.renditions_made_at is not None


def test_where_a_photo_was_taken_is_stripped(store, blog, writer) -> None:
    image = store(blog=blog, upload=picture(exif=True), alt_text="A street", by=writer)
    with PillowImage.open(image.file.path) as stored:
        assert not stored.getexif()


def test_srcset_reaches_the_post_body_and_the_top_image(store, blog, writer, client) -> None:
    image = store(blog=blog, upload=picture(), alt_text="The embassy garden", by=writer)
    post = make_post(
        blog=blog,
        author=writer.author_profile,
        status=Post.Status.PUBLISHED,
        body_source=f"Intro.\n\n{image.markdown}",
    )
    post.top_image.name = image.file.name
    post.top_image_alt = "The garden"
    post.save()
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'sizes="(min-width: 45rem) 40rem, 100vw"' in html
    assert html.count("-640w.webp 640w") >= 2, "body image and top image both offer renditions"
    assert 'width="1600" height="900"' in html


def test_posts_saved_before_renditions_existed_get_srcset_when_they_arrive(
    blog, writer, settings
) -> None:
    from despatch.media.services import image_make_renditions

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    image = image_upload(blog=blog, upload=picture(), alt_text="Garden", by=writer)
    post = make_post(blog=blog, author=writer.author_profile, body_source=image.markdown)
    assert "srcset" not in post.body_html
    image_make_renditions(image_id=image.pk)
    post.refresh_from_db()
    assert "srcset" in post.body_html


# --- Bad input: refused with a clear message, nothing written ---------------------------


def refused(blog, writer, settings, upload, message: str) -> None:
    before = stored_files(settings)
    with pytest.raises(ValidationError) as caught:
        image_upload(blog=blog, upload=upload, alt_text="Something", by=writer)
    assert message in " ".join(caught.value.messages)
    assert stored_files(settings) == before
    assert not Image.objects.exists()


def test_an_oversized_file_is_refused(blog, writer, settings) -> None:
    settings.DESPATCH_MAX_UPLOAD_BYTES = 10_000
    refused(blog, writer, settings, picture(size=(2000, 2000)), "the most we accept is")


def test_a_file_that_is_not_a_picture_is_refused(blog, writer, settings) -> None:
    fake = SimpleUploadedFile(
        "report.jpg", b"%PDF-1.7 not a picture at all" * 20, content_type="image/jpeg"
    )
    refused(blog, writer, settings, fake, "not a picture we can read")


def test_a_decompression_bomb_is_refused_before_it_is_decoded(blog, writer, settings) -> None:
    """A tiny PNG that claims 50,000 × 50,000 pixels: refused from its header alone."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 0, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )
    refused(
        blog,
        writer,
        settings,
        SimpleUploadedFile("bomb.png", bomb, content_type="image/png"),
        "too large in pixels",
    )


def test_an_svg_with_a_script_is_refused(blog, writer, settings) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
    refused(
        blog,
        writer,
        settings,
        SimpleUploadedFile("logo.png", svg, content_type="image/png"),
        "can carry scripts",
    )
    refused(
        blog,
        writer,
        settings,
        SimpleUploadedFile("logo.svg", svg, content_type="image/svg+xml"),
        "must be one of these kinds",
    )


@pytest.mark.parametrize(
    "name", [".htaccess", "shell.php", "photo.jpg.php", "photo", "a\x00b.jpg", "..\\..\\x.jpg"]
)
def test_file_names_with_tricks_are_refused(blog, writer, settings, name) -> None:
    upload = picture()
    upload.name = name  # set after Django's own clean-up, as a hostile client library might
    with pytest.raises(ValidationError):
        image_upload(blog=blog, upload=upload, alt_text="Something", by=writer)
    assert stored_files(settings) == []


def test_a_path_in_the_uploaded_name_never_reaches_the_disk(blog, writer_client, settings) -> None:
    """Sent as raw multipart, as a hostile client would: stored under our own name, or refused."""
    boundary = "XxBoundaryxX"
    body = picture().read()
    payload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="alt_text"\r\n\r\nGarden\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="caption"\r\n\r\n\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="../../../../etc/cron.d/evil.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    url = reverse("studio:image-upload", kwargs={"blog_slug": blog.slug})
    writer_client.post(url, data=payload, content_type=f"multipart/form-data; boundary={boundary}")
    for name in stored_files(settings):
        assert "evil" not in name and ".." not in name
    assert not os.path.exists("/etc/cron.d/evil.jpg")


def test_a_picture_without_a_description_is_refused(blog, writer, settings) -> None:
    with pytest.raises(ValidationError, match="Describe the picture"):
        image_upload(blog=blog, upload=picture(), alt_text="   ", by=writer)
    assert stored_files(settings) == []


def test_the_upload_form_shows_the_reason(blog, writer_client, settings) -> None:
    fake = SimpleUploadedFile("notes.gif", b"GIF89a but not really", content_type="image/gif")
    response = writer_client.post(
        reverse("studio:image-upload", kwargs={"blog_slug": blog.slug}),
        {"file": fake, "alt_text": "Notes"},
    )
    assert response.status_code == 400
    assert "not a picture we can read" in response.content.decode()
    assert stored_files(settings) == []


def test_the_editor_script_gets_the_markdown_to_insert(blog, writer_client) -> None:
    response = writer_client.post(
        reverse("studio:image-upload", kwargs={"blog_slug": blog.slug}),
        {"file": picture(), "alt_text": "The garden"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    assert response.json()["markdown"].startswith("![The garden](/media/images/")


def test_only_writers_of_the_blog_use_its_library(blog, settings) -> None:
    stranger = make_user()
    Membership.objects.create(user=stranger, blog=make_blog(), role=Role.EDITOR)
    client = Client()
    client.force_login(stranger)
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=stranger, name="a", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    response = client.post(
        reverse("studio:image-upload", kwargs={"blog_slug": blog.slug}),
        {"file": picture(), "alt_text": "Mine now"},
    )
    assert response.status_code == 404
    assert stored_files(settings) == []


# --- Serving ------------------------------------------------------------------------


def test_stored_pictures_are_served_with_their_own_type(store, blog, writer, client) -> None:
    image = store(blog=blog, upload=picture(), alt_text="Garden", by=writer)
    response = client.get(image.file.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "immutable" in response["Cache-Control"]
    assert client.get("/media/../despatch.sqlite3").status_code == 404
    assert client.get("/media/secret_key").status_code == 404


# --- Videos -------------------------------------------------------------------------


def mp4() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "talk.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200, content_type="video/mp4"
    )


def test_a_video_is_stored_with_captions_and_its_transcript(blog, writer) -> None:
    captions = SimpleUploadedFile(
        "talk.vtt", b"WEBVTT\n\n00:00.000 --> 00:02.000\nHello.\n", content_type="text/vtt"
    )
    video = video_upload(
        blog=blog,
        upload=mp4(),
        title="Our talk",
        transcript="Hello, everyone.",
        captions=captions,
        by=writer,
    )
    assert video.file.name.endswith(".mp4") and video.captions.name.endswith(".vtt")
    block = video.markdown
    assert block.startswith("```video\n/media/videos/") and "captions: /media/videos/" in block
    assert block.rstrip().endswith("Hello, everyone.\n```")


def test_a_video_block_shows_its_transcript_on_the_public_page(blog, writer, client) -> None:
    video = video_upload(
        blog=blog, upload=mp4(), title="Our talk", transcript="Hello, everyone.", by=writer
    )
    post = make_post(blog=blog, author=writer.author_profile, body_source=video.markdown)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "<video" in html and "Transcript: Our talk" in html and "Hello, everyone." in html


@pytest.mark.parametrize(
    "upload,captions,transcript,message",
    [
        (
            SimpleUploadedFile("talk.mp4", b"<html>not a video</html>"),
            None,
            "Words.",
            "not an MP4 or WebM",
        ),
        (
            SimpleUploadedFile("talk.avi", b"RIFF....AVI "),
            None,
            "Words.",
            "must be one of these kinds",
        ),
        ("mp4", None, "  ", "Add the transcript"),
        (
            "mp4",
            SimpleUploadedFile("talk.vtt", b"1\n00:00 --> 00:01\nHi"),
            "Words.",
            "must be WebVTT",
        ),
        ("mp4", SimpleUploadedFile("talk.vtt", b"WEBVTT\n\xff\xfe"), "Words.", "UTF-8"),
    ],
)
def test_bad_videos_and_captions_are_refused(
    blog, writer, settings, upload, captions, transcript, message
) -> None:
    with pytest.raises(ValidationError) as caught:
        video_upload(
            blog=blog,
            upload=mp4() if upload == "mp4" else upload,
            title="Talk",
            transcript=transcript,
            captions=captions,
            by=writer,
        )
    assert message in " ".join(caught.value.messages)
    assert stored_files(settings) == []
    assert not Video.objects.exists()
