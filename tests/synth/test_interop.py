"""The world's files load with the project's own readers: the lake ingest and the roster importer."""

import pytest

from codingwatch.ingest.encounters import ingest_encounter_files
from codingwatch.lake import open_lake


@pytest.mark.parametrize("name", ["encounters.csv", "audited.csv"])
def test_ingest_loads_every_encounter_with_no_drg_mismatch(small_world, lake_root, tmp_path, name):
    world, outdir = small_world
    (result,) = ingest_encounter_files([outdir / name], lake=open_lake(), rejects_dir=tmp_path)
    assert result.status == "loaded", result
    assert result.encounters_loaded == len(world.encounters)
    assert result.lines_rejected == 0 and result.drg_mismatches == 0


@pytest.mark.django_db
def test_the_roster_folder_imports_as_is(small_world):
    from django_scopes import scopes_disabled

    from codingwatch.web.vendors.models import Coder, QueueAssignment, Vendor
    from codingwatch.web.vendors.services.roster import import_roster

    world, outdir = small_world
    import_roster(outdir, organization="Synth Health")
    with scopes_disabled():
        assert Vendor.objects.count() == len(world.params.vendors)
        assert Coder.objects.count() == len(world.roster.logins)
        assert QueueAssignment.objects.count() == sum(len(lg.queues) for lg in world.roster.logins)
