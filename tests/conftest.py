"""Fixtures every test may use. Module-specific fixtures live in that folder's conftest.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Command output is read by tests as a person reads it on a wide terminal: tables must not be
# squeezed to whatever width a test worker happens to report.
os.environ["COLUMNS"] = "200"

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(autouse=True)
def _own_var_dir(tmp_path, monkeypatch):
    """No test reads or writes the checkout's var/ (a demo's app database there would otherwise
    be found by the commands that look for one)."""
    monkeypatch.setenv("CODINGWATCH_VAR", str(tmp_path / "var"))


@pytest.fixture
def lake_root(tmp_path, monkeypatch) -> Path:
    """An empty lake in a temporary folder, set as CODINGWATCH_LAKE for the test."""
    root = tmp_path / "lake"
    monkeypatch.setenv("CODINGWATCH_LAKE", str(root))
    monkeypatch.setenv("CODINGWATCH_VAR", str(tmp_path / "var"))
    return root


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the repository (public fixtures); tests that need it skip without it."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside this clone: the public X12 fixtures are not available")
    return SHARED


@pytest.fixture(scope="session")
def _lake_templates(tmp_path_factory):
    return {}


@pytest.fixture
def lake_from_template(_lake_templates, tmp_path_factory):
    """`lake_from_template(name, build, lake_root)`: the lake `build(root, folder)` fills, built
    once per test process (under the secret in force: keys and encrypted ids depend on it) and
    copied to `lake_root` for each test, which may change its copy. For the per-test lakes that
    go through the real ingest (a remittance load alone takes a second): the copy holds the same
    files, manifests and kept outcomes as a fresh load of the same inputs."""
    import shutil

    from codingwatch import config
    from codingwatch.lake import open_lake

    def make(name: str, build, lake_root: Path):
        if lake_root.exists() and any(lake_root.iterdir()):
            # another lake fixture of the same test has filled it: this one loads on top, as a user would
            build(lake_root, tmp_path_factory.mktemp(f"lake-{name}"))
            return open_lake(lake_root)
        key = (name, config.secret_key())
        if key not in _lake_templates:
            folder = tmp_path_factory.mktemp(f"lake-template-{name}")
            build(folder / "lake", folder)
            _lake_templates[key] = folder / "lake"
        shutil.copytree(_lake_templates[key], lake_root)
        return open_lake(lake_root)

    return make


def built_once(tmp_path_factory, worker_id: str, name: str, build):
    """A folder that `build(folder)` fills, built once for the whole test run and shared by its
    test processes (pytest-xdist workers): the first to ask builds it under a file lock, the
    others wait and reuse it. Read-only for its users: copy it before changing anything."""
    if worker_id == "master":  # one process: a session fixture is once already
        folder = tmp_path_factory.mktemp(name)
        build(folder)
        return folder
    import shutil

    from filelock import FileLock

    folder = tmp_path_factory.getbasetemp().parent / name  # the run's folder, above every worker's
    with FileLock(str(folder) + ".lock"):
        if not (folder / ".built").is_file():
            shutil.rmtree(folder, ignore_errors=True)  # what a worker that died while building left
            folder.mkdir()
            build(folder)
            (folder / ".built").touch()
    return folder


@pytest.fixture(scope="session")
def full_lake(tmp_path_factory, worker_id):
    """The lake as the demo fills it (tests/full_lake.py: a 2,000-encounter world's encounters,
    claims, remittances and access logs through the real ingest), built once per test run:
    a WorldLake(world=the synth folder, lake_root). Read-only: copy it before loading more."""
    from tests.full_lake import WorldLake, build_world_lake

    folder = built_once(tmp_path_factory, worker_id, "full_lake", build_world_lake)
    return WorldLake(world=folder / "world", lake_root=folder / "lake")


@pytest.fixture(scope="session")
def synth_world_600(tmp_path_factory, worker_id) -> Path:
    """The folder `codingwatch synth --encounters 600 --seed 5` writes, generated once per test
    run (the web diligence and provenance tests read it). Read-only."""
    from codingwatch.synth.params import WorldParams
    from codingwatch.synth.world import generate_world

    return built_once(tmp_path_factory, worker_id, "synth_world_600",
                      lambda folder: generate_world(WorldParams(encounters=600, seed=5), folder))


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """One PySpark session in local mode for the whole test session (the cross-backend suite,
    marker `spark`); skips where there is no Java runtime to start it."""
    import shutil

    if shutil.which("java") is None:
        pytest.skip("no Java runtime: PySpark cannot start (apt-get install default-jre-headless)")
    pyspark_sql = pytest.importorskip("pyspark.sql")
    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.default.parallelism", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.sources.parallelPartitionDiscovery.threshold", "1000")  # list files on the driver
        # A test session's JVM lives minutes over small tables: the quick JIT tier alone and the
        # single-threaded collector start and warm up in half the time on two cores, without
        # changing what any query computes.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
