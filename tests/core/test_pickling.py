"""Blogs, authors and posts kept in a cache carry their files by name, and read
back as they were."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from django.db.models.fields.files import FieldFile
from PIL import Image

from tests.factories import make_author, make_blog, make_post


@pytest.mark.parametrize(
    ("make", "field"),
    [(make_blog, "top_image"), (make_author, "photo"), (make_post, "top_image")],
    ids=["blog", "author", "post"],
)
@pytest.mark.django_db
def test_a_kept_row_carries_its_file_by_name(make, field, settings):
    picture = Path(settings.MEDIA_ROOT) / "pictures" / "lima.jpg"
    picture.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 30)).save(picture)
    row = make(**{field: "pictures/lima.jpg"})
    assert isinstance(getattr(row, field), FieldFile)  # read once, as a page does
    kept_bytes = pickle.dumps(row, pickle.HIGHEST_PROTOCOL)
    # Django pickles a file with its model field, which is looked up again on reading.
    assert b"_load_field" not in kept_bytes
    kept = pickle.loads(kept_bytes)  # noqa: S301
    kept_file = getattr(kept, field)
    assert isinstance(kept_file, FieldFile)
    assert (kept_file.name, kept_file.url) == ("pictures/lima.jpg", getattr(row, field).url)
    assert kept_file.instance is kept
    assert kept == row


@pytest.mark.django_db
def test_a_kept_row_without_a_file_reads_back_without_one():
    blog = make_blog()
    assert not blog.top_image
    kept = pickle.loads(pickle.dumps(blog, pickle.HIGHEST_PROTOCOL))  # noqa: S301
    assert not kept.top_image
    assert kept.top_image.name == ""
