from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("", views.SearchView.as_view(), name="search"),
    path("opensearch.xml", views.OpenSearchDescriptionView.as_view(), name="opensearch"),
]
