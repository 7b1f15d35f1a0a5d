"""Template helpers every page uses: the site's frame, structured data, accent colours,
text direction."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from despatch.core.fragments import kept_as_written
from despatch.core.languages import language_name, text_direction

register = template.Library()

_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_DEFAULT_ACCENT = "#1d4e89"
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data: dict[str, Any]) -> SafeString:
    """Render schema.org data as a JSON-LD block that no string inside can break out of."""
    payload = json.dumps(data, ensure_ascii=False, default=str).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')


@register.simple_tag(takes_context=True)
def accent_style(context: template.Context, colour: str) -> SafeString:
    """Set the page's accent colour in an inline style block allowed by its CSP hash."""
    safe_colour = colour if _HEX_COLOUR.match(colour or "") else _DEFAULT_ACCENT
    css = f":root{{--accent:{safe_colour}}}"
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    request = context.get("request")
    if request is not None and hasattr(request, "csp_style_hashes"):
        request.csp_style_hashes.add(f"sha256-{digest}")
    return format_html("<style>{}</style>", mark_safe(css))


def _chrome(part: str) -> SafeString:
    """A part of every page's frame (see ``kept_as_written``)."""
    html = kept_as_written(f"core/_site_{part}.html", {"network_name": settings.NETWORK_NAME})
    return mark_safe(html)  # rendered by an autoescaping template


@register.simple_tag
def site_head_links() -> SafeString:
    """The stylesheet, icon and search description every page links in its ``<head>``."""
    return _chrome("head_links")


@register.simple_tag
def site_header() -> SafeString:
    """The network's name, main navigation and search box at the top of every page."""
    return _chrome("header")


@register.simple_tag
def site_footer() -> SafeString:
    """The network's name and the links about the site at the foot of every page."""
    return _chrome("footer")


@register.filter
def direction(language_code: str) -> str:
    return text_direction(language_code or "en")


@register.filter
def language_label(language_code: str) -> str:
    return language_name(language_code)


@register.filter
def machine_datetime(moment: Any) -> str:
    """A ``datetime`` attribute value HTML accepts: whole seconds and a UTC offset."""
    if not moment:
        return ""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()
