"""Importing the roster from CSV: all or nothing, clear errors, safe to repeat."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from codingwatch.web.organizations.models import WorkQueue
from codingwatch.web.vendors.models import Coder, QueueAssignment, Vendor
from codingwatch.web.vendors.services.roster import RosterError, import_roster

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

FILES = {
    "vendors.csv": """
        code,name,delivery_model,work_locations
        in-house,North Health coding team,in-house,US
        acme,Acme Coding,hybrid,US;IN-KA
    """,
    "coders.csv": """
        login_id,vendor,credentials,specialties,location,start_date,end_date
        nh001,in-house,CCS;RHIT,cardiology;hospital_medicine,US-OH,2024-01-08,
        ac001,acme,CPC,orthopedics,IN-KA,2025-03-01,2025-12-31
    """,
    "work_queues.csv": """
        facility,service_line,encounter_type
        NORTH,cardiology,inpatient
        NORTH,orthopedics,outpatient
    """,
    "queue_assignments.csv": """
        login_id,facility,service_line,encounter_type,from_date,to_date
        nh001,NORTH,cardiology,inpatient,2024-01-08,
        ac001,NORTH,orthopedics,outpatient,2025-03-01,2025-12-31
    """,
}


def write(folder, files):
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip())
    return folder


def test_the_roster_is_imported(tmp_path):
    summary = import_roster(write(tmp_path, FILES), organization="North Health")
    assert summary.created == {"vendors": 2, "coders": 2, "work_queues": 2, "queue_assignments": 2}
    with scopes_disabled():
        coder = Coder.objects.get(login_id="ac001")
        assert (coder.vendor.code, coder.credentials, coder.location) == ("acme", ["CPC"], "IN-KA")
        assert coder.end_date == dt.date(2025, 12, 31)
        assert Vendor.objects.get(code="acme").work_locations == ["US", "IN-KA"]
        assert QueueAssignment.objects.get(coder__login_id="nh001").to_date is None


def test_importing_the_same_files_twice_changes_nothing(tmp_path):
    folder = write(tmp_path, FILES)
    import_roster(folder, organization="North Health")
    summary = import_roster(folder, organization="North Health")
    assert summary.created == {}
    with scopes_disabled():
        assert (Vendor.objects.count(), Coder.objects.count(), QueueAssignment.objects.count()) == (2, 2, 2)
    assert WorkQueue.objects.count() == 2


def test_a_bad_line_names_file_line_field_and_reason_and_imports_nothing(tmp_path):
    bad = dict(FILES, **{"coders.csv": FILES["coders.csv"].replace("IN-KA,2025", "India,2025")})
    with pytest.raises(RosterError) as caught:
        import_roster(write(tmp_path, bad), organization="North Health")
    assert "coders.csv line 3, location: 'India' is not an ISO 3166 country" in str(caught.value)
    with scopes_disabled():
        assert not Vendor.objects.exists() and not Coder.objects.exists()


def test_every_problem_is_reported_at_once(tmp_path):
    bad = dict(FILES, **{"coders.csv": """
        login_id,vendor,credentials,specialties,location,start_date,end_date
        nh001,nobody,CCS,cardiology,US,2024-01-08,
        ac001,acme,XYZ,orthopedics,IN,2025-13-01,
    """})
    with pytest.raises(RosterError) as caught:
        import_roster(write(tmp_path, bad), organization="North Health")
    assert caught.value.problems == [
        "coders.csv line 2, vendor: 'nobody' is not a vendor code in vendors.csv",
        "coders.csv line 3, start_date: '2025-13-01' is not a date (YYYY-MM-DD)",
        "coders.csv line 3, credentials: 'XYZ' is not one of CPC, COC, CCS, CCS-P, RHIT, RHIA",
    ]


def test_a_missing_column_is_named(tmp_path):
    bad = dict(FILES, **{"vendors.csv": "code,name\nacme,Acme\n"})
    with pytest.raises(RosterError, match="vendors.csv: missing column\\(s\\) delivery_model, work_locations"):
        import_roster(write(tmp_path, bad), organization="North Health")


def test_a_missing_file_is_named(tmp_path):
    files = {k: v for k, v in FILES.items() if k != "coders.csv"}
    with pytest.raises(RosterError, match="coders.csv: file not found"):
        import_roster(write(tmp_path, files), organization="North Health")


def test_an_assignment_to_an_unknown_queue_is_refused(tmp_path):
    bad = dict(FILES, **{"queue_assignments.csv": FILES["queue_assignments.csv"].replace(
        "ac001,NORTH,orthopedics,outpatient", "ac001,SOUTH,orthopedics,outpatient")})
    with pytest.raises(RosterError, match="line 3, facility: queue SOUTH / orthopedics / outpatient is not in"):
        import_roster(write(tmp_path, bad), organization="North Health")


def test_the_management_command_imports_and_reports(tmp_path, capsys):
    call_command("import_roster", str(write(tmp_path, FILES)), organization="North Health")
    assert "coders: 2 created, 0 already present" in capsys.readouterr().out


def test_create_user_binds_a_vendor_user_to_their_vendor(tmp_path, capsys):
    from codingwatch.web.accounts.models import User

    call_command("import_roster", str(write(tmp_path, FILES)), organization="North Health")
    call_command("create_user", "qa-lead", role="vendor", vendor="acme")
    out = capsys.readouterr().out
    assert "password (shown once): " in out
    assert User.objects.get(username="qa-lead").vendor.code == "acme"


def test_the_first_organization_adopts_the_users_made_before_it(tmp_path):
    from codingwatch.web.accounts.models import User
    from codingwatch.web.organizations.models import Organization

    early = User.objects.create_superuser("early-admin", password="x" * 16)
    assert early.organization is None  # no organization yet
    import_roster(write(tmp_path, FILES), organization="North Health")
    early.refresh_from_db()
    assert early.organization == Organization.objects.get(name="North Health")


def test_create_user_needs_an_organization_when_there_are_several(tmp_path, capsys):
    from django.core.management.base import CommandError

    from codingwatch.web.accounts.models import User
    from codingwatch.web.organizations.models import Organization

    call_command("import_roster", str(write(tmp_path, FILES)), organization="North Health")
    Organization.objects.create(name="South Health")
    with pytest.raises(CommandError, match="--organization is required when there is not exactly one organization"):
        call_command("create_user", "olga", role="auditor")
    call_command("create_user", "olga", role="auditor", organization="South Health")
    assert "created olga (Coding auditor) in South Health" in capsys.readouterr().out
    assert User.objects.get(username="olga").organization.name == "South Health"
    with pytest.raises(CommandError, match="vendor 'acme' belongs to 'North Health', not 'South Health'"):
        call_command("create_user", "qa", role="vendor", vendor="acme", organization="South Health")


def test_a_user_created_before_any_roster_is_adopted_by_the_first_organization(tmp_path, capsys):
    from codingwatch.web.accounts.models import User
    from codingwatch.web.organizations.models import Organization

    call_command("create_user", "first-admin", role="admin")
    assert "in no organization yet (the first roster import adopts it)" in capsys.readouterr().out
    assert User.objects.get(username="first-admin").organization is None
    call_command("import_roster", str(write(tmp_path, FILES)), organization="North Health")
    assert User.objects.get(username="first-admin").organization == Organization.objects.get(name="North Health")
