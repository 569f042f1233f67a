"""Import the coder roster from CSV files: vendors, coders, work queues and queue assignments.

Files (UTF-8, header row, columns in any order; list columns are semicolon-separated):

  vendors.csv            code, name, delivery_model, work_locations
  coders.csv             login_id, vendor, credentials, specialties, location, start_date, end_date
  work_queues.csv        facility, service_line, encounter_type
  queue_assignments.csv  login_id, facility, service_line, encounter_type, from_date, to_date  (optional)

`vendor` in coders.csv is a vendor `code`; `code` and `login_id` are the values the lake's
`vendor` and `coder_id` columns hold. Dates are YYYY-MM-DD; end_date/to_date may be blank.

The import is all or nothing: every line is checked first and any problem stops it with a
message naming file, line, field and reason; re-importing the same files changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django_scopes import scopes_disabled

from codingwatch import vocabulary
from codingwatch.web.organizations.models import Facility, Organization, WorkQueue
from codingwatch.web.organizations.vocabulary import load_vocabulary
from codingwatch.web.vendors.models import Coder, QueueAssignment, Vendor, validate_location

FILES = {
    "vendors": ("vendors.csv", ("code", "name", "delivery_model", "work_locations")),
    "coders": ("coders.csv", ("login_id", "vendor", "credentials", "specialties", "location", "start_date", "end_date")),
    "work_queues": ("work_queues.csv", ("facility", "service_line", "encounter_type")),
    "queue_assignments": (
        "queue_assignments.csv",
        ("login_id", "facility", "service_line", "encounter_type", "from_date", "to_date"),
    ),
    "facilities": ("facilities.csv", ("code",)),  # optional columns: name, poa_exempt
}
OPTIONAL_FILES = {"queue_assignments", "facilities"}
YES, NO = ("yes", "y", "true", "1"), ("no", "n", "false", "0", "")
MAX_REPORTED = 50


class RosterError(ValueError):
    """The roster files have problems; `problems` lists each as 'file line N, field: reason'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_REPORTED]
        more = f"\n... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__(f"{len(problems)} problem(s) in the roster:\n" + "\n".join(shown) + more)


@dataclass
class RosterSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, column: str, reason: str) -> None:
        self.problems.append(f"{where}, {column}: {reason}")

    def rows(self, path: Path, columns: tuple[str, ...]):
        try:
            with open(path, newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                missing = [c for c in columns if c not in (reader.fieldnames or [])]
                if missing:
                    self.problems.append(f"{path.name}: missing column(s) {', '.join(missing)}")
                    return
                for line, row in enumerate(reader, start=2):
                    if None in row:
                        self.problems.append(f"{path.name} line {line}: more fields than the header has")
                        continue
                    yield f"{path.name} line {line}", {k: (v or "").strip() for k, v in row.items()}
        except UnicodeDecodeError as exc:
            self.problems.append(f"{path.name}: not UTF-8 text ({exc.reason})")

    def required(self, where, row, column):
        value = row[column]
        if not value:
            self.problem(where, column, "required")
        return value

    def choice(self, where, row, column, allowed):
        value = self.required(where, row, column)
        if value and value not in allowed:
            self.problem(where, column, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def listed(self, where, row, column, allowed=None, validator=None):
        values = [v.strip() for v in row[column].split(";") if v.strip()]
        for value in values:
            if allowed is not None and value not in allowed:
                self.problem(where, column, f"{value!r} is not one of {', '.join(allowed)}")
            if validator is not None:
                try:
                    validator(value)
                except ValidationError as exc:
                    self.problem(where, column, "; ".join(exc.messages))
        return values

    def date(self, where, row, column, *, required=True):
        value = row[column]
        if not value:
            if required:
                self.problem(where, column, "required")
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.problem(where, column, f"{value!r} is not a date (YYYY-MM-DD)")
            return None


def _a_name(value: str) -> None:
    if not vocabulary.name_key(value):
        raise ValidationError(f"{value!r} needs a letter or digit")


def import_roster(directory: Path, *, organization: str) -> RosterSummary:
    """Read the roster files in `directory` and create or update the roster in one transaction."""
    directory = Path(directory)
    reader = _Reader()
    with scopes_disabled():
        names = load_vocabulary(Organization.objects.filter(name=organization).first())
    paths = {}
    for kind, (name, _) in FILES.items():
        path = directory / name
        if path.is_file():
            paths[kind] = path
        elif kind not in OPTIONAL_FILES:
            reader.problems.append(f"{path}: file not found")
    if reader.problems:
        raise RosterError(reader.problems)

    vendors = {}
    for where, row in reader.rows(paths["vendors"], FILES["vendors"][1]):
        code = reader.required(where, row, "code")
        if code in vendors:
            reader.problem(where, "code", f"{code!r} appears twice")
        vendors[code] = {
            "name": reader.required(where, row, "name"),
            "delivery_model": reader.choice(where, row, "delivery_model", vocabulary.DELIVERY_MODELS),
            "work_locations": reader.listed(where, row, "work_locations", validator=validate_location),
        }

    with scopes_disabled():
        known_vendors = set(vendors) | set(Vendor.objects.values_list("code", flat=True))
    coders = {}
    for where, row in reader.rows(paths["coders"], FILES["coders"][1]):
        login_id = reader.required(where, row, "login_id")
        if login_id in coders:
            reader.problem(where, "login_id", f"{login_id!r} appears twice")
        vendor = reader.required(where, row, "vendor")
        if vendor and vendor not in known_vendors:
            reader.problem(where, "vendor", f"{vendor!r} is not a vendor code in vendors.csv")
        location = reader.required(where, row, "location")
        if location:
            try:
                validate_location(location)
            except ValidationError as exc:
                reader.problem(where, "location", "; ".join(exc.messages))
        start, end = reader.date(where, row, "start_date"), reader.date(where, row, "end_date", required=False)
        if start and end and end < start:
            reader.problem(where, "end_date", "is before start_date")
        coders[login_id] = {
            "vendor": vendor,
            "credentials": reader.listed(where, row, "credentials", allowed=vocabulary.CREDENTIALS),
            "specialties": [names.canonical("specialty", v) or v
                            for v in reader.listed(where, row, "specialties", validator=_a_name)],
            "location": location,
            "start_date": start,
            "end_date": end,
        }

    def queue_key(where, row):
        # Facilities and service lines are the organization's names (stored canonical);
        # encounter types a standard (its usual spellings accepted).
        facility, service_line = reader.required(where, row, "facility"), reader.required(where, row, "service_line")
        encounter_type = reader.required(where, row, "encounter_type")
        if encounter_type and vocabulary.standard("encounter_type", encounter_type) is None:
            reader.problem(where, "encounter_type",
                           f"{encounter_type!r} is not one of {', '.join(vocabulary.ENCOUNTER_TYPES)}")
        return (
            names.canonical("facility", facility) or facility,
            names.canonical("specialty", service_line) or service_line,
            vocabulary.standard("encounter_type", encounter_type) or encounter_type,
        )

    queues = []
    for where, row in reader.rows(paths["work_queues"], FILES["work_queues"][1]):
        queues.append(queue_key(where, row))

    assignments = []
    if "queue_assignments" in paths:
        with scopes_disabled():
            known_coders = set(coders) | set(Coder.objects.values_list("login_id", flat=True))
        for where, row in reader.rows(paths["queue_assignments"], FILES["queue_assignments"][1]):
            login_id = reader.required(where, row, "login_id")
            if login_id and login_id not in known_coders:
                reader.problem(where, "login_id", f"{login_id!r} is not a coder in coders.csv")
            key = queue_key(where, row)
            if all(key) and key not in queues:
                reader.problem(where, "facility", f"queue {' / '.join(key)} is not in work_queues.csv")
            start, end = reader.date(where, row, "from_date"), reader.date(where, row, "to_date", required=False)
            if start and end and end < start:
                reader.problem(where, "to_date", "is before from_date")
            assignments.append((login_id, key, start, end))

    facilities = {}
    if "facilities" in paths:
        for where, row in reader.rows(paths["facilities"], FILES["facilities"][1]):
            code = reader.required(where, row, "code")
            if code in facilities:
                reader.problem(where, "code", f"{code!r} appears twice")
            exempt = row.get("poa_exempt", "").lower()
            if exempt not in YES + NO:
                reader.problem(where, "poa_exempt", f"{row['poa_exempt']!r} is not yes or no")
            facilities[code] = {"name": row.get("name", ""), "poa_exempt": exempt in YES}

    if reader.problems:
        raise RosterError(reader.problems)
    return _save(organization, vendors, coders, queues, assignments, facilities)


def _count(summary: RosterSummary, kind: str, created: bool) -> None:
    bucket = summary.created if created else summary.updated
    bucket[kind] = bucket.get(kind, 0) + 1


@scopes_disabled()
@transaction.atomic
def _save(organization, vendors, coders, queues, assignments, facilities=None) -> RosterSummary:
    summary = RosterSummary()
    org, made = Organization.objects.get_or_create(name=organization)
    if made and Organization.objects.count() == 1:
        # The installation's first organization adopts the staff users made before it (the
        # demo admin, a createsuperuser run before the first roster).
        # The user model through Django's registry: accounts builds on vendors, not the other way round.
        get_user_model().objects.filter(organization__isnull=True, vendor__isnull=True).update(organization=org)
    for code, values in (facilities or {}).items():
        _, created = Facility.objects.update_or_create(code=code, defaults={**values, "organization": org})
        _count(summary, "facilities", created)
    vendor_objects = {}
    for code, values in vendors.items():
        vendor, created = Vendor.objects.update_or_create(code=code, defaults={**values, "organization": org})
        vendor_objects[code] = vendor
        _count(summary, "vendors", created)
    for login_id, values in coders.items():
        vendor = vendor_objects.get(values["vendor"]) or Vendor.objects.get(code=values["vendor"])
        _, created = Coder.objects.update_or_create(login_id=login_id, defaults={**values, "vendor": vendor})
        _count(summary, "coders", created)
    queue_objects = {}
    for facility_code, service_line, encounter_type in queues:
        facility, _ = Facility.objects.get_or_create(code=facility_code, defaults={"organization": org})
        queue, created = WorkQueue.objects.get_or_create(
            facility=facility, service_line=service_line, encounter_type=encounter_type
        )
        queue_objects[(facility_code, service_line, encounter_type)] = queue
        _count(summary, "work_queues", created)
    for login_id, key, start, end in assignments:
        _, created = QueueAssignment.objects.update_or_create(
            coder=Coder.objects.get(login_id=login_id), work_queue=queue_objects[key], from_date=start,
            defaults={"to_date": end},
        )
        _count(summary, "queue_assignments", created)
    return summary
