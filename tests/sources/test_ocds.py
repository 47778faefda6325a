"""OCDS loading on real Contracts Finder packages and the OCDS merge golden files.

Expected values are computed here from the raw files with plain ``json``, not with the loader.
"""

from __future__ import annotations

import html
import json
import os
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from observatory.sources.ocds import (
    Reject,
    company_number,
    compile_release,
    compiled_release,
    derive_merge_rules,
    load_ocds,
    notice_key,
    postcode,
)
from observatory.sources.receipt import LoadError, Receipt
from observatory.store.warehouse import Warehouse

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SCHEMAS = DATA.parent / "schemas"
CF = DATA / "ocds-contracts-finder"
RAW = CF / "json_1_1_raw"
MATCHED = CF / "json_1_1_supplier_ids_match"
GOLDEN = DATA / "ocds-fixtures" / "ocds-merge" / "1.1"
OCDSKIT = DATA / "ocds-fixtures" / "ocdskit"
UK_SCHEMA = SCHEMAS / "ocds-uk-extension" / "built" / "uk-patched-release-schema.json"
SHIPPED_RULES = (
    Path(__file__).resolve().parents[2] / "src" / "observatory" / "data" / "ocds_merge_rules.json"
)
TABLES = ("releases", "contracts", "contract_suppliers", "rejects", "source_files")


def need(path: Path) -> Path:
    """The shared data path; in CI a missing file fails the test instead of skipping it."""
    if not path.exists():
        message = f"shared test data missing: {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def package_files(folder: Path) -> list[Path]:
    return sorted(need(folder).glob("*.json"))


def releases_of(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["releases"]


def suffix(ocid: str) -> str:
    """The part of an ocid after ``ocds-<prefix>-``, computed without the loader's regex."""
    return ocid.split("-", 2)[2]


def counts(warehouse: Warehouse) -> dict[str, int]:
    return {t: warehouse.fetch_value(f"SELECT count(*) FROM {t}") for t in TABLES}


def total(receipts: list[Receipt], name: str) -> Any:
    return sum(getattr(r, name) for r in receipts)


@pytest.fixture(scope="module")
def cf_load() -> tuple[Warehouse, list[Receipt], list[Path]]:
    paths = package_files(RAW) + package_files(MATCHED)
    warehouse = Warehouse.memory()
    receipts = load_ocds(warehouse, paths, organisation="network")
    return warehouse, receipts, paths


def first_seen_releases(paths: list[Path]) -> dict[str, dict[str, Any]]:
    """Each notice's release as the first file (in load order) carries it."""
    first: dict[str, dict[str, Any]] = {}
    for path in paths:
        for release in releases_of(path):
            first.setdefault(suffix(release["ocid"]), release)
    return first


# -- the real Contracts Finder folders -----------------------------------------------------


def test_both_folders_are_the_expected_real_files() -> None:
    assert len(package_files(RAW)) == 80
    assert len(package_files(MATCHED)) == 59


def test_every_release_is_counted_once_and_receipts_reconcile(cf_load) -> None:
    warehouse, receipts, paths = cf_load
    releases = [r for p in paths for r in releases_of(p)]
    notices = {suffix(r["ocid"]) for r in releases}

    assert len(receipts) == len(paths)
    assert [r.file for r in receipts] == [str(p) for p in paths]
    assert all(r.reconciles() for r in receipts)
    assert total(receipts, "rows_read") == len(releases)
    assert total(receipts, "rows_rejected") == 0
    assert total(receipts, "rows_loaded") == len(notices)
    assert total(receipts, "rows_duplicate") == len(releases) - len(notices)
    assert warehouse.fetch_value("SELECT count(*) FROM releases") == len(notices)
    stored = warehouse.fetch_value("SELECT count(DISTINCT notice_key) FROM releases")
    assert stored == len(notices)


def test_notices_in_both_folders_are_the_duplicates(cf_load) -> None:
    _, receipts, paths = cf_load
    raw = {suffix(r["ocid"]) for p in package_files(RAW) for r in releases_of(p)}
    matched = {suffix(r["ocid"]): p for p in package_files(MATCHED) for r in releases_of(p)}
    in_both = raw & set(matched)
    assert len(in_both) == 6  # as the data README says
    duplicated_files = {r.file for r in receipts if r.rows_duplicate}
    assert duplicated_files == {str(matched[key]) for key in in_both}
    # The same notice carries the same release id in both folders: that is what makes it one.
    raw_ids = {suffix(r["ocid"]): r["id"] for p in package_files(RAW) for r in releases_of(p)}
    for key in in_both:
        assert releases_of(matched[key])[0]["id"] == raw_ids[key]


def test_contracts_are_one_row_per_award_with_its_suppliers(cf_load) -> None:
    warehouse, _, paths = cf_load
    first = first_seen_releases(paths)
    awards = {
        f"{key}:{award['id']}": award for key, rel in first.items() for award in rel["awards"]
    }
    rows = {r["contract_key"]: r for r in warehouse.fetch("SELECT * FROM contracts")}
    assert set(rows) == set(awards)
    suppliers = warehouse.fetch_value("SELECT count(*) FROM contract_suppliers")
    assert suppliers == sum(len(a["suppliers"]) for a in awards.values())
    for key, award in awards.items():
        if award["value"]["amount"]:
            assert rows[key]["value_amount"] == Decimal(str(award["value"]["amount"]))
        assert str(rows[key]["award_date"]) == award["date"][:10]
        assert str(rows[key]["start_date"]) == award["contractPeriod"]["startDate"][:10]
        assert rows[key]["source"] == "ocds"
        assert rows[key]["organisation"] == "network"


def test_contract_fields_of_one_real_notice(cf_load) -> None:
    warehouse, _, _ = cf_load
    path = RAW / "ocds-b5fd17raw-0054a4e6-0715-42c6-9109-e219fe9d3289.json"
    release = releases_of(path)[0]
    award = release["awards"][0]
    row = warehouse.fetch(
        "SELECT * FROM contracts WHERE contract_key = ?",
        [f"{suffix(release['ocid'])}:{award['id']}"],
    )[0]
    assert row["title"] == release["tender"]["title"]
    assert row["buyer_name"] == release["buyer"]["name"]
    assert row["cpv_code"] == release["tender"]["items"][0]["classification"]["id"]
    assert row["procedure"] == release["tender"]["procurementMethodDetails"]
    assert row["value_currency"] == award["value"]["currency"]
    assert str(row["published_date"]) == release["date"][:10]
    assert str(row["end_date"]) == award["contractPeriod"]["endDate"][:10]
    assert row["description"] == html.unescape(release["tender"]["description"]).strip()
    assert "&#039;" in release["tender"]["description"] and "&#039;" not in row["description"]


def test_receipt_money_matches_the_contract_rows(cf_load) -> None:
    warehouse, receipts, _ = cf_load
    loaded = total(receipts, "amount_loaded")
    assert loaded == warehouse.fetch_value("SELECT sum(value_amount) FROM contracts")
    assert total(receipts, "amount_read") == loaded + total(receipts, "amount_duplicate")
    for receipt in receipts:
        assert receipt.amount_read.as_tuple().exponent == -2


def test_html_entities_are_decoded_in_names(cf_load) -> None:
    warehouse, _, paths = cf_load
    escaped = {
        party["name"]
        for release in first_seen_releases(paths).values()
        for party in release["parties"]
        if "supplier" in party["roles"] and "&amp;" in party["name"]
    }
    once = {n for n in escaped if "&amp;amp;" not in n}
    twice = escaped - once
    assert once and twice  # the real files hold both
    names = {r["supplier_name"] for r in warehouse.fetch("SELECT * FROM contract_suppliers")}
    assert {html.unescape(n) for n in once} <= names
    assert {html.unescape(html.unescape(n)) for n in twice} <= names
    text = warehouse.fetch_value(
        "SELECT string_agg(concat_ws('|', title, description, buyer_name), '|') FROM contracts"
    )
    assert "&amp;" not in text and "&amp;" not in "".join(names)


def test_company_numbers_are_zero_padded(cf_load) -> None:
    warehouse, _, paths = cf_load
    first = first_seen_releases(paths)
    published = {
        party["identifier"]["id"]
        for release in first.values()
        for party in release["parties"]
        if (party.get("identifier") or {}).get("scheme") == "GB-COH"
        and party["id"] in {s["id"] for a in release["awards"] for s in a["suppliers"]}
    }
    short = {n for n in published if len(n) < 8}
    assert short  # real files drop leading zeros
    stored = {
        r["company_number"]
        for r in warehouse.fetch(
            "SELECT company_number FROM contract_suppliers WHERE company_number IS NOT NULL"
        )
    }
    assert stored == {n.zfill(8) for n in published}
    identifiers = warehouse.fetch(
        "SELECT DISTINCT identifier FROM contract_suppliers WHERE scheme = 'GB-COH'"
    )
    assert {r["identifier"] for r in identifiers} == {f"GB-COH-{n.zfill(8)}" for n in published}


@pytest.mark.parametrize(
    ("published", "padded"),
    [
        ("2535986", "02535986"),
        ("874637", "00874637"),
        ("SC12345", "SC012345"),
        ("NI 6110", "NI006110"),
        ("oc301234", "OC301234"),
        ("GB-COH-123", "00000123"),
        ("01234567", "01234567"),
        ("not a number", None),
        ("", None),
    ],
)
def test_company_number(published: str, padded: str | None) -> None:
    assert company_number(published) == padded


def test_postcodes_come_from_the_address_when_the_field_is_blank(cf_load) -> None:
    warehouse, _, _ = cf_load
    row = warehouse.fetch(
        "SELECT * FROM contract_suppliers WHERE supplier_name = 'ARCO LIMITED' LIMIT 1"
    )[0]
    assert row["street_address"].endswith("HU1 2SH\nGB")
    assert row["postcode"] == "HU1 2SH"
    assert postcode("107 GEORGE LANE, LONDON, United Kingdom, E181AN") == "E18 1AN"


def test_reloading_the_same_files_changes_nothing(cf_load) -> None:
    warehouse, _, paths = cf_load
    before = counts(warehouse)
    contracts = warehouse.fetch("SELECT * FROM contracts ORDER BY contract_key")
    again = load_ocds(warehouse, paths, organisation="network")
    assert counts(warehouse) == before
    assert warehouse.fetch("SELECT * FROM contracts ORDER BY contract_key") == contracts
    assert total(again, "rows_loaded") == 0
    assert total(again, "rows_duplicate") == total(again, "rows_read")
    assert all(r.reconciles() for r in again)


def test_source_files_are_recorded(cf_load) -> None:
    warehouse, _, paths = cf_load
    rows = warehouse.fetch("SELECT * FROM source_files WHERE kind = 'ocds'")
    assert {r["path"] for r in rows} == {str(p) for p in paths}
    assert {r["organisation"] for r in rows} == {"network"}


# -- compiling: golden files ---------------------------------------------------------------


def golden_cases() -> list[Path]:
    if not GOLDEN.exists():
        return [GOLDEN / "missing-compiled.json"]
    return sorted(GOLDEN.glob("*-compiled.json"))


@pytest.mark.parametrize("expected_path", golden_cases(), ids=lambda p: p.name)
def test_compile_matches_ocds_merge_golden_file(expected_path: Path) -> None:
    releases = json.loads(
        need(expected_path.with_name(expected_path.name.replace("-compiled", ""))).read_text()
    )
    assert compile_release(releases) == json.loads(expected_path.read_text())


@pytest.mark.parametrize("expected_path", golden_cases(), ids=lambda p: p.name)
def test_stored_notice_compiles_to_golden_file(expected_path: Path, tmp_path: Path) -> None:
    source = need(expected_path.with_name(expected_path.name.replace("-compiled", "")))
    warehouse = Warehouse.memory()
    [receipt] = load_ocds(warehouse, [source])
    assert receipt.rows_loaded == len(json.loads(source.read_text()))
    expected = json.loads(expected_path.read_text())
    assert compiled_release(warehouse, notice_key(expected["ocid"])) == expected


def test_fields_outside_the_schema_merge_by_identifier() -> None:
    package = json.loads(
        need(OCDSKIT / "release-package_additional-contact-points.json").read_text()
    )
    expected = json.loads((OCDSKIT / "compile_no-extensions.json").read_text())
    assert compile_release(package["releases"]) == expected


def test_shipped_merge_rules_are_derived_from_the_uk_schema() -> None:
    schema = json.loads(need(UK_SCHEMA).read_text())
    shipped = json.loads(SHIPPED_RULES.read_text())
    assert shipped["rules"] == derive_merge_rules(schema)
    assert "Apache-2.0" in json.dumps(shipped["sources"])
    # UK-extension rules are present, not only the core standard's.
    assert shipped["rules"]["tender/specialRegime"] == "wholeListMerge"


# -- updates to a notice -------------------------------------------------------------------


def real_release() -> dict[str, Any]:
    return releases_of(need(RAW / "ocds-b5fd17raw-0054a4e6-0715-42c6-9109-e219fe9d3289.json"))[0]


def write_package(path: Path, releases: list[Any]) -> Path:
    path.write_text(json.dumps({"version": "1.1", "releases": releases}), encoding="utf-8")
    return path


def test_a_later_release_updates_the_contract(tmp_path: Path) -> None:
    first = real_release()
    update = {
        "ocid": first["ocid"],
        "id": first["id"] + "-update",
        "date": "2020-06-01T00:00:00Z",
        "tag": ["awardUpdate"],
        "awards": [
            {"id": first["awards"][0]["id"], "value": {"amount": 120000, "currency": "GBP"}}
        ],
    }
    warehouse = Warehouse.memory()
    load_ocds(warehouse, [write_package(tmp_path / "a.json", [first])])
    load_ocds(warehouse, [write_package(tmp_path / "b.json", [update])])
    [row] = warehouse.fetch("SELECT * FROM contracts")
    assert row["value_amount"] == Decimal("120000.00")
    assert row["title"] == first["tender"]["title"]  # kept from the first release
    assert str(row["published_date"]) == "2020-06-01"
    assert row["source_file"] == str(tmp_path / "b.json")
    assert warehouse.fetch_value("SELECT count(*) FROM contract_suppliers") == 2


def test_notice_type_is_the_latest_uk_notice(tmp_path: Path) -> None:
    release = real_release()
    award_id = release["awards"][0]["id"]
    release["tender"]["documents"] = [
        {"id": "t", "noticeType": "UK4", "datePublished": "2025-03-01T00:00:00Z"}
    ]
    release["awards"][0]["documents"] = [
        {"id": "a", "noticeType": "UK6", "datePublished": "2025-05-01T00:00:00Z"}
    ]
    release["contracts"] = [
        {
            "id": "c",
            "awardID": award_id,
            "period": {"startDate": "2019-12-09T00:00:00Z", "endDate": "2021-12-08T00:00:00Z"},
            "documents": [{"id": "c", "noticeType": "UK7", "datePublished": "2025-06-01"}],
        }
    ]
    warehouse = Warehouse.memory()
    load_ocds(warehouse, [write_package(tmp_path / "uk.json", [release])])
    [row] = warehouse.fetch("SELECT * FROM contracts")
    assert row["notice_type"] == "UK7"
    assert str(row["end_date"]) == "2020-12-08"  # the award's period as awarded
    assert str(row["current_end_date"]) == "2021-12-08"  # the signed contract's, as changed


def test_scale_and_a_tender_without_award(tmp_path: Path) -> None:
    release = real_release()
    release["parties"][1]["details"] = {"scale": "sme"}
    tender_only = {k: v for k, v in real_release().items() if k != "awards"}
    tender_only["ocid"] = "ocds-h6vhtk-0001b4"
    warehouse = Warehouse.memory()
    load_ocds(warehouse, [write_package(tmp_path / "p.json", [release, tender_only])])
    scales = warehouse.fetch("SELECT supplier_name, scale FROM contract_suppliers ORDER BY 1")
    assert [r["scale"] for r in scales] == ["sme", None]
    [tender_row] = warehouse.fetch("SELECT * FROM contracts WHERE contract_key = '0001b4:tender'")
    assert tender_row["value_amount"] == Decimal(str(tender_only["tender"]["value"]["amount"]))
    assert tender_row["award_date"] is None


# -- shapes and broken input ---------------------------------------------------------------


def test_broken_releases_are_rejected_with_line_and_reason(tmp_path: Path) -> None:
    good = real_release()
    no_ocid = {k: v for k, v in real_release().items() if k != "ocid"}
    no_id = {k: v for k, v in real_release().items() if k != "id"}
    path = write_package(tmp_path / "broken.json", [good, no_ocid, no_id, "a string", good])
    warehouse = Warehouse.memory()
    [receipt] = load_ocds(warehouse, [path], organisation="x")
    assert (receipt.rows_read, receipt.rows_loaded) == (5, 1)
    assert (receipt.rows_rejected, receipt.rows_duplicate) == (3, 1)
    assert receipt.reject_reasons == {Reject.NO_OCID: 1, Reject.NO_ID: 1, Reject.NOT_OBJECT: 1}
    assert receipt.reconciles()
    rejects = warehouse.fetch("SELECT * FROM rejects ORDER BY source_line")
    assert [r["source_line"] for r in rejects] == [2, 3, 4]
    assert [r["source_file"] for r in rejects] == [str(path)] * 3
    assert rejects[0]["reason"].startswith(Reject.NO_OCID)
    assert json.loads(rejects[0]["raw_text"])["id"] == good["id"]
    assert rejects[2]["raw_text"] == '"a string"'
    value = Decimal(str(good["awards"][0]["value"]["amount"])).quantize(Decimal("0.01"))
    assert receipt.amount_rejected == 2 * value
    assert receipt.amount_duplicate == value


def test_reloading_a_file_with_rejects_adds_no_rows(tmp_path: Path) -> None:
    path = write_package(tmp_path / "broken.json", [real_release(), {"id": "x"}])
    warehouse = Warehouse.memory()
    load_ocds(warehouse, [path])
    before = counts(warehouse)
    [again] = load_ocds(warehouse, [path])
    assert counts(warehouse) == before
    assert (again.rows_duplicate, again.rows_rejected) == (1, 1)


def test_a_truncated_file_raises_and_loads_nothing(tmp_path: Path) -> None:
    source = RAW / "ocds-b5fd17raw-008e7376-6d53-4e59-892b-8abf09a0470e.json"
    text = need(source).read_text(encoding="utf-8")
    truncated = tmp_path / "truncated.json"
    truncated.write_text(text[: len(text) // 2], encoding="utf-8")
    warehouse = Warehouse.memory()
    good = package_files(RAW)[0]
    with pytest.raises(LoadError, match="truncated.json: not valid JSON"):
        load_ocds(warehouse, [good, truncated])
    assert set(counts(warehouse).values()) == {0}  # the good file was rolled back too
    assert warehouse.fetch_value("SELECT count(*) FROM load_receipts") == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"name": "a spend file", "rows": []}', "not OCDS: expected a release package"),
        (b"[1, 2, 3]", "not OCDS: an array with no release"),
        (b"42", "not OCDS"),
        (b"   ", "empty"),
        (b'{"releases": {"ocid": "x"}}', "`releases` is a JSON dict"),
        ('{"releases": [], "publisher": "Caf\u00e9"}'.encode("cp1252"), "not UTF-8"),
        (b"date,amount\n2024-01-01,12\n", "not valid JSON"),
    ],
)
def test_files_that_are_not_ocds_raise_a_clear_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=message):
        load_ocds(Warehouse.memory(), [path])


def test_json_lines_reject_a_broken_line_by_its_number(tmp_path: Path) -> None:
    releases = [releases_of(p)[0] for p in package_files(RAW)[:5]]
    lines = [json.dumps(r) for r in releases[:3]]
    lines += ["", '{"ocid": "ocds-b5fd17-x", "id": ', json.dumps({"releases": releases[3:]})]
    path = tmp_path / "releases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    warehouse = Warehouse.memory()
    [receipt] = load_ocds(warehouse, [path])
    assert (receipt.rows_read, receipt.rows_loaded, receipt.rows_rejected) == (6, 5, 1)
    assert receipt.reject_reasons == {Reject.INVALID_JSON: 1}
    [reject] = warehouse.fetch("SELECT * FROM rejects")
    assert reject["source_line"] == 5
    assert reject["raw_text"] == '{"ocid": "ocds-b5fd17-x", "id":'
    lines_stored = warehouse.fetch("SELECT source_line FROM releases ORDER BY source_line")
    assert [r["source_line"] for r in lines_stored] == [1, 2, 3, 6, 6]


def test_bare_array_and_record_package_shapes(tmp_path: Path) -> None:
    releases = [releases_of(p)[0] for p in package_files(RAW)[:3]]
    array = tmp_path / "array.json"
    array.write_text(json.dumps(releases), encoding="utf-8")
    linked_only = {
        "ocid": releases[2]["ocid"],
        "releases": [{"url": "https://example.org/r.json", "date": releases[2]["date"]}],
        "compiledRelease": releases[2],
    }
    records = tmp_path / "records.json"
    records.write_text(
        json.dumps(
            {
                "records": [
                    {"ocid": releases[0]["ocid"], "releases": releases[:1]},
                    {"ocid": releases[1]["ocid"], "releases": [releases[1]]},
                    linked_only,
                    {"ocid": "ocds-b5fd17-empty", "releases": [{"url": "https://x"}]},
                ]
            }
        ),
        encoding="utf-8",
    )
    warehouse = Warehouse.memory()
    from_array, from_records = load_ocds(warehouse, [array, records])
    assert (from_array.rows_read, from_array.rows_loaded) == (3, 3)
    assert (from_records.rows_read, from_records.rows_duplicate) == (4, 3)
    assert from_records.reject_reasons == {Reject.RECORD_WITHOUT_RELEASES: 1}
    assert warehouse.fetch_value("SELECT count(*) FROM contracts") == 3


def test_a_real_record_package_loads_its_embedded_releases() -> None:
    path = need(OCDSKIT / "realdata" / "record-package-1.json")
    package = json.loads(path.read_text())
    expected = sum(len(record["releases"]) for record in package["records"])
    [receipt] = load_ocds(Warehouse.memory(), [path])
    assert (receipt.rows_read, receipt.rows_loaded) == (expected, expected)


def test_zip_members_load_like_the_files(tmp_path: Path) -> None:
    files = package_files(RAW)[:4]
    archive = tmp_path / "packages.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in files:
            zf.write(path, f"cf/{path.name}")
        zf.writestr("README.txt", "not data")
    zipped = Warehouse.memory()
    receipts = load_ocds(zipped, [archive])
    assert [r.file for r in receipts] == [f"{archive}!cf/{p.name}" for p in files]
    plain = Warehouse.memory()
    load_ocds(plain, files)
    query = "SELECT contract_key, value_amount FROM contracts ORDER BY 1"
    assert zipped.fetch(query) == plain.fetch(query)


def test_receipts_are_stored_per_file(cf_load) -> None:
    warehouse, receipts, _ = cf_load
    stored = warehouse.fetch(
        "SELECT * FROM load_receipts WHERE kind = 'ocds' ORDER BY load_id LIMIT ?", [len(receipts)]
    )
    assert [r["file"] for r in stored] == [r.file for r in receipts]
    assert [r["rows_duplicate"] for r in stored] == [r.rows_duplicate for r in receipts]
    assert [r["amount_read"] for r in stored] == [r.amount_read for r in receipts]


def test_small_batches_and_chunks_load_the_same(cf_load, monkeypatch: pytest.MonkeyPatch) -> None:
    import observatory.sources.ocds as ocds

    warehouse, receipts, paths = cf_load
    monkeypatch.setattr(ocds, "BATCH_ROWS", 7)  # a duplicate then falls in a later batch
    monkeypatch.setattr(ocds, "COMPILE_CHUNK", 10)
    batched = Warehouse.memory()
    again = load_ocds(batched, paths, organisation="network")
    assert [r.as_json() for r in again] == [r.as_json() for r in receipts]
    query = "SELECT * FROM contracts ORDER BY contract_key"
    assert batched.fetch(query) == warehouse.fetch(query)


def test_numbers_json_cannot_hold_are_read_as_null(tmp_path: Path) -> None:
    source = need(RAW / "ocds-b5fd17raw-0054a4e6-0715-42c6-9109-e219fe9d3289.json")
    text = source.read_text(encoding="utf-8")
    assert text.count('"amount": 93527') == 1
    path = tmp_path / "infinite.json"
    path.write_text(text.replace('"amount": 93527', '"amount": 1e9999'), encoding="utf-8")
    warehouse = Warehouse.memory()
    [receipt] = load_ocds(warehouse, [path])
    assert receipt.rows_loaded == 1 and receipt.reconciles()
    assert receipt.notes and "1e9999" in receipt.notes[0]
    [row] = warehouse.fetch("SELECT value_amount, parse_notes FROM contracts")
    tender_value = Decimal(str(releases_of(source)[0]["tender"]["value"]["amount"]))
    assert row["value_amount"] == tender_value
    assert row["parse_notes"] == ["value from the tender: the award has none"]
    award_value = warehouse.fetch_value("SELECT data->'$.awards[0].value.amount' FROM releases")
    assert award_value == "null"
