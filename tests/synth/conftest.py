"""Synthetic worlds shared by the synth tests: built once per session (generation is seeded)."""

from __future__ import annotations

import pytest

from codingwatch.synth.params import WorldParams
from codingwatch.synth.world import build_world, write_world


@pytest.fixture(scope="session")
def small_world(tmp_path_factory):
    """A 2,000-encounter world written to disk: (World, folder)."""
    world = build_world(WorldParams(encounters=2_000, seed=11))
    outdir = tmp_path_factory.mktemp("small_world")
    write_world(world, outdir)
    return world, outdir


@pytest.fixture(scope="session")
def mid_world(tmp_path_factory):
    """A 40,000-encounter world written to disk: enough volume for rates and change points."""
    world = build_world(WorldParams(encounters=40_000, seed=5))
    outdir = tmp_path_factory.mktemp("mid_world")
    write_world(world, outdir)
    return world, outdir
