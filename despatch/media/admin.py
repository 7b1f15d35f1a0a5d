from django.contrib import admin

from .models import Image, Rendition, Video


class RenditionInline(admin.TabularInline):
    model = Rendition
    extra = 0
    readonly_fields = ["width", "height", "file"]
    can_delete = False


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    """Uploads go through the studio, where they are checked; here they are only described."""

    list_display = ["alt_text", "blog", "format", "width", "height", "uploaded_at"]
    list_filter = ["blog", "format"]
    search_fields = ["alt_text", "caption", "original_name"]
    readonly_fields = [
        "file",
        "format",
        "width",
        "height",
        "byte_size",
        "original_name",
        "uploaded_by",
        "uploaded_at",
        "renditions_made_at",
    ]
    inlines = [RenditionInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ["title", "blog", "uploaded_at"]
    list_filter = ["blog"]
    search_fields = ["title", "transcript"]
    readonly_fields = [
        "file",
        "captions",
        "byte_size",
        "original_name",
        "uploaded_by",
        "uploaded_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
