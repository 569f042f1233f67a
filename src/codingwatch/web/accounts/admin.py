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


# The second-factor devices and the login log belong to users; an administrator sees (and
# attaches devices to) the users of their own organization only.
from axes import admin as axes_admin  # noqa: E402
from axes.models import AccessAttempt, AccessFailureLog, AccessLog  # noqa: E402
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin  # noqa: E402
from django_otp.plugins.otp_static.models import StaticDevice  # noqa: E402
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402


def organization_users(request):
    return User.objects.filter(organization=request.user.organization_id)


class OwnUsersDevices:
    def get_queryset(self, request):
        return super().get_queryset(request).filter(user__in=organization_users(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = organization_users(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OwnUsersLog:
    def get_queryset(self, request):
        names = organization_users(request).values("username")
        return super().get_queryset(request).filter(username__in=names)


for model, base, mixin in [(TOTPDevice, TOTPDeviceAdmin, OwnUsersDevices), (StaticDevice, StaticDeviceAdmin, OwnUsersDevices),
                           (AccessAttempt, axes_admin.AccessAttemptAdmin, OwnUsersLog),
                           (AccessLog, axes_admin.AccessLogAdmin, OwnUsersLog),
                           (AccessFailureLog, axes_admin.AccessFailureLogAdmin, OwnUsersLog)]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (mixin, base), {}))
