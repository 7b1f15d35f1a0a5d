from django.urls import path

from . import views

app_name = "blogs"

urlpatterns = [
    path("blogs/", views.BlogIndexView.as_view(), name="index"),
    path("authors/", views.AuthorIndexView.as_view(), name="authors"),
]
