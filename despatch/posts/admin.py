from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Post, PublishingPolicy, ReviewComment, Revision, Tag
from .publishing import freeze_signature, post_publish, post_unpublish


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ReviewCommentInline(admin.TabularInline):
    model = ReviewComment
    extra = 0
    fields = ["author", "body", "created_at"]
    readonly_fields = ["author", "body", "created_at"]
    can_delete = False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """Posts for site administrators; authors and editors use the studio.

    The status is read-only here: publishing and unpublishing go through the
    actions below, which call the same services as the studio, so the same
    permission check, audit log entry and announcement apply on every route.
    """

    list_display = ["title", "blog", "author", "status", "published_at", "is_best_bit"]
    list_filter = ["status", "blog", "is_best_bit", "language"]
    list_editable = ["is_best_bit"]
    search_fields = ["title", "body_source"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["tags"]
    raw_id_fields = ["author"]
    list_select_related = ["blog", "author"]
    readonly_fields = [
        "status",
        "published_at",
        "author_job_title",
        "author_location",
        "approved_comment_count",
        "version",
    ]
    fieldsets = [
        (None, {"fields": ["blog", "author", "title", "slug", "body_format", "body_source"]}),
        (None, {"fields": ["excerpt", "tags", "language", "top_image", "top_image_alt"]}),
        (
            None,
            {
                "fields": [
                    "status",
                    "published_at",
                    "is_best_bit",
                    "best_bit_order",
                    "network_best_bit_order",
                ]
            },
        ),
        (None, {"fields": ["author_job_title", "author_location", "approved_comment_count"]}),
    ]
    inlines = [ReviewCommentInline]
    actions = ["publish_now", "unpublish"]

    def save_model(self, request, obj: Post, form, change: bool) -> None:
        if obj.status != Post.Status.DRAFT:
            freeze_signature(obj)
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish the selected posts now"))
    def publish_now(self, request, queryset) -> None:
        self._run(request, queryset, post_publish)

    @admin.action(description=_("Unpublish the selected posts"))
    def unpublish(self, request, queryset) -> None:
        self._run(request, queryset, post_unpublish)

    def _run(self, request, queryset, service) -> None:
        done = 0
        for post in queryset.select_related("blog", "author"):
            try:
                service(post=post, by=request.user)
                done += 1
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{post}: {error}", messages.ERROR)
        if done:
            self.message_user(request, _("%(count)d post(s) changed.") % {"count": done})


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["post", "number", "kind", "saved_by", "saved_at"]
    list_select_related = ["post", "saved_by"]
    raw_id_fields = ["post"]
    readonly_fields = [f.name for f in Revision._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PublishingPolicy)
class PublishingPolicyAdmin(admin.ModelAdmin):
    list_display = ["blog", "authors_may_publish"]
