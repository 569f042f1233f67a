"""Users with a role, and the append-only, hash-chained trail of what they looked at and exported."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import connections, models, router, transaction
from django.utils import timezone

from codingwatch.errors import CodingwatchError
from codingwatch.web.accounts import chain, roles


class RoleUserManager(UserManager):
    def _create_user(self, username, email, password, **extra_fields):
        # A user belongs to an organization: the vendor's for a vendor user; when none is given
        # and the installation serves exactly one organization, that one.
        if extra_fields.get("organization") is None and extra_fields.get("organization_id") is None:
            extra_fields["organization"] = _only_organization()
        return super()._create_user(username, email, password, **extra_fields)

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", roles.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


def _only_organization():
    from codingwatch.web.organizations.models import Organization

    found = list(Organization.objects.with_scopes_disabled().order_by("pk")[:2])
    return found[0] if len(found) == 1 else None


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=roles.ROLE_CHOICES, default=roles.EXECUTIVE)
    # A vendor user is bound to exactly one vendor; nobody else is bound to any.
    vendor = models.ForeignKey(
        "vendors.Vendor", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    # What the user sees: only this organization's vendors, coders, audits, alerts, scenarios and
    # lake figures (accounts.middleware.RoleMiddleware); a user without one sees none of them.
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    # The identity provider's subject (`sub`) of a user who logs in by single sign-on (accounts.sso).
    sso_subject = models.CharField(max_length=255, null=True, blank=True, unique=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="vendor_user_has_exactly_one_vendor",
                condition=(models.Q(role=roles.VENDOR, vendor__isnull=False)
                           | (~models.Q(role=roles.VENDOR) & models.Q(vendor__isnull=True))),
            )
        ]

    objects = RoleUserManager()

    @property
    def role_label(self) -> str:
        return roles.ROLES.get(self.role, (self.role, ""))[0]

    @property
    def is_vendor_user(self) -> bool:
        return self.role in roles.VENDOR_SCOPED_ROLES

    def save(self, *args, **kwargs):
        # The role is the one source of truth: the admin role, and only it, runs the admin screens.
        self.is_staff = self.is_superuser = self.role == roles.ADMIN
        if self.vendor_id is not None:  # a vendor user belongs to their vendor's organization
            self.organization_id = self.vendor.organization_id
        super().save(*args, **kwargs)


class AppendOnlyError(CodingwatchError, RuntimeError):
    """The access trail is append-only: rows are never changed or deleted."""


class AccessEventQuerySet(models.QuerySet):
    """Early, clear errors; the database's triggers (web/immutability.py) are the guarantee."""

    def update(self, **kwargs):
        raise AppendOnlyError("access events cannot be updated")

    def delete(self):
        raise AppendOnlyError("access events cannot be deleted")

    def bulk_create(self, objs, *args, **kwargs):
        """Each row is chained to the one before it, so rows are written one by one."""
        objs = list(objs)
        for obj in objs:
            obj.save(using=self.db)
        return objs

    # bulk_update goes through update(); the row-level paths are guarded on the model.


class TrailHead(models.Model):
    """The chain's end (one row, id 1): its lock, and the row the trail must end at."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    length = models.BigIntegerField(default=0)
    last_id = models.BigIntegerField(null=True)
    last_hash = models.CharField(max_length=64, blank=True)


class AccessEvent(models.Model):
    """One view of a chart-level page, or one export: who, when, what."""

    VIEW = "view"
    EXPORT = "export"
    ACTIONS = [(VIEW, "view"), (EXPORT, "export")]

    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    # The user name is copied so that the trail keeps its meaning if a user is renamed.
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="access_events")
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=20)
    action = models.CharField(max_length=10, choices=ACTIONS)
    object_type = models.CharField(max_length=40)  # e.g. "vendor", "coder", "dashboard"
    object_id = models.CharField(max_length=200, blank=True)
    path = models.CharField(max_length=500)
    # The hash chain (accounts/chain.py): the row before's hash, and this row's.
    prev_hash = models.CharField(max_length=64, editable=False, unique=True)  # no two rows follow one
    row_hash = models.CharField(max_length=64, editable=False, unique=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("access events cannot be changed")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        connection, head = connections[using], TrailHead._meta.db_table
        with transaction.atomic(using=using):
            chain.lock_chain(connection, head)
            last = (type(self)._base_manager.using(using).order_by("-id").values_list("row_hash", flat=True)
                    .first())
            self.at = self.at or timezone.now()
            self.prev_hash = last or chain.GENESIS
            self.row_hash = chain.link(self.prev_hash, {name: getattr(self, name) for name in chain.CONTENT_FIELDS})
            super().save(*args, **kwargs)
            chain.move_head(connection, head, self.pk, self.row_hash)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("access events cannot be deleted")
