from codingwatch.synth.params import WorldParams
from codingwatch.synth.world import generate_world

FILES = ("encounters.csv", "audited.csv", "errors.csv", "facilities.csv", "vendors.csv", "coders.csv",
         "work_queues.csv", "queue_assignments.csv", "world.json", "claims_truth.csv", "contracts.yaml",
         "queries.csv", "audited_charts.csv", "scorecard_truth.json")


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


def test_separate_processes_write_the_same_bytes_whatever_their_hash_seed(tmp_path):
    import os
    import subprocess
    import sys

    for name, hash_seed in (("a", "1"), ("b", "2")):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        subprocess.run([sys.executable, "-m", "codingwatch.cli", "synth", str(tmp_path / name), "-n", "1200",
                        "--seed", "5", "--format", "json"], check=True, env=env, capture_output=True)
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
