from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.utils.translation import gettext_lazy as _


class FeedsConfig(AppConfig):
    name = "despatch.feeds"
    label = "feeds"
    verbose_name = _("Feeds")

    def ready(self) -> None:
        from despatch.posts.models import Post

        from . import signals

        # WebSub: publishing, editing, unpublishing or deleting a live post pings the hub.
        pre_save.connect(signals.remember_whether_live, sender=Post, dispatch_uid="feeds-pre-save")
        post_save.connect(signals.post_saved, sender=Post, dispatch_uid="feeds-post-save")
        pre_delete.connect(signals.post_deleting, sender=Post, dispatch_uid="feeds-pre-delete")
        m2m_changed.connect(
            signals.post_tags_changed, sender=Post.tags.through, dispatch_uid="feeds-post-tags"
        )
