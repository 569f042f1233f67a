from django.contrib import admin

from codingwatch.web.costs.models import SavedScenario


@admin.register(SavedScenario)
class SavedScenarioAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "saved_by", "saved_at")
    list_filter = ("organization",)
    search_fields = ("name",)
    readonly_fields = ("saved_by", "saved_at")
