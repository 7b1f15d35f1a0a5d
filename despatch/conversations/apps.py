from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "despatch.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from . import signals
        from .models import BlogCommentPolicy, CommentClosure

        post_save.connect(signals.closure_changed, sender=CommentClosure)
        post_delete.connect(signals.closure_changed, sender=CommentClosure)
        post_save.connect(signals.policy_changed, sender=BlogCommentPolicy)
        post_delete.connect(signals.policy_changed, sender=BlogCommentPolicy)
