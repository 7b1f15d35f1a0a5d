from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "despatch.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from despatch.posts.models import Post, Tag

        from . import signals

        # A deleted post's entry goes with it (``on_delete=CASCADE``), and the
        # database triggers or statements that delete it update the index.
        post_save.connect(signals.post_saved, sender=Post, dispatch_uid="search.post_saved")
        m2m_changed.connect(
            signals.post_tags_changed, sender=Post.tags.through, dispatch_uid="search.post_tags"
        )
        for model in signals.SEARCHED_RELATED_FIELDS:
            pre_save.connect(
                signals.related_saving, sender=model, dispatch_uid=f"search.saving.{model.__name__}"
            )
            post_save.connect(
                signals.related_saved, sender=model, dispatch_uid=f"search.saved.{model.__name__}"
            )
        pre_delete.connect(signals.tag_deleting, sender=Tag, dispatch_uid="search.tag_deleting")
        post_delete.connect(signals.tag_deleted, sender=Tag, dispatch_uid="search.tag_deleted")
