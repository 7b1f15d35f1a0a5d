"""Signals the media library sends; other apps connect to them in ``AppConfig.ready()``."""

from django.dispatch import Signal

# Sent with ``image`` once its smaller sizes exist, so pages that show it can add ``srcset``.
renditions_ready = Signal()
