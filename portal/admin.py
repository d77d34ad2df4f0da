from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction

from portal import audit_actions
from portal.admin_audit import HIDDEN, AuditedModelAdmin
from portal.audit import record
from portal.models import (AuditEntry, IndustryDepartment, Notification, Occupation, PolicyProfile, Region, User,
                           WorkdayOverride)

admin.site.site_header = "技能人才评价机构备案监管平台 · 系统管理"
admin.site.site_title = "系统管理"


@admin.register(User)
class PortalUserAdmin(AuditedModelAdmin, UserAdmin):
    list_display = ["username", "full_name", "role", "region", "agency", "is_active"]
    list_filter = ["role", "is_active", "region"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = UserAdmin.fieldsets + (
        ("角色与范围", {"fields": ["role", "full_name", "phone", "region", "industry_department", "agency"]}),
    )
    add_fieldsets = UserAdmin.add_fieldsets + (
        ("角色与范围", {"fields": ["role", "full_name", "region", "industry_department", "agency"]}),
    )
    actions = ["unlock"]

    def user_change_password(self, request, id, form_url=""):
        # Django's password page saves the form itself, past save_model: audit it here.
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                record("admin.change", self.get_object(request, id), actor=request.user,
                       data={"changed": {"password": [HIDDEN, HIDDEN]}})
        return response

    @admin.action(description="解除登录锁定")
    def unlock(self, request, queryset):
        from portal.accounts import unlock_account

        for user in queryset:
            unlock_account(user=user, actor=request.user)


@admin.register(Region)
class RegionAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Occupation)
class OccupationAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "work_type", "restricted", "has_standard", "edition"]
    list_filter = ["restricted", "has_standard", "edition"]
    search_fields = ["code", "name", "work_type"]


@admin.register(IndustryDepartment)
class IndustryDepartmentAdmin(AuditedModelAdmin):
    list_display = ["name", "region"]


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(AuditedModelAdmin):
    list_display = ["date", "is_workday", "note"]
    date_hierarchy = "date"


@admin.register(PolicyProfile)
class PolicyProfileAdmin(AuditedModelAdmin):
    list_display = ["name", "preset", "is_active", "validity_years", "renewal_window_months", "notice_workdays"]


@admin.register(Notification)
class NotificationAdmin(AuditedModelAdmin):
    list_display = ["created_at", "recipient", "subject", "email_state", "read_at"]
    list_filter = ["email_state"]
    readonly_fields = [f.name for f in Notification._meta.fields]


class ActionFilter(admin.SimpleListFilter):
    """Filter by action, listed by label."""

    title = "操作"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(code, f"{label}") for code, label in audit_actions.choices()]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(AuditedModelAdmin):
    """Read-only: the audit trail is append-only [003 §18]."""

    list_display = ["created_at", "actor_label", "action_label", "outcome", "object_repr", "ip", "comment"]
    list_filter = [ActionFilter, "outcome"]
    search_fields = ["object_repr", "actor_label", "comment"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    @admin.display(description="操作", ordering="action")
    def action_label(self, entry):
        """The action as a person reads it, never its code (`filing.accept`)."""
        return audit_actions.label(entry.action)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
