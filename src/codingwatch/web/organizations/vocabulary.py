"""The organization's vocabulary in the app database, for the readers that need it.

`load_vocabulary()` gives the engines a plain `codingwatch.vocabulary.Vocabulary` (no Django
in the engines): the imported mappings, plus the names the app already knows as canonical
(facility codes, work queue service lines, contract SLA specialties).
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.db import transaction
from django_scopes import scopes_disabled

from codingwatch import vocabulary
from codingwatch.vocabulary import Vocabulary, name_key, read_mapping_file
from codingwatch.web.organizations.models import Facility, Organization, VocabularyName, WorkQueue


def load_vocabulary(organization=None) -> Vocabulary:
    """The vocabulary; the known names are `organization`'s when one is given (a roster import,
    an audit's bulk import), every organization's otherwise (a command run by the installation)."""
    # Through Django's registry, not an import: vendors builds on organizations.
    AccuracySLA = apps.get_model("vendors", "AccuracySLA")  # noqa: N806 (a model class)

    # Names only, read the same from any request's scope; filtered to the organization below.
    with scopes_disabled():
        facilities, queues, slas = Facility.objects.all(), WorkQueue.objects.all(), AccuracySLA.objects.all()
        if organization is not None:
            facilities = facilities.filter(organization=organization)
            queues = queues.filter(facility__organization=organization)
            slas = slas.filter(contract__vendor__organization=organization)
        known = [("facility", code) for code in facilities.values_list("code", flat=True)]
        known += [("specialty", s) for s in queues.values_list("service_line", flat=True).distinct()]
        known += [("specialty", s) for s in slas.values_list("specialty", flat=True).distinct()]
        names = VocabularyName.objects.all()
        if organization is not None:
            names = names.filter(organization=organization)
        rows = list(names.values_list("kind", "source", "canonical"))
    return Vocabulary.from_rows(rows, known=known)


def canonical(kind: str, name: str, vocab: Vocabulary | None = None) -> str:
    """The organization's canonical name for `name` (what contracts, strata and KPIs are keyed by)."""
    return (vocab or load_vocabulary()).canonical(kind, name) or ""


def known_specialties(vocab: Vocabulary | None = None, extra: list[str] | None = None) -> list[str]:
    """Every specialty the organization is known to use, canonical names, sorted: the defaults,
    the imported mappings' canonical names, queues and SLAs, and `extra` (e.g. the lake's)."""
    vocab = vocab or load_vocabulary()
    names = set(vocab.known.get("specialty", {}).values()) | set(vocabulary.SPECIALTIES)
    names |= {vocab.canonical("specialty", name) for name in extra or [] if name_key(name or "")}
    return sorted(names)


def lake_specialties() -> list[str]:
    """The specialties of the coded encounters in the lake (canonical names, as loaded)."""
    import duckdb

    from codingwatch.lake import open_lake

    files = open_lake().files("encounters")
    if not files:
        return []
    listing = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
    with duckdb.connect() as con:
        rows = con.execute(
            f"SELECT DISTINCT specialty FROM read_parquet([{listing}], union_by_name = true) "
            "WHERE origin = 'coded' AND specialty IS NOT NULL"
        ).fetchall()
    return [r[0] for r in rows]


@scopes_disabled()
def import_vocabulary(path: Path | str, organization: Organization) -> dict[str, int]:
    """Stores a mapping file (kind,source,canonical) as `organization`'s, all or nothing; safe to
    repeat. Returns counts: created, changed (a source name now mapped elsewhere), unchanged."""
    rows = read_mapping_file(path)
    counts = {"created": 0, "changed": 0, "unchanged": 0}
    mine = VocabularyName.objects.filter(organization=organization)
    with transaction.atomic():
        for kind, source, canonical_name in rows:
            row = mine.filter(kind=kind, source_key=name_key(source)).first()
            if row is None:
                VocabularyName.objects.create(organization=organization, kind=kind, source=source,
                                              canonical=canonical_name)
                counts["created"] += 1
            elif row.canonical != canonical_name.strip():
                row.source, row.canonical = source, canonical_name
                row.save()
                counts["changed"] += 1
            else:
                counts["unchanged"] += 1
    return counts
