from django.contrib import admin

from codingwatch.web.organizations.models import Facility, Organization, VocabularyName, WorkQueue


class FacilityInline(admin.TabularInline):
    model = Facility
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name",)
    inlines = [FacilityInline]


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "organization", "poa_exempt")
    list_filter = ("poa_exempt",)
    search_fields = ("code", "name")


@admin.register(WorkQueue)
class WorkQueueAdmin(admin.ModelAdmin):
    list_display = ("facility", "service_line", "encounter_type")
    list_filter = ("facility", "service_line", "encounter_type")


@admin.register(VocabularyName)
class VocabularyNameAdmin(admin.ModelAdmin):
    list_display = ("kind", "source", "canonical")
    list_filter = ("kind",)
    search_fields = ("source", "canonical")
