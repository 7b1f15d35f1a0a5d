"""Model instances that cost little to read back from a cache."""

from __future__ import annotations

from typing import Any

from django.db.models.fields.files import FieldFile


class FilesPickledByName:
    """Pickle a model instance's files (a top image, a photo) as their names.

    A ``FieldFile`` pickles with its model field, which unpickling looks up again
    through the app registry: for a blog with a top image that is most of the
    cost of reading it back from the cache, where parts of pages keep blogs,
    posts and authors. The name is all a stored file needs: reading the
    attribute makes it a file again (Django's ``FileDescriptor``), as Django's
    own pickling of a file keeps nothing else either.
    """

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = super().__getstate__()  # type: ignore[misc]
        for name, value in state.items():
            if isinstance(value, FieldFile):
                state[name] = value.name
        return state
