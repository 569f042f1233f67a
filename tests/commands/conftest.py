"""Fixtures the command tests share with the engines' tests they sit beside."""

from tests.sampling.conftest import encounter_lake, lake_writer  # noqa: F401  (fixtures)
