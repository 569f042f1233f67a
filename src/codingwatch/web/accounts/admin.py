from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from codingwatch.web.accounts.models import AccessEvent, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "role", "vendor", "organization", "is_active", "last_login")
    list_filter = ("role", "is_active", "vendor")
    fieldsets = DjangoUserAdmin.fieldsets + (("Role", {"fields": ("role", "vendor", "organization")}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("Role", {"fields": ("role", "vendor", "organization")}),)

    def get_queryset(self, request):
        # An administrator manages the users of their own organization (the choices of vendor and
        # organization are scoped by the request already).
        return super().get_queryset(request).filter(organization=request.user.organization_id)


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """The trail can be read and searched, never added to, changed or deleted by hand."""

    list_display = ("at", "username", "role", "action", "object_type", "object_id", "path")
    list_filter = ("action", "object_type", "role")
    search_fields = ("username", "object_id", "path")
    date_hierarchy = "at"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user__organization=request.user.organization_id)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
