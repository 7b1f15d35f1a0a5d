"""Addresses of the conversation. "comments" and "studio" are reserved blog slugs,
so none of these can be shadowed by a blog."""

from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("comments/<int:post_id>/", views.CommentFormView.as_view(), name="form"),
    path("comments/sent/<str:token>/", views.submitted, name="submitted"),
    path("comments/unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
    path("studio/moderation/", views.ModerationQueueView.as_view(), name="queue"),
    path("studio/moderation/network/", views.network_switch, name="network-switch"),
]
