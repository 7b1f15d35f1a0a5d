from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogsConfig(AppConfig):
    name = "despatch.blogs"
    label = "blogs"
    verbose_name = _("Blogs")
