"""Ready a new server process before its first reader arrives.

Django imports views, template tag libraries and cache backends, parses templates
and reads translation catalogues on first use. In a new worker that first use is a
reader's request, and it can take half a second (seconds where the interpreter
finds no compiled bytecode): every request queued behind it on that worker waits
as long. A worker that does this work while it starts answers its first reader
as fast as its thousandth.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.template import TemplateSyntaxError, engines
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)


def prepare_process() -> None:
    """Import every view, open every cache, load every catalogue and parse every template."""
    resolver = get_resolver()
    # Reading the reverse map imports every URLconf and view and builds what
    # ``reverse()`` looks names up in.
    resolver.reverse_dict  # noqa: B018
    for alias in settings.CACHES:
        caches[alias]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Global conversations")
    for engine in engines.all():
        for name in template_names():
            try:
                engine.get_template(name)
            except TemplateSyntaxError:
                # A broken template must fail where it is used, with its own
                # page; a worker that refused to start would take the site down.
                logger.exception("Template %s could not be parsed while warming up", name)


def template_names() -> list[str]:
    """The name of every template Despatch's own apps and ``TEMPLATES`` directories hold.

    Django's admin keeps its own hundreds, which readers never see.
    """
    folders = [
        Path(config.path) / "templates"
        for config in apps.get_app_configs()
        if config.name.startswith("despatch.")
    ]
    folders += [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    return sorted(
        {
            path.relative_to(folder).as_posix()
            for folder in folders
            if folder.is_dir()
            for path in folder.rglob("*")
            if path.is_file()
        }
    )
