import secrets

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from codingwatch.web.accounts import roles
from codingwatch.web.accounts.models import User
from codingwatch.web.organizations.lookup import organization_for_command
from codingwatch.web.organizations.models import Organization
from codingwatch.web.vendors.models import Vendor


class Command(BaseCommand):
    help = (
        "Create a user with a role (admin, auditor, director, compliance, executive, vendor). "
        "A vendor user needs --vendor CODE (and belongs to its organization); others belong to "
        "--organization NAME (default: the only organization). Without --password a random one is "
        "made and printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=list(roles.ROLES))
        parser.add_argument("--vendor", help="vendor code, for the vendor role only")
        parser.add_argument("--password", help="the password (default: a random one, printed once)")
        parser.add_argument("--email", default="")
        parser.add_argument("--organization", help="the organization's name (default: the only one)")

    def handle(self, username, role, vendor, password, email, organization=None, **options):
        if (role == roles.VENDOR) != bool(vendor):
            raise CommandError("--vendor is required for the vendor role and only for it")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} already exists")
        with scopes_disabled():
            bound = None
            if vendor:
                bound = Vendor.objects.filter(code=vendor).first()
                if bound is None:
                    raise CommandError(f"no vendor with code {vendor!r}: import the roster first")
            org = _organization(organization, bound)
            generated = password is None
            password = password or secrets.token_urlsafe(12)
            User.objects.create_user(username=username, email=email, password=password, role=role, vendor=bound,
                                     organization=org)
        where = org or "no organization yet (the first roster import adopts it)"
        self.stdout.write(f"created {username} ({roles.ROLES[role][0]}) in {where}")
        if generated:
            self.stdout.write(f"password (shown once): {password}")


def _organization(name: str | None, vendor) -> Organization | None:
    if vendor is not None:
        if name and name != vendor.organization.name:
            raise CommandError(f"vendor {vendor.code!r} belongs to {vendor.organization.name!r}, not {name!r}")
        return vendor.organization
    # a first user before any roster: the first organization imported adopts it
    return organization_for_command(name, none_yet_ok=True)
