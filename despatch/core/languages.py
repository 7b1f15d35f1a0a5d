"""Languages that content can be written in, and which way each is read."""

from __future__ import annotations

from django.conf import global_settings
from django.utils.translation import get_language_info

CONTENT_LANGUAGE_CHOICES = sorted(global_settings.LANGUAGES, key=lambda pair: pair[0])


def text_direction(language_code: str) -> str:
    """Return ``"rtl"`` for right-to-left scripts (Arabic, Hebrew, Persian…), else ``"ltr"``."""
    try:
        return "rtl" if get_language_info(language_code)["bidi"] else "ltr"
    except KeyError:
        return "ltr"


def language_name(language_code: str) -> str:
    """Return the language's name in that language itself, as a reader would look for it."""
    try:
        return str(get_language_info(language_code)["name_local"])
    except KeyError:
        return language_code
