"""The CLI readers take the organization's own vocabulary and its POA-exempt facilities from the
app database: with several organizations the one meant must be named, and one's mapping is never
applied to another's files."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled
from typer.testing import CliRunner

from codingwatch import config
from codingwatch.cli import app
from codingwatch.commands.common import UserError
from codingwatch.commands.vocabulary import exempt_facilities
from codingwatch.lake import open_lake
from codingwatch.web.organizations.models import Facility, Organization
from tests.ingest.conftest import inpatient, write_csv

pytestmark = [pytest.mark.django_db]
runner = CliRunner()


@pytest.fixture(autouse=True)
def app_database():
    """The commands read the app database when the installation has one (`var/codingwatch.sqlite3`);
    Django is already set up on the test database, which stands in for it."""
    path = config.var_dir() / "codingwatch.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
HAC = [("ICD10CM", "I50.21", "Y"), ("ICD10CM", "L89.154", "1")]  # stage 4 pressure ulcer (HAC 04), POA unreported


def mapping(tmp_path, name: str, canonical: str, organization: str) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_text(f"kind,source,canonical\nspecialty,HOSP MED,{canonical}\n")
    call_command("import_vocabulary", str(path), organization=organization, stdout=io.StringIO())


@pytest.fixture
def two_organizations(tmp_path):
    with scopes_disabled():
        Organization.objects.create(name="North Health")
        Organization.objects.create(name="South Health")
    mapping(tmp_path, "north", "hospital_medicine", "North Health")
    mapping(tmp_path, "south", "Inpatient Medicine", "South Health")


def specialties() -> set[str]:
    return set(open_lake().connect().table("encounters").execute()["specialty"])


def test_with_two_organizations_the_cli_asks_which_and_applies_only_its_mapping(lake_root, tmp_path,
                                                                                two_organizations):
    path = write_csv(tmp_path / "coded.csv", inpatient("A", HAC, specialty="HOSP MED"))
    refused = runner.invoke(app, ["ingest", "encounters", str(path)])
    # the error the command line prints as one `error:` line with exit code 2 (tests/commands/test_errors.py)
    assert isinstance(refused.exception, UserError)
    assert str(refused.exception) == ("--organization is required when there is not exactly one organization "
                                      "('North Health', 'South Health')")
    assert not open_lake().files("encounters")  # nothing loaded

    loaded = runner.invoke(app, ["ingest", "encounters", str(path), "--organization", "South Health",
                                 "--format", "json"])
    assert loaded.exit_code == 0, loaded.output
    assert json.loads(loaded.output)["encounters_loaded"] == 1
    assert specialties() == {"Inpatient Medicine"}  # South's name, not North's hospital_medicine


def test_an_unknown_organization_is_named_in_the_error(lake_root, tmp_path, two_organizations):
    path = write_csv(tmp_path / "coded.csv", inpatient("A", HAC))
    result = runner.invoke(app, ["ingest", "encounters", str(path), "--organization", "West Health"])
    assert isinstance(result.exception, UserError)
    assert "no organization named 'West Health'" in str(result.exception)
    assert not open_lake().files("encounters")


def test_a_facility_marked_poa_exempt_in_the_app_is_grouped_exempt_by_the_cli(lake_root, tmp_path):
    with scopes_disabled():
        org = Organization.objects.create(name="North Health")
        Facility.objects.create(organization=org, code="Kids Hospital", poa_exempt=True)
        Facility.objects.create(organization=org, code="North Campus")
    assert exempt_facilities(["Shriners"]) == ["Shriners", "Kids Hospital"]
    rows = inpatient("A", HAC, facility="North Campus") + inpatient("B", HAC, facility="Kids Hospital")
    result = runner.invoke(app, ["ingest", "encounters", str(write_csv(tmp_path / "coded.csv", rows)),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    table = open_lake().connect().table("encounters").execute()
    # as if --poa-exempt-facility "Kids Hospital" had been given (tests/ingest/test_encounters_fiscal_year.py)
    assert dict(zip(table["facility"], table["drg"], strict=True)) == {"North Campus": 999, "Kids Hospital": 291}
