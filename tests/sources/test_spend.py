"""Every real spend file loads with nothing lost: counts and pounds are checked against an
independent reader (tests/independent.py), not against the loader's own detection."""

from __future__ import annotations

import csv
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from independent import DATA, need, read, spend_files

from observatory.sources.receipt import LoadError
from observatory.sources.spend import load_spend
from observatory.store import Warehouse

# Rejects a person found by reading the files: Lambeth's footer is its one non-payment row.
KNOWN_REJECTS = {"2012-06-payments.csv": {"total row": 1}}


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, dict[str, object]]:
    """All real spend files loaded once into one warehouse file."""
    need(DATA)
    warehouse = Warehouse.open(tmp_path_factory.mktemp("wh") / "real.duckdb")
    receipts = {}
    for org, path in spend_files():
        for receipt in load_spend(warehouse, [str(need(path))], organisation=org):
            receipts[receipt.file] = receipt
    return warehouse, receipts


def _expected(path: Path) -> list[tuple[str, object]]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            return [(f"{path}!{n}", read(Path(n), z.read(n))) for n in z.namelist()]
    return [(str(path), read(path))]


@pytest.mark.parametrize("org,path", spend_files(), ids=lambda v: getattr(v, "name", v))
def test_every_row_loaded_rejected_or_duplicate(network, org: str, path: Path) -> None:
    _, receipts = network
    for display, expected in _expected(path):
        receipt = receipts[display]
        assert receipt.organisation == org
        assert receipt.reconciles()
        assert receipt.rows_read == expected.rows
        assert receipt.amount_read == expected.amount
        assert receipt.reject_reasons == KNOWN_REJECTS.get(path.name, {})
        assert receipt.rows_duplicate == 0  # each file holds new transactions


def test_trafford_identical_rows_are_separate_payments(network) -> None:
    warehouse, receipts = network
    # Independently: rows identical to another row of the same file, counted with plain Python.
    zpath = DATA / "trafford" / "trafford-supplier-spend-2025-26.zip"
    with zipfile.ZipFile(zpath) as z:
        lines = z.read(z.namelist()[0]).decode("utf-8").splitlines()[1:]
    repeated = len(lines) - len(set(lines))
    assert repeated > len(lines) / 4  # the README's "a third of the rows"
    loaded = warehouse.fetch_value(
        "SELECT count(*) FROM spend_lines WHERE source_file = ?", [f"{zpath}!{z.namelist()[0]}"]
    )
    assert loaded == len(lines)


def test_lambeth_unfused_lines_reconcile_to_footer(network) -> None:
    warehouse, receipts = network
    path = DATA / "lambeth" / "2012-06-payments.csv"
    receipt = receipts[str(path)]
    footer = next(
        line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("Total")
    )
    assert receipt.amount_loaded == Decimal(footer.split(",")[4])
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()[10:]))
    fused = sum(1 for r in rows if len(r) < 6 and r and r[0] == "Lambeth")
    assert fused > 600
    assert f"{fused} rows had a date fused to a neighbouring field; split" in receipt.notes


def test_loading_again_changes_nothing(network, tmp_path: Path) -> None:
    warehouse, _ = network
    before = warehouse.fetch("SELECT count(*) AS n, sum(amount) AS s FROM spend_lines")
    path = DATA / "salford" / "2021-06.csv"
    again = load_spend(warehouse, [str(path)], organisation="salford")[0]
    assert again.rows_loaded == 0 and again.rows_duplicate == again.rows_read
    assert again.amount_duplicate == again.amount_read
    assert warehouse.fetch("SELECT count(*) AS n, sum(amount) AS s FROM spend_lines") == before


def test_quarterly_file_repeating_monthly_files_does_not_double_count(tmp_path: Path) -> None:
    months = [need(DATA / "manchester" / f"2021-0{m}.csv") for m in (4, 5, 6)]
    quarter = tmp_path / "2021-q1.csv"
    header = months[0].read_text(encoding="utf-8").splitlines()[0]
    body = [ln for m in months for ln in m.read_text(encoding="utf-8").splitlines()[1:]]
    quarter.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    warehouse = Warehouse.memory()
    monthly = load_spend(warehouse, [str(m) for m in months], organisation="manchester")
    repeat = load_spend(warehouse, [str(quarter)], organisation="manchester")[0]
    assert repeat.rows_read == sum(r.rows_read for r in monthly)
    assert repeat.rows_loaded == 0
    assert repeat.rows_duplicate == repeat.rows_read


def test_redacted_and_negative_lines_are_kept_and_flagged(network) -> None:
    warehouse, _ = network
    rows = warehouse.fetch(
        "SELECT count(*) FILTER (WHERE is_redacted) AS redacted,"
        " count(*) FILTER (WHERE is_negative) AS negative,"
        " count(*) FILTER (WHERE is_redacted AND supplier_name ILIKE 'redactive%') AS wrong"
        " FROM spend_lines WHERE organisation = 'manchester'"
    )[0]
    # Independent counts from the raw Manchester files.
    redacted = negative = 0
    for f in sorted((DATA / "manchester").glob("*.csv")):
        for line in f.read_text(encoding="utf-8").splitlines()[1:]:
            redacted += line.endswith(",Redacted Personal Information")
            negative += ",-" in line
    assert rows["redacted"] >= redacted == 2236
    assert rows["negative"] == negative
    assert rows["wrong"] == 0


@pytest.mark.parametrize(
    ("organisation", "column", "placeholders", "at_least"),
    [
        # Salford writes 'Redaction' (391 lines) as well as 'Redacted Data' (2,575).
        ("salford", "Vendor Name", ("Redaction", "Redacted Data"), 2576),
        # Newcastle pays buckets of payees it does not name: households' energy rebates too.
        ("newcastle", "Supplier Name", ("MISCELLANEOUS PAYMENTS BACS", "ENERGY REBATE GRANTS"), 2),
    ],
)
def test_each_publishers_placeholder_for_a_payee_is_flagged(
    network, organisation: str, column: str, placeholders: tuple[str, ...], at_least: int
) -> None:
    """Lines whose payee cell is a placeholder, counted in the raw files' payee column, are all
    flagged and none named."""
    warehouse, _ = network
    expected = 0
    for f in sorted((DATA / organisation).glob("*.csv")):
        with f.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        expected += sum((r.get(column) or "").strip() in placeholders for r in rows)
    flagged = warehouse.fetch(
        "SELECT count(*) FILTER (WHERE is_redacted) AS flagged,"
        " count(*) FILTER (WHERE NOT is_redacted) AS named FROM spend_lines"
        " WHERE organisation = ? AND list_contains(?, supplier_name)",
        [organisation, list(placeholders)],
    )[0]
    assert expected >= at_least
    assert flagged == {"flagged": expected, "named": 0}


def test_personal_budgets_summed_by_client_group_name_no_payee(network) -> None:
    """Calderdale prints its personal budgets (direct payments to service users) with a period
    and client group where the payee goes ('2021:01D  Dementia'); its Supplier ID column says
    'Personal Budgets'. Those lines are payments to individuals: flagged, no supplier."""
    warehouse, _ = network
    expected = 0
    for f in sorted((DATA / "calderdale").glob("*.csv")):
        with f.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            rows = csv.DictReader(handle)
            expected += sum(r.get("Supplier ID") == "Personal Budgets" for r in rows)
    flagged = warehouse.fetch(
        "SELECT count(*) FILTER (WHERE is_redacted) AS flagged,"
        " count(*) FILTER (WHERE NOT is_redacted) AS named FROM spend_lines"
        " WHERE organisation = 'calderdale' AND supplier_ref = 'Personal Budgets'"
    )[0]
    assert expected >= 100
    assert flagged == {"flagged": expected, "named": 0}


def test_supplier_totals_file_is_refused_with_a_reason() -> None:
    path = need(DATA / "lambeth" / "2011-01-payments.csv")
    with pytest.raises(LoadError, match="supplier totals"):
        load_spend(Warehouse.memory(), [str(path)], organisation="lambeth")


def test_contracts_register_is_pointed_to_the_right_command() -> None:
    path = need(DATA / "salford" / "2022-07.csv")
    with pytest.raises(LoadError, match="load contracts"):
        load_spend(Warehouse.memory(), [str(path)], organisation="salford")


def test_organisation_read_from_the_file() -> None:
    warehouse = Warehouse.memory()
    receipts = load_spend(warehouse, [str(need(DATA / "calderdale" / "2021-04.csv"))])
    assert receipts[0].organisation == "calderdale"


def test_unknown_layout_error_lists_columns_and_the_map_to_pass(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("When,Who,How much\n01/04/2024,Acme Ltd,100.00\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_spend(Warehouse.memory(), [str(path)], organisation="trafford")
    message = str(caught.value)
    assert "columns found: When; Who; How much" in message
    assert "--map" in message and "payment_date" in message
    warehouse = Warehouse.memory()
    receipt = load_spend(
        warehouse,
        [str(path)],
        organisation="trafford",
        field_map=["payment_date=When", "supplier_name=2", "net_amount=How much"],
    )[0]
    assert receipt.rows_loaded == 1
    # Remembered for the organisation: the next file of that layout loads without --map.
    again = tmp_path / "odd2.csv"
    again.write_text("When,Who,How much\n02/04/2024,Acme Ltd,50.00\n", encoding="utf-8")
    assert load_spend(warehouse, [str(again)], organisation="trafford")[0].rows_loaded == 1


def test_a_failed_load_leaves_nothing(tmp_path: Path) -> None:
    good = need(DATA / "salford" / "2021-04.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    warehouse = Warehouse.memory()
    with pytest.raises(LoadError):
        load_spend(warehouse, [str(good), str(bad)], organisation="salford")
    assert warehouse.fetch_value("SELECT count(*) FROM spend_lines") == 0
    assert warehouse.fetch_value("SELECT count(*) FROM load_receipts") == 0
