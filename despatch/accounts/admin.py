from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .audit import audit_record
from .models import AuditLogEntry, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["blog", "role", "granted_by", "granted_at"]
    readonly_fields = ["granted_by", "granted_at"]


@admin.register(User)
class DespatchUserAdmin(UserAdmin):
    """Users for site administrators. Role and admin changes made here are audited too."""

    inlines = [MembershipInline]
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "is_superuser",
        "is_active",
        "last_login",
    ]

    def save_model(self, request, obj: User, form, change: bool) -> None:
        was_admin = (
            User.objects.filter(pk=obj.pk).values_list("is_superuser", flat=True).first()
            if change
            else False
        )
        super().save_model(request, obj, form, change)
        if bool(was_admin) != obj.is_superuser:
            action = (
                AuditLogEntry.Action.ADMIN_GRANT
                if obj.is_superuser
                else AuditLogEntry.Action.ADMIN_REVOKE
            )
            audit_record(actor=request.user, action=action, subject=obj, request=request)

    def save_formset(self, request, form, formset, change: bool) -> None:
        memberships = formset.save(commit=False)
        for membership in formset.deleted_objects:
            audit_record(
                actor=request.user,
                action=AuditLogEntry.Action.ROLE_REVOKE,
                subject=membership.user,
                details={"role": membership.role, "blog": str(membership.blog)},
                request=request,
            )
            membership.delete()
        changed = {membership.pk for membership, _fields in formset.changed_objects}
        for membership in memberships:
            is_new = membership.pk is None
            if is_new:
                membership.granted_by = request.user
            membership.save()
            if is_new or membership.pk in changed:
                audit_record(
                    actor=request.user,
                    action=AuditLogEntry.Action.ROLE_GRANT,
                    subject=membership.user,
                    details={"role": membership.role, "blog": str(membership.blog)},
                    request=request,
                )
        formset.save_m2m()


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is a record, nobody edits it."""

    list_display = ["at", "actor_name", "action", "subject_type", "subject_label"]
    list_filter = ["action", "subject_type"]
    search_fields = ["actor_name", "subject_label"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
