from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def network(request: HttpRequest) -> dict[str, str]:
    """Names every page shows in its header and metadata; costs no query."""
    return {"network_name": settings.NETWORK_NAME, "site_url": settings.SITE_URL}
