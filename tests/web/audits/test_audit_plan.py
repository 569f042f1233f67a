"""Planning an audit and drawing its sample: frame from the lake, RAT-STATS draw, the bridge."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from codingwatch.codesets import grouper_version
from codingwatch.lake.keys import decrypt_source_id
from codingwatch.sampling.frames import draw_sample, read_frame
from codingwatch.web.audits.models import Audit
from codingwatch.web.audits.services.draw import draw
from tests.web.audit_fixtures import new_audit

pytestmark = pytest.mark.django_db


def test_an_auditor_plans_an_audit_through_the_form(login, auditor, roster):
    client = login(auditor)
    response = client.post(reverse("audit-new"), {
        "title": "Acme cardiology Q1", "vendor": roster["acme"].pk, "purpose": "focused", "coders": "ac1, ac2",
        "specialties": ["cardiology"], "encounter_types": ["inpatient"], "period_from": "2026-01-01",
        "period_to": "2026-03-31", "principal_dx_weight": 2, "payment_error_weight": 1, "limit_rule": "oig",
        "design": "simple", "strata_by": "", "size_rule": "fixed", "sample_size": 30,
        "expected_error_rate": "0.05", "desired_precision": "0.05", "confidence": "90", "seed": "4967669.23",
    })
    assert response.status_code == 302
    with scopes_disabled():
        audit = Audit.objects.get()
    assert (audit.coders, audit.specialties, audit.purpose, audit.principal_dx_weight) == (
        ["ac1", "ac2"], ["cardiology"], "focused", 2)


def test_a_seed_that_is_not_a_number_is_refused_by_the_plan_form(login, auditor, roster):
    response = login(auditor).post(reverse("audit-new"), {
        "title": "x", "vendor": roster["acme"].pk, "purpose": "routine", "period_from": "2026-01-01",
        "period_to": "2026-03-31", "principal_dx_weight": 1, "payment_error_weight": 1, "limit_rule": "cms",
        "design": "simple", "size_rule": "fixed", "sample_size": 3, "expected_error_rate": "0.05",
        "desired_precision": "0.05", "confidence": "90", "seed": "twelve",
    })
    assert response.status_code == 200
    assert "is not a number" in response.content.decode()


def test_only_auditors_plan_audits(login, acme_user, director):
    assert login(acme_user).get(reverse("audit-new")).status_code == 403
    assert login(director).get(reverse("audit-new")).status_code == 403


def audit_lake_snapshot(audit):
    from codingwatch.lake import open_lake

    return open_lake().snapshot()


def test_the_drawn_sample_is_the_rat_stats_draw_over_the_stored_frame(acme_audit):
    audit = acme_audit
    with scopes_disabled():
        cases = list(audit.cases.order_by("number"))
    frame_path = Path(audit.frame_file)
    assert hashlib.sha256(frame_path.read_bytes()).hexdigest() == audit.frame_sha256
    again = draw_sample(read_frame(frame_path), audit.seed, 4)
    assert [c.encounter_key for c in cases] == again.sample_keys
    assert audit.frame_size == 9 and len(cases) == 4
    assert audit.lake_snapshot == audit_lake_snapshot(audit)
    versions = {f"v{grouper_version(c.discharge_date or c.service_date)}" for c in cases}
    assert audit.code_sets["MS-DRG grouper / MCE"] == ", ".join(sorted(versions))


def test_each_case_holds_the_encounter_as_coded_in_the_lake(acme_audit, audit_lake):
    con = audit_lake.connect()
    with scopes_disabled():
        case = acme_audit.cases.filter(encounter_type="inpatient").first()
    lines = con.table("code_lines").filter(lambda t: t.encounter_key == case.encounter_key).to_pyarrow().to_pylist()
    assert sorted((line["code_system"], line["code"]) for line in lines) == sorted(
        (line["code_system"], line["code"]) for line in case.coded_lines)
    assert decrypt_source_id(case.source_id_enc).startswith("IP-")
    assert case.coded_drg is not None


def test_a_drawn_audit_does_not_change_when_the_lake_does(acme_audit, audit_lake, tmp_path):
    import shutil

    from codingwatch.ingest.encounters import ingest_encounter_files
    from tests.web.audit_fixtures import CODED

    with scopes_disabled():
        before = {c.number: (c.coded_lines, c.coded_drg) for c in acme_audit.cases.all()}
    more = tmp_path / "more.csv"
    more.write_text(CODED.read_text().replace("IP-", "IP-9"))  # nine new encounters in the period
    result = ingest_encounter_files([more], lake=audit_lake)[0]
    assert result.status == "loaded", result.message
    shutil.rmtree(audit_lake.root)  # and then the lake is gone altogether
    with scopes_disabled():
        audit = Audit.objects.get(pk=acme_audit.pk)
        after = {c.number: (c.coded_lines, c.coded_drg) for c in audit.cases.all()}
    assert after == before
    assert hashlib.sha256(Path(audit.frame_file).read_bytes()).hexdigest() == audit.frame_sha256


def test_a_sample_is_never_redrawn(acme_audit, auditor):
    from codingwatch.web.audits.services.draw import DrawRefused

    with scopes_disabled(), pytest.raises(DrawRefused, match="already drawn"):
        draw(acme_audit, auditor)


def test_a_per_coder_design_draws_a_fixed_number_from_each_coder(roster, auditor, audit_lake):
    audit = new_audit(roster["acme"], auditor, design="per_coder", sample_size=1)
    with scopes_disabled():
        draw(audit, auditor)
        coders = sorted(audit.cases.values_list("coder_id", flat=True))
    assert coders == sorted(audit.frame_strata)
    assert all(n == 1 for _, n in audit.frame_strata.values())


def test_the_attribute_size_comes_from_the_sampling_engine(roster, auditor, audit_lake):
    from codingwatch.sampling.size import attribute_sample_size

    audit = new_audit(roster["acme"], auditor, size_rule="attribute", expected_error_rate="0.20",
                      desired_precision="0.30", confidence="90")
    with scopes_disabled():
        draw(audit, auditor)
        assert audit.cases.count() == attribute_sample_size(9, 0.20, 0.30, "90").sample_size
