"""`codingwatch demo`: the main job end to end on the embedded default (what `make demo` runs)."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import typer
from rich.table import Table

from codingwatch.commands.common import FORMAT_OPTION, OutputFormat, UserError, console, print_json, progress
from codingwatch.commands.web import DEFAULT_SETTINGS, serve

DEMO_ADMIN = "demo-admin"
ORGANIZATION = "Synth Health"
# Demo contract terms, stated here so that the audit and cost pages have something to measure
# against; an organization enters its real contracts in the admin screens.
DEMO_CONTRACT = {
    "pricing": "per_chart",
    "price": Decimal("6.50"),
    "base_rate": Decimal("6500.00"),
    "rework_cost_per_denial": Decimal("43.84"),  # Premier 2022 (docs/cost.md)
    "accuracy": Decimal("95.00"),  # the common minimum (AHIMA practice)
    "turnaround_hours": {"inpatient": Decimal("72"), "outpatient": Decimal("48"), "ed": Decimal("48"),
                         "profee": Decimal("48")},
}


def _world_matches(world: Path, encounters: int, seed: int) -> bool | None:
    """None if there is no world yet; else whether it was made with these settings."""
    meta = world / "world.json"
    if not meta.exists():
        return None
    params = json.loads(meta.read_text()).get("parameters", {})
    return params.get("encounters") == encounters and params.get("seed") == seed


def demo(
    no_serve: bool = typer.Option(False, "--no-serve", help="do everything but serve; print a summary"),
    encounters: int = typer.Option(20_000, "--encounters", "-n", min=100, help="size of the synthetic world"),
    seed: int = typer.Option(2026, "--seed", help="seed of the synthetic world"),
    host: str = typer.Option("127.0.0.1", "--host", help="address to serve on"),
    port: int = typer.Option(8000, "--port", help="port to serve on"),
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Build the demo: migrate, create a demo admin, write a synthetic health system, load it, serve.

    Steps: apply the app database migrations; create the user `demo-admin` (role admin; its
    password is printed once, when it is created); write a synthetic health system under
    $CODINGWATCH_VAR/demo/world (`codingwatch synth`); load its encounters into the lake
    (`codingwatch ingest encounters`), its claims and remittances (`codingwatch ingest claims`,
    `codingwatch ingest remits`) and its roster into the app (vendors, coders, work queues),
    with a demo contract per vendor; load its access logs (`codingwatch ingest access`) and store
    the provenance alerts (`codingwatch provenance scan`); audit each contracted vendor's accuracy SLA
    specialty month by month through the audit workflow (commands/demo_audits.py), so the scorecard
    measures accuracy from final audits; print encounters and CMI by vendor; then serve the web app
    on http://127.0.0.1:8000. Running it again is safe: every step that is already done is
    skipped.

    Example: codingwatch demo --no-serve
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django

    django.setup()
    from django.core.management import call_command

    from codingwatch import config
    from codingwatch.ingest.encounters import ingest_encounter_files
    from codingwatch.lake import metrics, open_lake
    from codingwatch.reports import format as fmt
    from codingwatch.synth.params import WorldParams
    from codingwatch.synth.world import generate_world

    var = config.var_dir()
    var.mkdir(parents=True, exist_ok=True)
    world = var / "demo" / "world"
    quiet = output is OutputFormat.json
    password = None
    with progress(quiet=quiet) as bar:
        steps = bar.add_task("demo", total=9)

        bar.update(steps, description="migrating the app database")
        call_command("migrate", interactive=False, verbosity=0)
        shown = var / "demo" / "admin-password-shown"
        password, reset = _demo_admin(shown)
        if password and not quiet:
            # printed in the step that sets it, then marked shown: a run that dies before this
            # line leaves no mark, and the next run sets a new password and prints that one
            _print_admin_password(password, reset)
            _mark_shown(shown)
        bar.advance(steps)

        bar.update(steps, description="writing the synthetic health system")
        matches = _world_matches(world, encounters, seed)
        if matches is False:
            raise UserError(
                f"{world} holds a world made with other settings; run `codingwatch demo` with its "
                f"--encounters and --seed (see {world / 'world.json'}), or remove {var} to start over"
            )
        if matches is None:

            def report(description: str, total: int | None):
                task = bar.add_task(f"  {description}", total=total or 1)
                return lambda n: bar.advance(task, n)

            generate_world(WorldParams(encounters=encounters, seed=seed), world, report)
        bar.advance(steps)

        bar.update(steps, description="importing the roster")
        from codingwatch.web.vendors.services.roster import RosterError, import_roster

        try:
            import_roster(world, organization=ORGANIZATION)
        except RosterError as exc:
            raise UserError(f"the demo roster did not import: {exc}") from None
        _demo_contracts()
        _demo_contract_terms(world)
        _demo_diligence(world)
        bar.advance(steps)

        bar.update(steps, description="loading encounters into the lake")
        from django_scopes import scopes_disabled

        from codingwatch.web.organizations.models import Organization
        from codingwatch.web.organizations.vocabulary import load_vocabulary

        # The roster first, so the encounters load in the organization's own names (its
        # facilities are known, not reported as new).
        with scopes_disabled():
            vocabulary = load_vocabulary(Organization.objects.get(name=ORGANIZATION))
        lake = open_lake()
        results = ingest_encounter_files([world / "encounters.csv"], lake=lake, vocabulary=vocabulary)
        if results[0].status == "rejected":
            raise UserError(f"the demo world did not load: {results[0].message}")
        bar.advance(steps)

        bar.update(steps, description="loading claims (837) and remittances (835) into the lake")
        x12 = _ingest_x12(world, lake)
        bar.advance(steps)

        bar.update(steps, description="loading access logs into the lake")
        from codingwatch.ingest.access import ingest_access_file
        from codingwatch.ingest.ipmap import IpCountryMap

        access = ingest_access_file(world / "access_events.csv", lake=lake,
                                    ip_map=IpCountryMap.from_csv(world / "access_ip_map.csv"))
        if access.status == "rejected":
            raise UserError(f"the demo access logs did not load: {access.message}")
        _demo_queries(world, lake)
        bar.advance(steps)

        bar.update(steps, description="scanning access logs (provenance rules)")
        from codingwatch.web.provenance import services as provenance

        scanned = provenance.scan(started_by="codingwatch demo")
        bar.advance(steps)

        bar.update(steps, description="auditing each contracted vendor's months (the audit workflow)")
        from codingwatch.commands.demo_audits import make_demo_audits

        audits = make_demo_audits(world, ORGANIZATION)
        bar.advance(steps)

        bar.update(steps, description="summarizing")
        con = lake.connect()
        by_vendor = metrics.figures(con.table("encounters"), "vendor")
        denied = _denials_by_vendor(con)
        bar.advance(steps)

    rows = [{"vendor": r["key"], "encounters": r["encounters"], "inpatient": r["inpatient_encounters"], "cmi": r["cmi"]}
            for r in by_vendor.rows]
    if output is OutputFormat.json:
        print_json({"encounters_by_vendor": rows, "ingest": results[0].as_dict(), "claims": x12["claims"],
                    "remits": x12["remits"], "denials_by_vendor": denied, "world": str(world),
                    "access_ingest": access.as_dict(), "provenance": scanned.as_dict(), "audits": audits,
                    "admin": DEMO_ADMIN, "admin_password": password, "admin_password_reset": reset})
        if password:
            _mark_shown(shown)
    else:
        table = Table(title="demo: encounters and case mix index by vendor")
        for column in ("vendor", "encounters", "inpatient", "CMI"):
            table.add_column(column, justify="left" if column == "vendor" else "right")
        for r in rows:
            table.add_row(r["vendor"], fmt.count(r["encounters"]), fmt.count(r["inpatient"]), str(r["cmi"] or "-"))
        console.print(table)
        denials_table = Table(title="demo: denials by vendor (remitted claims, 835)")
        for column in ("vendor", "claims", "denied", "coding-related", "coding denial rate"):
            denials_table.add_column(column, justify="left" if column == "vendor" else "right")
        for r in denied:
            denials_table.add_row(r["vendor"], fmt.count(r["claims"]), fmt.count(r["denied"]), fmt.count(r["coding_denied"]),
                                  fmt.percent(r["coding_denial_rate"]))
        console.print(denials_table)
        console.print(results[0].message, highlight=False, soft_wrap=True)
        for kind, report in x12.items():
            console.print(f"{kind}: {report['files']} file(s) loaded, {len(report['skipped'])} already loaded, "
                          f"{report['claims']} claims", highlight=False)
        console.print(access.message, highlight=False, soft_wrap=True)
        console.print(f"provenance scan: {scanned.found} alerts, {scanned.new} new; open them at /provenance/",
                      highlight=False, soft_wrap=True)
        console.print(f"audits: {audits['audits_final']} final monthly accuracy audits ({audits['charts']} charts, "
                      f"{audits['findings']} findings), {audits['skipped']} already final; the scorecard at /scorecard/",
                      highlight=False, soft_wrap=True)
        if password:
            console.print(f"demo admin: {DEMO_ADMIN}, password printed above (shown once)", highlight=False)
        else:
            console.print(f"demo admin: {DEMO_ADMIN} (its password was printed when it was created; "
                          f"`codingwatch manage changepassword {DEMO_ADMIN}` sets a new one)")
    if not no_serve:
        console.print(f"serving on http://{host}:{port}/ (Ctrl-C stops)")
        serve(host=host, port=port, migrate=False)


def _denials_by_vendor(con) -> list[dict]:
    from codingwatch import denials

    frame = denials.denial_rates(denials.from_lake(con)["linked"], ["vendor"]).execute()
    return [{"vendor": r.vendor, "claims": int(r.claims), "denied": int(r.denied),
             "coding_denied": int(r.coding_denied), "coding_denial_rate": round(float(r.coding_denial_rate), 4)}
            for r in frame.itertuples()]


def _ingest_x12(world: Path, lake) -> dict[str, dict]:
    """Load the world's 837s and 835s (files already in the lake are skipped)."""
    from codingwatch.ingest.x12.load import ingest_claims, ingest_remits

    out = {}
    for kind, ingest, pattern in (("claims", ingest_claims, "claims/*.837"), ("remits", ingest_remits, "remits/*.835")):
        report = ingest(sorted(world.glob(pattern)), lake=lake)
        if report.rejected:
            first = report.rejected[0]
            raise UserError(f"the demo {kind} did not load: {first['file']} segment {first['segment']}: "
                            f"{first['reason']}")
        out[kind] = {"files": report.files, "skipped": [Path(p).name for p in report.skipped],
                     "claims": report.claims}
    return out


def _demo_admin(shown: Path) -> tuple[str | None, bool]:
    """The demo admin's new password, or None when it exists and its password was shown.

    Returns (password, reset): the user is created with a new password; or, when it exists but
    `shown` is missing (a run died between creating it and printing its password), it is given
    a new password (reset True), since the old one was never seen by anybody."""
    import secrets

    from django.db import transaction

    from codingwatch.web.accounts import roles
    from codingwatch.web.accounts.models import User

    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=DEMO_ADMIN).first()
        # a login proves somebody had the password (and a demo made before the mark existed)
        if user is not None and (shown.exists() or user.last_login is not None):
            return None, False
        password = secrets.token_urlsafe(12)
        if user is None:
            User.objects.create_user(username=DEMO_ADMIN, password=password, role=roles.ADMIN, is_staff=True,
                                     is_superuser=True)
            return password, False
        user.set_password(password)
        user.save(update_fields=["password"])
        return password, True


def _print_admin_password(password: str, reset: bool) -> None:
    if reset:
        console.print(f"demo admin: {DEMO_ADMIN} existed but its password was never shown (an earlier run "
                      "stopped first): it has a new one", highlight=False)
    console.print(f"demo admin: [bold]{DEMO_ADMIN}[/], password (shown once): [bold]{password}[/]")
    console.file.flush()


def _mark_shown(shown: Path) -> None:
    shown.parent.mkdir(parents=True, exist_ok=True)
    shown.write_text(f"the password of {DEMO_ADMIN} was printed; delete this file to have the next "
                     "`codingwatch demo` set and print a new one\n", encoding="utf-8")


def _demo_diligence(world: Path) -> None:
    """The world's evidence documents, credentials on file, declarations and candidate vendors."""
    if not (world / "diligence.json").exists():
        return
    from django_scopes import scopes_disabled

    from codingwatch.web.diligence.services import import_diligence
    from codingwatch.web.organizations.models import Organization

    with scopes_disabled():
        import_diligence(world / "diligence.json", organization=Organization.objects.get(name=ORGANIZATION))


def _demo_contracts() -> None:
    """One contract per vendor of the demo roster that has none, with SLAs for every specialty."""
    import datetime as dt

    from codingwatch.vocabulary import SPECIALTIES
    from codingwatch.web.vendors.services.contracts import Terms, contract_every_vendor

    terms = DEMO_CONTRACT
    contract_every_vendor(Terms(
        start_date=dt.date(2025, 10, 1), baa_date=dt.date(2025, 9, 15),
        pricing=terms["pricing"], price=terms["price"], base_rate=terms["base_rate"],
        rework_cost_per_denial=terms["rework_cost_per_denial"],
        # PHI access terms: the countries of the declared work locations (left empty), and work
        # only through the VDI for outside vendors (requires_vdi left to the delivery model)
        accuracy={s: terms["accuracy"] for s in SPECIALTIES}, turnaround_hours=terms["turnaround_hours"],
    ))


def _demo_contract_terms(world: Path) -> None:
    """The world's contracts (SLAs with an amendment, credit schedules) onto the demo contracts."""
    terms = world / "contracts.yaml"
    if not terms.exists():  # a world written before the scorecard files
        return
    from codingwatch.scorecard.terms import TermsError
    from codingwatch.web.vendors.services.contract_terms import import_terms

    try:
        import_terms(terms)
    except TermsError as exc:
        raise UserError(f"the demo contract terms did not import: {exc}") from None


def _demo_queries(world: Path, lake) -> None:
    """The world's CDI / physician query log (a file already loaded is skipped)."""
    if not (world / "queries.csv").exists():
        return
    from codingwatch.ingest.queries import ingest_query_file

    result = ingest_query_file(world / "queries.csv", lake=lake)
    if result.status == "rejected":
        raise UserError(f"the demo query log did not load: {result.message}")
