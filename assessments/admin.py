"""Administrators edit rubrics as data and publish new versions without code [SPEC §4.3, §1]."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from assessments.models import RenewalAssessment, Rubric, RubricItem
from portal.admin_audit import AuditedModelAdmin, ViewOnlyModelAdmin
from portal.audit import record


class RubricItemInline(admin.TabularInline):
    model = RubricItem
    extra = 1
    fields = ("order", "section", "code", "title", "guidance", "kind", "max_score", "deduction_per_count")

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_add_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published


@admin.register(Rubric)
class RubricAdmin(AuditedModelAdmin):
    list_display = ("name", "version", "source", "published_at", "maximum")
    inlines = [RubricItemInline]
    actions = ["publish", "copy_as_new_version"]
    readonly_fields = ("published_at",)

    @admin.display(description="满分")
    def maximum(self, obj):
        return obj.scored_maximum()

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.is_published:
            return ("name", "version", "source", "published_at")
        return self.readonly_fields

    @admin.action(description="发布所选评估表（发布后新的评估使用该版本）")
    def publish(self, request, queryset):
        for rubric in queryset.filter(published_at__isnull=True):
            try:
                rubric.publish()
            except ValidationError as exc:
                self.message_user(request, f"{rubric}：{'；'.join(exc.messages)}", messages.ERROR)
                continue
            record("rubric.publish", rubric, actor=request.user)
            self.message_user(request, f"已发布：{rubric}")

    @admin.action(description="复制为新版本（草稿）")
    def copy_as_new_version(self, request, queryset):
        for rubric in queryset:
            last = Rubric.objects.filter(name=rubric.name).order_by("-version").first()
            copy = Rubric.objects.create(name=rubric.name, version=last.version + 1, source=rubric.source)
            RubricItem.objects.bulk_create([
                RubricItem(rubric=copy, section=i.section, code=i.code, title=i.title, guidance=i.guidance,
                           kind=i.kind, max_score=i.max_score, deduction_per_count=i.deduction_per_count,
                           order=i.order) for i in rubric.items.all()])
            record("rubric.copy", copy, actor=request.user, data={"from": rubric.pk})
            self.message_user(request, f"已复制为草稿：{copy}")


@admin.register(RenewalAssessment)
class RenewalAssessmentAdmin(ViewOnlyModelAdmin):
    """Renewals change only through their screens and services."""

    list_display = ("agency", "round", "expires_on", "state", "self_total", "review_total", "outcome")
    list_filter = ("state", "outcome", "round")
    search_fields = ("agency__name", "filing__number")

    def get_queryset(self, request):
        """A renewal never submitted is the agency's alone, here too [SPEC §1]."""
        return super().get_queryset(request).filter(submitted_on__isnull=False)
