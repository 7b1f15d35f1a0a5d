from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("about/", views.AboutView.as_view(), name="about"),
    path("house-rules/", views.HouseRulesView.as_view(), name="house-rules"),
    path("accessibility/", views.AccessibilityView.as_view(), name="accessibility"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
]
