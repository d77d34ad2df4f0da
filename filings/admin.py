from django.contrib import admin

from filings.models import Agency, ChangeRequest, Filing, PublicNotice, Receipt


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "kind", "ownership", "region"]
    list_filter = ["kind", "ownership", "region"]
    search_fields = ["name", "uscc"]


@admin.register(Filing)
class FilingAdmin(admin.ModelAdmin):
    """Read-only here: a filing changes state only through the workflow screens and services."""

    list_display = ["agency", "number", "state", "route", "valid_until"]
    list_filter = ["state", "route"]
    search_fields = ["agency__name", "number"]
    readonly_fields = [f.name for f in Filing._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(PublicNotice)
admin.site.register(Receipt)
admin.site.register(ChangeRequest)
