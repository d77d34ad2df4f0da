from django.contrib import admin

from filings.models import Agency, ChangeRequest, Filing, PublicNotice, Receipt
from portal.admin_audit import AuditedModelAdmin, ViewOnlyModelAdmin


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ["name", "uscc", "kind", "ownership", "region"]
    list_filter = ["kind", "ownership", "region"]
    search_fields = ["name", "uscc"]


@admin.register(Filing)
class FilingAdmin(ViewOnlyModelAdmin):
    """A filing changes state only through the workflow screens and services."""

    list_display = ["agency", "number", "state", "route", "valid_until"]
    list_filter = ["state", "route"]
    search_fields = ["agency__name", "number"]

    def get_queryset(self, request):
        """A draft is the agency's alone until submitted, administrators included [SPEC §1]."""
        return super().get_queryset(request).filter(submitted_at__isnull=False)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ViewOnlyModelAdmin):
    """A change request moves only through its transitions [002 §13]."""

    def get_queryset(self, request):
        """Never submitted: the agency's alone, like a draft filing [SPEC §1]."""
        return super().get_queryset(request).filter(submitted_at__isnull=False)


@admin.register(Receipt)
class ReceiptAdmin(ViewOnlyModelAdmin):
    """A receipt is issued, versioned and hashed by the service; editing one would forge it [002 §12]."""

    list_display = ["filing", "version", "reason", "issued_at", "superseded_at"]


@admin.register(PublicNotice)
class PublicNoticeAdmin(ViewOnlyModelAdmin):
    """A notice's period drives the filings in it, and objections are resolved through the workflow
    [003 §7]."""

    list_display = ["title", "purpose", "starts_on", "ends_on"]
