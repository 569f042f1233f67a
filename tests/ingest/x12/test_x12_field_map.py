"""Every column the X12 readers keep is mapped to its X12 source in one table (FIELDS)."""

from __future__ import annotations

import pytest

from codingwatch.ingest.x12 import claims, remits
from codingwatch.lake.schema import TABLES

# Columns that tie rows together rather than carry an X12 element.
LINK_COLUMNS = {"load_id", "encounter_key", "claim_row", "service_row", "payment_row", "segment"}
MAPPED = {**claims.FIELDS, **remits.FIELDS}


@pytest.mark.parametrize("table", ["claims", "claim_codes", "claim_lines", "remit_payments", "remit_claims",
                                   "remit_lines", "remit_adjustments", "remit_remarks",
                                   "remit_provider_adjustments"])
def test_every_kept_column_is_mapped_to_its_x12_source(table):
    unmapped = [c for c in TABLES[table].names if c not in LINK_COLUMNS and c not in MAPPED[table]]
    assert unmapped == []


def test_the_map_names_no_column_the_lake_does_not_have():
    for table, columns in MAPPED.items():
        if table == "code_lines":
            continue  # described by code system, not by column
        assert set(columns) <= set(TABLES[table].names) | LINK_COLUMNS, table
