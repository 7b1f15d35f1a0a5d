from django.contrib import admin

from .models import ImportedItem, LegacyAddress


@admin.register(LegacyAddress)
class LegacyAddressAdmin(admin.ModelAdmin):
    """Old addresses can be added by hand too, e.g. for a post moved before the import."""

    list_display = ["path", "host", "post"]
    search_fields = ["path", "host", "post__title"]
    raw_id_fields = ["post"]
    list_select_related = ["post"]


@admin.register(ImportedItem)
class ImportedItemAdmin(admin.ModelAdmin):
    list_display = ["wordpress_id", "kind", "source", "blog", "object_id", "imported_at"]
    list_filter = ["kind", "blog"]
    search_fields = ["source", "wordpress_id"]
    readonly_fields = ["source", "blog", "kind", "wordpress_id", "object_id", "digest"]
    list_select_related = ["blog"]
