"""Site-wide pages: health, robots.txt, errors and the footer's standing pages."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from .surrogates import add_surrogate_keys


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Report whether this app server can reach its database, for load balancers."""
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
        return JsonResponse({"status": "unavailable", "database": str(error)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


@require_GET
@cache_control(public=True, max_age=3600)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /studio/",
        "Disallow: /search/?",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    template = loader.get_template("404.html")
    return HttpResponse(template.render({"request_path": request.path}, request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Render the 500 page without a request context: whatever failed may fail again."""
    template = loader.get_template("500.html")
    return HttpResponse(template.render({"network_name": settings.NETWORK_NAME}), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Explain a refused form in words a reader can act on, instead of Django's debug text."""
    template = loader.get_template("403_csrf.html")
    return HttpResponse(template.render({"reason": reason}, request), status=403)


class StandingPageView(TemplateView):
    """A page of fixed text linked from every footer."""

    def get_context_data(self, **kwargs):
        # Fixed text changes only with a new release, which starts with an empty cache.
        add_surrogate_keys(self.request, ["site"])
        return super().get_context_data(**kwargs)


class AboutView(StandingPageView):
    template_name = "core/about.html"


class HouseRulesView(StandingPageView):
    template_name = "core/house_rules.html"


class AccessibilityView(StandingPageView):
    template_name = "core/accessibility.html"


class PrivacyView(StandingPageView):
    template_name = "core/privacy.html"
