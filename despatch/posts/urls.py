from django.urls import path, register_converter

from . import views


class YearConverter:
    regex = r"[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return f"{int(value):04d}"


class MonthConverter:
    regex = r"0[1-9]|1[0-2]"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return f"{int(value):02d}"


register_converter(YearConverter, "yyyy")
register_converter(MonthConverter, "mm")

app_name = "posts"

urlpatterns = [
    path("", views.NetworkHomeView.as_view(), name="network"),
    path("authors/<slug:author_slug>/", views.AuthorView.as_view(), name="author"),
    path("tags/", views.TagIndexView.as_view(), name="tags"),
    path("tags/<str:tag_slug>/", views.TagView.as_view(), name="tag"),
    path("archive/", views.ArchiveIndexView.as_view(), name="archive"),
    path("archive/<yyyy:year>/", views.ArchiveYearView.as_view(), name="archive-year"),
    path("archive/<yyyy:year>/<mm:month>/", views.ArchiveMonthView.as_view(), name="archive-month"),
    path("best-bits/", views.BestBitsView.as_view(), name="best-bits"),
    path("<slug:blog_slug>/", views.BlogHomeView.as_view(), name="blog"),
    path("<slug:blog_slug>/tags/<str:tag_slug>/", views.TagView.as_view(), name="blog-tag"),
    path("<slug:blog_slug>/archive/", views.ArchiveIndexView.as_view(), name="blog-archive"),
    path("<slug:blog_slug>/best-bits/", views.BestBitsView.as_view(), name="blog-best-bits"),
    path("<slug:blog_slug>/<yyyy:year>/", views.ArchiveYearView.as_view(), name="blog-year"),
    path(
        "<slug:blog_slug>/<yyyy:year>/<mm:month>/",
        views.ArchiveMonthView.as_view(),
        name="blog-month",
    ),
    path(
        "<slug:blog_slug>/<yyyy:year>/<mm:month>/<str:slug>/",
        views.PostView.as_view(),
        name="post",
    ),
]
