"""The CARC/RARC catalog: our own table, well formed, agreeing with the domain reference."""

from __future__ import annotations

import re

from codingwatch.codesets import carc


def test_every_entry_has_a_description_category_source_and_date():
    for entry in carc.catalog().values():
        assert entry.description and entry.category and entry.source
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry.source_date)
        assert entry.coding_related in ("yes", "no", "depends")


def test_the_carcs_the_domain_reference_names_as_coding_are_marked_coding(shared_dir):
    text = (shared_dir / "reference" / "domain.md").read_text()
    paragraph = text[text.index("CARCs that commonly point to coding"):text.index("The catalog must be")]
    codes = set(re.findall(r"\b(\d{1,3}|B\d{1,2})\b", paragraph))
    assert {"4", "11", "97", "236", "B20"} <= codes  # the paragraph was found and read
    for code in codes:
        entry = carc.lookup("CARC", code)
        assert entry is not None, code
        assert entry.coding_related in ("yes", "depends"), code


def test_carc_16_turns_on_its_remark_code():
    assert carc.classify("16", ["M76"]) == "yes"
    assert carc.classify("16", ["N14"]) == "no"
    assert carc.classify("16") == "no"


def test_an_uncatalogued_code_is_unknown_not_dropped():
    assert carc.classify("Z99") == "unknown"
    assert carc.unknown_codes("CARC", ["45", "Z99", None, "Z99"]) == ["Z99"]
