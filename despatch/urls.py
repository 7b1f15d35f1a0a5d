"""The site's addresses. Fixed routes come first: everything left is a blog's."""

from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path

from despatch.core import views as core_views
from despatch.posts.sitemaps import SITEMAPS

handler404 = "despatch.core.views.page_not_found"
handler500 = "despatch.core.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", core_views.health, name="health"),
    path("robots.txt", core_views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        sitemaps.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("feeds/", include("despatch.feeds.urls")),
    path("search/", include("despatch.search.urls")),
    path("studio/", include("despatch.studio.urls")),
    path("media/", include("despatch.media.urls")),
    path("", include("despatch.conversations.urls")),
    path("", include("despatch.core.urls")),
    path("", include("despatch.blogs.urls")),
    path("", include("despatch.posts.urls")),
]
