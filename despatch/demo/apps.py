from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo network and the synthetic corpus used by benchmarks."""

    name = "despatch.demo"
    label = "demo"
    verbose_name = _("Demo network")
