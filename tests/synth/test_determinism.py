from codingwatch.synth.params import WorldParams
from codingwatch.synth.world import generate_world

FILES = ("encounters.csv", "audited.csv", "errors.csv", "facilities.csv", "vendors.csv", "coders.csv",
         "work_queues.csv", "queue_assignments.csv", "world.json")


def test_the_same_seed_gives_byte_identical_files(tmp_path):
    generate_world(WorldParams(encounters=1_500, seed=42), tmp_path / "a")
    generate_world(WorldParams(encounters=1_500, seed=42), tmp_path / "b")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_a_different_seed_gives_a_different_world(tmp_path):
    generate_world(WorldParams(encounters=1_500, seed=42), tmp_path / "a")
    generate_world(WorldParams(encounters=1_500, seed=43), tmp_path / "b")
    assert (tmp_path / "a" / "encounters.csv").read_bytes() != (tmp_path / "b" / "encounters.csv").read_bytes()
    assert (tmp_path / "a" / "errors.csv").read_bytes() != (tmp_path / "b" / "errors.csv").read_bytes()
