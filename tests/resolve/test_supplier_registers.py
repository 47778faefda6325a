"""Register importers on small files in the real published formats (synthetic rows, see
data/README.md) and on the real postcode lookups in ../shared/data/geography; and what the
registers add to a supplier. Expected values are read from the files here with csv/json."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest
from independent import DATA, need

from observatory.resolve.registers import (
    RegisterError,
    import_charities,
    import_companies,
    import_postcodes,
)
from observatory.resolve.suppliers import prepare, resolve_seen
from observatory.store import Warehouse

HERE = Path(__file__).parent / "data"
COMPANIES = HERE / "BasicCompanyData-fixture.csv"
CHARITY_TXT = HERE / "publicextract.charity.fixture.txt"
CHARITY_JSON = HERE / "publicextract.charity.fixture.json"


def _companies_expected() -> dict[str, dict]:
    with COMPANIES.open(encoding="utf-8", newline="") as f:
        rows = [{k.strip(): v for k, v in r.items()} for r in csv.DictReader(f)]
    out = {}
    for r in rows:
        n = r["CompanyNumber"]
        number = n.zfill(8) if n.isdigit() else n[:2] + n[2:].zfill(6)
        sics = [r[f"SICCode.SicText_{i}"] for i in range(1, 5)]
        out[number] = {
            "company_name": r["CompanyName"],
            "company_status": r["CompanyStatus"],
            "company_category": r["CompanyCategory"],
            "postcode": r["RegAddress.PostCode"],
            "sic_codes": [s.split(" - ")[0] for s in sics if s and s != "None Supplied"],
            "incorporated": datetime.strptime(r["IncorporationDate"], "%d/%m/%Y").date(),
            "previous_names": [p for p in [r["PreviousName_1.CompanyName"]] if p],
        }
    return out


def test_companies_house_basic_company_data() -> None:
    expected = _companies_expected()
    with Warehouse.memory() as w:
        assert import_companies(w, [COMPANIES]) == len(expected)
        got = {
            r["company_number"]: r
            for r in w.fetch(
                "SELECT company_number, company_name, company_status, company_category, postcode, "
                "sic_codes, incorporated, previous_names FROM companies_register"
            )
        }
    assert set(got) == set(expected) and "01234567" in got  # 1234567 padded
    for number, want in expected.items():
        assert {k: got[number][k] for k in want} == want


def _charities_expected() -> dict[str, dict]:
    with CHARITY_TXT.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return {
        r["registered_charity_number"]: {
            "charity_name": r["charity_name"],
            "status": r["charity_registration_status"],
            "is_cio": r["charity_is_cio"] == "True",
            "company_number": r["charity_company_registration_number"].zfill(8)
            if r["charity_company_registration_number"]
            else None,
            "postcode": r["charity_contact_postcode"],
        }
        for r in rows
        if r["linked_charity_number"] == "0"
    }


@pytest.mark.parametrize("extract", [CHARITY_TXT, CHARITY_JSON], ids=["txt", "json"])
def test_charity_commission_register_extract(extract: Path) -> None:
    expected = _charities_expected()
    assert len(json.loads(CHARITY_JSON.read_text(encoding="utf-8-sig"))) == len(expected) + 1
    with Warehouse.memory() as w:
        assert import_charities(w, [extract]) == len(expected)
        got = {
            r["charity_number"]: r
            for r in w.fetch(
                "SELECT charity_number, charity_name, status, is_cio, company_number, postcode "
                "FROM charity_register"
            )
        }
    assert set(got) == set(expected)
    for number, want in expected.items():
        assert {k: got[number][k] for k in want} == want


def test_postcode_lookups_as_published() -> None:
    gm = need(DATA / "geography" / "gm_postcodes.csv")
    trafford = need(DATA / "geography" / "trafford_postcodes.csv")
    with gm.open(encoding="utf-8") as f:
        gm_rows = {r["postcode"]: (r["area_code"], r["area_name"]) for r in csv.DictReader(f)}
    with trafford.open(encoding="utf-8") as f:
        tr_rows = {r["postcode"]: (r["la_code"], r["la_name"]) for r in csv.DictReader(f)}
    with Warehouse.memory() as w:
        assert import_postcodes(w, [gm]) == len(gm_rows)
        assert import_postcodes(w, [trafford]) == len(tr_rows)
        got = {
            r["postcode"]: (r["district_code"], r["district_name"])
            for r in w.fetch(
                "SELECT postcode, district_code, district_name FROM reference_postcodes"
            )
        }
    assert got == gm_rows | tr_rows


def test_a_file_that_is_not_the_register_says_what_it_found() -> None:
    with Warehouse.memory() as w, pytest.raises(RegisterError, match="no company name column"):
        import_companies(w, [CHARITY_JSON.with_name("README.md")])


def _record(key: str, name: str, **ids: str) -> dict:
    return {"record_key": key, "organisation": "x", "supplier_name": name, **ids}


def _resolve(w: Warehouse, records: list[dict]) -> None:
    columns = ["record_key", "organisation", "supplier_name", "company_number", "charity_number"]
    w.register("given", pa.table({c: [r.get(c) for r in records] for c in columns}))
    prepare(w)
    w.execute(
        """
        CREATE OR REPLACE TEMP TABLE resolve_seen AS
        SELECT record_key, 'spend' AS source, organisation, supplier_name, company_number,
               charity_number, NULL::VARCHAR AS vat_number, NULL::VARCHAR AS ppon,
               NULL::VARCHAR AS other_identifier, NULL::VARCHAR AS postcode,
               []::VARCHAR[] AS sme_flags, []::VARCHAR[] AS vcse_flags, 3::BIGINT AS lines,
               100.00::DECIMAL(18,2) AS amount, NULL::DATE AS first_date, NULL::DATE AS last_date
        FROM given
        """
    )
    resolve_seen(w, threads=1)


def test_registers_name_the_legal_entity_its_sic_codes_and_district() -> None:
    need(DATA / "geography" / "gm_postcodes.csv")
    with Warehouse.memory() as w:
        import_companies(w, [COMPANIES])
        import_charities(w, [CHARITY_TXT])
        import_postcodes(w, [DATA / "geography" / "gm_postcodes.csv"])
        _resolve(
            w,
            [
                # No number published: the one register entry with this name names it.
                _record("a", "Example Fixture Widgets Ltd"),
                # Two register entries share the cleaned name: no guess.
                _record("b", "Example Twin Ltd"),
                _record("c", "Example Fixture Partners", company_number="OC400001"),
                _record("d", "Fixture Foodbank", charity_number="1190002"),
            ],
        )
        s = {
            r["supplier_name"]: r
            for r in w.fetch(
                "SELECT r.supplier_name, s.* FROM supplier_records r JOIN suppliers s USING "
                "(supplier_id)"
            )
        }
        widgets = s["Example Fixture Widgets Ltd"]
        assert widgets["company_number"] == "00012345"
        assert widgets["identifiers"] == ["GB-COH-00012345"]
        assert widgets["sic_codes"] == ["62020"]
        assert widgets["legal_form"] == "company"
        assert (widgets["postcode"], widgets["district_code"]) == ("BL1 1AA", "E08000001")
        assert widgets["canonical_name"] == "EXAMPLE FIXTURE WIDGETS LIMITED"
        assert s["Example Twin Ltd"]["company_number"] is None
        assert s["Example Fixture Partners"]["legal_form"] == "LLP"
        food = s["Fixture Foodbank"]
        assert (food["legal_form"], food["is_vcse"], food["postcode"]) == (
            "charity",
            True,
            "BL1 1AB",
        )
        evidence = w.fetch(
            "SELECT attribute, source FROM supplier_evidence WHERE supplier_id = ?",
            [widgets["supplier_id"]],
        )
        sources = {(e["attribute"], e["source"]) for e in evidence}
        assert ("sic", "Companies House register") in sources
        assert ("postcode", "Companies House registered office") in sources
        assert any(a == "identifier" and "one Companies House register entry" in src
                   for a, src in sources)  # fmt: skip
