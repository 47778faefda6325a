"""Code lists install from the official files with nothing lost, and the ProClass -> DEFRA SIC
group mapping covers every ProClass code with a group the factor table has. Expected counts are
read from the files here with the csv module."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pytest
from independent import DATA, need

from observatory.classify.categories import (
    CodeListError,
    codes,
    extend_proclass,
    import_code_list,
    sic_group_rules,
)
from observatory.store import Warehouse

CODELISTS = DATA / "codelists"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def proclass() -> Warehouse:
    warehouse = Warehouse.memory()
    import_code_list(warehouse, need(CODELISTS / "proclass_17.csv"))
    return warehouse


def test_proclass_v17_installs_every_code(proclass: Warehouse) -> None:
    rows = _rows(CODELISTS / "proclass_17.csv")
    installed = codes(proclass, "proclass")
    assert len(rows) == 586  # the data README's count
    assert set(installed) == {r["code"].zfill(6) for r in rows}
    assert installed["321014"]["label"] == "Domiciliary Care"
    assert installed["321014"]["level1"] == "Social Community Care Supplies & Services - Adult"
    assert installed["321600"]["label"] == "Reablement"  # level 3 is the label when present


def test_cpv_installs_every_code_with_its_check_digit() -> None:
    path = need(CODELISTS / "cpv_codes.csv")
    rows = _rows(path)
    warehouse = Warehouse.memory()
    result = import_code_list(warehouse, path)
    installed = codes(warehouse, "cpv")
    assert result.scheme == "cpv" and result.codes == len(rows) == 9454
    for r in rows[::97]:
        code, check = r["CODE"].split("-")
        assert installed[code]["check_digit"] == check
        assert installed[code]["label"] == r["EN"]
        assert installed[code]["level1"] == code[:2]


def test_sic_installs_only_2007_subclasses() -> None:
    path = need(CODELISTS / "CoSicCode.csv")
    rows = _rows(path)
    five = {
        r["siccode_sictext_1"].split(" - ")[0]
        for r in rows
        if len(r["siccode_sictext_1"].split(" - ")[0]) == 5
    }
    warehouse = Warehouse.memory()
    result = import_code_list(warehouse, path)
    assert set(codes(warehouse, "sic")) == five
    assert result.skipped == len(rows) - len(five)
    assert codes(warehouse, "sic")["43991"]["level1"] == "F"  # scaffolding is construction
    assert codes(warehouse, "sic")["86101"]["level1"] == "Q"  # hospitals: health and social work


def test_unknown_file_teaches_the_expected_headers(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(CodeListError, match="Expected ProClass"):
        import_code_list(Warehouse.memory(), path)


def test_every_proclass_code_has_a_defra_sic_group(proclass: Warehouse) -> None:
    factors = _rows(need(DATA / "emission-factors" / "defra_eeio_factors_by_sic_2022.csv"))
    groups = {r["sic_code"] for r in factors}
    mapped = {r["code"]: r for r in proclass.fetch("SELECT * FROM proclass_sic_groups")}
    assert set(mapped) == set(codes(proclass, "proclass"))
    assert {r["sic_group"] for r in mapped.values()} <= groups
    assert all(r["note"] for r in mapped.values())
    # Checked against the SIC 2007 definitions by hand.
    expected = {
        "321014": "88",  # domiciliary care: social work without accommodation
        "321017": "87",  # nursing and residential care homes: residential care
        "371100": "35.2-3",  # gas
        "371300": "36",  # water
        "381100": "19",  # vehicle fuel: refined petroleum products
        "381300": "29",  # industrial vehicles (refuse vehicles): motor vehicles
        "281000": "69.1",  # legal advocacy
        "182015": "38",  # waste disposal
    }
    for code, group in expected.items():
        assert mapped[code]["sic_group"] == group, code


def test_mapping_rules_name_real_proclass_levels() -> None:
    rows = _rows(need(CODELISTS / "proclass_17.csv"))
    pairs = {(r["level1"], r["level2"]) for r in rows}
    for rule in sic_group_rules():
        assert (rule.level1, rule.level2) in pairs or rule.code, rule
    shipped = resources.files("observatory") / "data" / "proclass_sic_groups.csv"
    assert shipped.is_file()


def test_codes_seen_in_labels_extend_proclass(proclass: Warehouse) -> None:
    proclass.execute(
        "INSERT INTO contracts (contract_key, source, organisation, source_file, proclass_code, "
        "proclass_label) VALUES ('a', 'register', 'x', 'f', '321018', 'SC : OP Residential Home'),"
        " ('b', 'register', 'x', 'f', '2023-03-31', 'Children'),"
        " ('c', 'register', 'x', 'f', '999999', 'Non-procurement')"
    )
    added = {r["code"]: r for r in extend_proclass(proclass)}
    assert set(added) == {"321018", "999999"}  # a date is not a code
    # OP = older people: the neighbouring v17 codes 32101x are all adult social care.
    assert added["321018"]["level1"] == "Social Community Care Supplies & Services - Adult"
    assert added["999999"]["level1"] == "Non-procurement"
    assert codes(proclass, "proclass")["321018"]["origin"] == "seen in labelled data: x"
