from django.contrib import admin

from .models import Post, Tag
from .publishing import freeze_signature


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "blog", "author", "status", "published_at", "is_best_bit"]
    list_filter = ["status", "blog", "is_best_bit", "language"]
    list_editable = ["is_best_bit"]
    search_fields = ["title", "body_source"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["tags"]
    raw_id_fields = ["author"]
    list_select_related = ["blog", "author"]
    readonly_fields = ["author_job_title", "author_location", "approved_comment_count"]
    fieldsets = [
        (None, {"fields": ["blog", "author", "title", "slug", "body_format", "body_source"]}),
        (None, {"fields": ["excerpt", "tags", "language", "top_image", "top_image_alt"]}),
        (None, {"fields": ["status", "published_at", "is_best_bit", "best_bit_order"]}),
        (None, {"fields": ["author_job_title", "author_location", "approved_comment_count"]}),
    ]

    def save_model(self, request, obj: Post, form, change: bool) -> None:
        if obj.status != Post.Status.DRAFT:
            freeze_signature(obj)
        super().save_model(request, obj, form, change)
