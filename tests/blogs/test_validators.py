"""Blog settings that would break the site or its accessibility are refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from despatch.blogs.validators import contrast_ratio, validate_accent_colour, validate_blog_slug


@pytest.mark.parametrize(
    "slug", ["search", "studio", "admin", "feeds", "tags", "archive", "Search"]
)
def test_slugs_of_site_routes_are_refused(slug):
    """R9: a blog may not take an address the site itself uses."""
    with pytest.raises(ValidationError):
        validate_blog_slug(slug)


def test_ordinary_slug_is_accepted():
    validate_blog_slug("digital-diplomacy")


def test_light_accent_colours_are_refused_for_contrast():
    """An accent colour must read on white at WCAG AA (4.5:1)."""
    with pytest.raises(ValidationError):
        validate_accent_colour("#ffcc00")
    validate_accent_colour("#1d4e89")
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0


@pytest.mark.parametrize("colour", ["red", "#12345", "#1d4e89;}body{", "javascript:"])
def test_malformed_colours_are_refused(colour):
    with pytest.raises(ValidationError):
        validate_accent_colour(colour)
