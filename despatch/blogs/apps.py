from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class BlogsConfig(AppConfig):
    name = "despatch.blogs"
    label = "blogs"
    verbose_name = _("Blogs")

    def ready(self) -> None:
        from . import signals
        from .models import AuthorProfile, Blog, HistoricalPeriod

        for signal in (post_save, post_delete):
            signal.connect(signals.blog_changed, sender=Blog)
            signal.connect(signals.author_changed, sender=AuthorProfile)
            signal.connect(signals.historical_period_changed, sender=HistoricalPeriod)
        m2m_changed.connect(signals.blog_changed, sender=Blog.authors.through)
