"""Static files' addresses come from the manifest, worked out once per file."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles.storage import ManifestFilesMixin

from despatch.core.static import StaticFilesStorage


@pytest.fixture
def storage(tmp_path):
    manifest = {"paths": {"core/site.css": "core/site.0123abcd.css"}, "version": "1.1"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return StaticFilesStorage(location=str(tmp_path), base_url="/static/")


@pytest.fixture
def lookups(monkeypatch):
    """The names the manifest was searched for."""
    searched: list[str] = []
    search = ManifestFilesMixin.stored_name

    def counted(self, name):
        searched.append(name)
        return search(self, name)

    monkeypatch.setattr(ManifestFilesMixin, "stored_name", counted)
    return searched


def test_a_files_address_is_worked_out_once(storage, lookups):
    assert storage.url("core/site.css") == "/static/core/site.0123abcd.css"
    assert storage.url("core/site.css") == "/static/core/site.0123abcd.css"
    assert lookups == ["core/site.css"]


def test_a_file_missing_from_the_manifest_is_an_error_every_time(storage):
    for _attempt in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("core/missing.css")


def test_with_debug_on_files_are_addressed_as_they_are_edited(storage, settings):
    """Not hashed, and never an address kept from before DEBUG was switched on."""
    assert storage.url("core/site.css") == "/static/core/site.0123abcd.css"
    settings.DEBUG = True
    assert storage.url("core/site.css") == "/static/core/site.css"
