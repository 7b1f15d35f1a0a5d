from django.contrib import admin

from .models import AuthorProfile, Blog, HistoricalPeriod


class HistoricalPeriodInline(admin.TabularInline):
    model = HistoricalPeriod
    extra = 0


@admin.register(Blog)
class BlogAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "language", "position", "is_historical"]
    list_editable = ["position"]
    list_filter = ["language", "is_historical"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["authors"]
    inlines = [HistoricalPeriodInline]


@admin.register(AuthorProfile)
class AuthorProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "job_title", "location", "user"]
    search_fields = ["display_name", "job_title", "location"]
    prepopulated_fields = {"slug": ["display_name"]}
    raw_id_fields = ["user"]


@admin.register(HistoricalPeriod)
class HistoricalPeriodAdmin(admin.ModelAdmin):
    list_display = ["starts_on", "ends_on", "blog", "note"]
    list_filter = ["blog"]
