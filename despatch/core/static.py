"""Static files: hashed and compressed by WhiteNoise, each address worked out once."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed, compressed files, each file's address worked out once per process.

    The manifest is read when the storage is made, and a deploy starts new
    processes, so a file's address does not change while a process runs. Working
    it out (cleaning the name, finding its hash, joining it to ``STATIC_URL``)
    costs more than everything else a ``{% static %}`` tag does.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}

    def url(self, name: str, force: bool = False) -> str:  # type: ignore[override]
        # With DEBUG on, files are served unhashed from where they are edited.
        if force or settings.DEBUG:
            return super().url(name, force)
        address = self._addresses.get(name)
        if address is None:
            address = self._addresses[name] = super().url(name)
        return address
