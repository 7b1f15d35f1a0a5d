from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MigrationConfig(AppConfig):
    """Moving a network in and out: WordPress import, export, backup and restore."""

    name = "despatch.migration"
    label = "migration"
    verbose_name = _("Migration")
