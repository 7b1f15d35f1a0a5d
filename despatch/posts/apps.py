from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "despatch.posts"
    label = "posts"
    verbose_name = _("Posts")

    def ready(self) -> None:
        from . import signals
        from .models import Post

        post_save.connect(signals.post_saved_or_deleted, sender=Post)
        post_delete.connect(signals.post_saved_or_deleted, sender=Post)
        m2m_changed.connect(signals.post_tags_changed, sender=Post.tags.through)
