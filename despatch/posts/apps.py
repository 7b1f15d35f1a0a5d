from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save, pre_delete
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "despatch.posts"
    label = "posts"
    verbose_name = _("Posts")

    def ready(self) -> None:
        from . import signals
        from .models import Post, Tag

        post_init.connect(signals.remember_visibility, sender=Post)
        post_save.connect(signals.post_saved, sender=Post)
        pre_delete.connect(signals.post_deleting, sender=Post)
        post_delete.connect(signals.post_deleted, sender=Post)
        m2m_changed.connect(signals.post_tags_changed, sender=Post.tags.through)

        from despatch.media.signals import renditions_ready

        renditions_ready.connect(signals.image_renditions_ready, dispatch_uid="posts.renditions")

        from . import notifications

        notifications.connect()
        post_save.connect(signals.tag_changed, sender=Tag)
        post_delete.connect(signals.tag_changed, sender=Tag)
        signals.post_published.connect(signals.post_announced, sender=Post)

        from despatch.core.fragments import read_with_every_page

        from .cache_keys import LIVE_POSTS

        # The next scheduled publication bounds how long anything is kept.
        read_with_every_page(LIVE_POSTS)
