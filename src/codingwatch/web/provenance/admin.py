from django.contrib import admin

from codingwatch.web.provenance.models import AlertComment, ProvenanceAlert, Scan, Suppression


class AlertCommentInline(admin.TabularInline):
    model = AlertComment
    extra = 0
    readonly_fields = ("author", "text", "created_at")


@admin.register(ProvenanceAlert)
class ProvenanceAlertAdmin(admin.ModelAdmin):
    """Alerts are worked on the /provenance/ pages; here they are read (the scan writes them)."""

    list_display = ("window_start", "severity", "rule", "vendor_code", "login", "status", "assigned_to")
    list_filter = ("rule", "severity", "status", "vendor_code")
    search_fields = ("login", "detail")
    inlines = [AlertCommentInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """Suppression rules: an admin may switch one off (active), which stops it silencing later alerts."""

    list_display = ("rule", "login", "country", "device", "reason", "created_by", "created_at", "active")
    list_filter = ("rule", "active")
    fields = ("rule", "login", "country", "device", "reason", "created_by", "created_at", "source_alert", "active")
    readonly_fields = ("rule", "login", "country", "device", "reason", "created_by", "created_at", "source_alert")

    def has_add_permission(self, request):
        return False


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    list_display = ("started_at", "started_by", "events", "alerts_found", "alerts_new", "alerts_suppressed")

    def get_queryset(self, request):
        # A scan covers every organization; the runs another organization's users started are theirs.
        from codingwatch.web.accounts.models import User

        others = User.objects.exclude(organization=request.user.organization_id).values_list("username", flat=True)
        return super().get_queryset(request).exclude(started_by__in=others)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
