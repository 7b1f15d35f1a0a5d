"""A new server process does Django's first-use work before it takes a reader."""

from __future__ import annotations

import logging

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import clear_url_caches, get_resolver

from despatch.core import warmup


def _parsed_templates() -> dict:
    (loader,) = engines["django"].engine.template_loaders
    return loader.get_template_cache


def test_template_names_are_despatchs_own_and_leave_the_admins_out():
    names = warmup.template_names()
    assert "posts/post.html" in names
    assert "core/base.html" in names
    assert not any(name.startswith("admin/") for name in names)


@pytest.mark.django_db
def test_prepare_process_parses_every_template_and_builds_the_address_map():
    """After it, a reader's first page parses nothing and imports no view."""
    engines["django"].engine.template_loaders[0].reset()
    clear_url_caches()
    warmup.prepare_process()
    parsed = _parsed_templates()
    assert set(warmup.template_names()) <= set(parsed)
    assert get_resolver()._populated


def test_a_template_that_does_not_parse_is_logged_and_the_process_still_starts(
    tmp_path, caplog, settings
):
    (tmp_path / "broken.html").write_text("{% if %}")
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    with override_settings(TEMPLATES=templates), caplog.at_level(logging.ERROR):
        warmup.prepare_process()
        assert "broken.html" in warmup.template_names()
    assert "Template broken.html could not be parsed" in caplog.text
