"""Serving uploaded media from local storage in the embedded mode.

With object storage (django-storages) files are served by the bucket or CDN
and these addresses are never used. Only the kinds of file the library
accepts are served, each with its own content type, so nothing uploaded can
be delivered as a page.
"""

from __future__ import annotations

import posixpath

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

SERVED_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "webm": "video/webm",
    "vtt": "text/vtt; charset=utf-8",
}
# Stored names are random and never reused, so a file can be cached for good.
IMMUTABLE = "public, max-age=31536000, immutable"


@require_safe
def serve(request: HttpRequest, path: str) -> FileResponse:
    storage = default_storage
    if not isinstance(storage, FileSystemStorage):
        raise Http404
    name = posixpath.normpath(path).lstrip("/")
    if name.startswith("..") or "\\" in name:
        raise Http404
    content_type = SERVED_TYPES.get(name.rsplit(".", 1)[-1].lower())
    if content_type is None:
        raise Http404
    try:
        if not storage.exists(name):
            raise Http404
        handle = storage.open(name, "rb")
    except (SuspiciousFileOperation, OSError) as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = IMMUTABLE
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
