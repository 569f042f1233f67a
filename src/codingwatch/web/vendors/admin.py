from django.contrib import admin

from codingwatch.web.vendors.models import (
    AccuracySLA,
    Coder,
    Contract,
    CreditSchedule,
    QueueAssignment,
    ServiceTerms,
    TurnaroundSLA,
    Vendor,
)


class ContractInline(admin.TabularInline):
    model = Contract
    extra = 0
    fields = ("start_date", "end_date", "baa_date", "pricing", "price")
    show_change_link = True


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "delivery_model", "work_locations", "organization")
    list_filter = ("delivery_model",)
    search_fields = ("name", "code")
    inlines = [ContractInline]


class AccuracySLAInline(admin.TabularInline):
    model = AccuracySLA
    extra = 0


class TurnaroundSLAInline(admin.TabularInline):
    model = TurnaroundSLA
    extra = 0


class ServiceTermsInline(admin.TabularInline):
    model = ServiceTerms
    extra = 0


class CreditScheduleInline(admin.TabularInline):
    model = CreditSchedule
    extra = 0


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("vendor", "start_date", "end_date", "baa_date", "pricing", "price", "base_rate", "allowed_countries",
                    "requires_vdi")
    list_filter = ("vendor", "pricing")
    inlines = [AccuracySLAInline, TurnaroundSLAInline, ServiceTermsInline, CreditScheduleInline]


class QueueAssignmentInline(admin.TabularInline):
    model = QueueAssignment
    extra = 0


@admin.register(Coder)
class CoderAdmin(admin.ModelAdmin):
    list_display = ("login_id", "vendor", "location", "credentials", "specialties", "start_date", "end_date")
    list_filter = ("vendor", "location")
    search_fields = ("login_id",)
    inlines = [QueueAssignmentInline]


@admin.register(QueueAssignment)
class QueueAssignmentAdmin(admin.ModelAdmin):
    list_display = ("coder", "work_queue", "from_date", "to_date")
    list_filter = ("work_queue__facility", "coder__vendor")
