"""Accounts-payable extracts: every row loaded, rejected with its reason, or a duplicate; a re-load
adds nothing; a later extract fills in payment dates. Expected values are written by hand for the
small fixtures, and read with the csv module (not the loader) for the demonstration network's."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from observatory import organisations as orgs
from observatory.demo import write_demo_network
from observatory.sources.payments import load_payments
from observatory.sources.receipt import LoadError
from observatory.store import Warehouse

HEADER = (
    "Invoice Number,Supplier Name,Invoice Date,Invoice Received Date,Payment Date,Amount,Disputed"
)
ROWS = [
    "INV-1,Acme Ltd,01/04/2026,03/04/2026,20/04/2026,100.00,N",  # 17 days
    "INV-2,Acme Ltd,01/04/2026,02/04/2026,,250.50,N",  # unpaid
    'INV-3,Brook & Sons,05/04/2026,06/04/2026,30/06/2026,"1,000.00",Y',  # disputed
    "INV-4,Brook & Sons,05/04/2026,06/04/2026,01/04/2026,75.00,N",  # paid before received
    "INV-5,Cole plc,31/02/2026,06/04/2026,10/04/2026,80.00,N",  # invoice date not a date
    "INV-6,Cole plc,06/04/2026,,10/04/2026,60.00,N",  # no received date: clock from invoice date
    "INV-7,Dale Ltd,06/04/2026,07/04/2026,10/04/2026,,N",  # no amount
    "INV-8,Dale Ltd,,,10/04/2026,12.00,N",  # no dates at all
    "INV-9,Eden CIC,06/04/2026,07/04/2026,10/04/2026,12.00,maybe",  # flag neither yes nor no
]


@pytest.fixture
def warehouse() -> Warehouse:
    w = Warehouse.memory()
    orgs.register(w, [orgs.Organisation("testcouncil", "Test Council")])
    return w


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_every_row_is_accounted_for_with_its_reason(warehouse: Warehouse, tmp_path: Path) -> None:
    path = _write(tmp_path / "ap.csv", ROWS)
    [receipt] = load_payments(warehouse, [str(path)], "testcouncil")
    assert (receipt.rows_read, receipt.rows_loaded, receipt.rows_rejected) == (9, 5, 4)
    assert receipt.rows_duplicate == 0
    # Loaded: INV-1, 2, 3, 6, 9; the amounts read are every parseable amount.
    assert receipt.amount_loaded == Decimal("1422.50")
    assert receipt.amount_read == Decimal("1422.50") + Decimal("75.00") + 80 + 12
    assert receipt.reconciles()
    rejects = {
        r["raw_text"].split(",")[0]: (r["source_line"], r["reason"], r["source_file"])
        for r in warehouse.fetch("SELECT * FROM rejects WHERE kind = 'payments'")
    }
    assert rejects["INV-4"][:2] == (
        5,
        "payment date before the invoice was received: paid 01/04/2026, received 06/04/2026",
    )
    assert rejects["INV-5"][1] == "invoice date not understood: 31/02/2026"
    assert rejects["INV-7"][1] == "no amount"
    assert rejects["INV-8"][1] == "no invoice received date or invoice date"
    assert rejects["INV-8"][2] == str(path)
    stored = {
        r["invoice_number"]: r
        for r in warehouse.fetch("SELECT * FROM invoice_payments ORDER BY invoice_number")
    }
    assert stored["INV-1"]["clock_start"] == date(2026, 4, 3)
    assert stored["INV-2"]["payment_date"] is None
    assert stored["INV-3"]["disputed"] is True
    assert stored["INV-6"]["clock_basis"] == "invoice date"
    assert stored["INV-6"]["clock_start"] == date(2026, 4, 6)
    assert stored["INV-9"]["disputed"] is None and stored["INV-9"]["disputed_raw"] == "maybe"
    assert any("neither yes nor no" in n for n in receipt.notes)


def test_reload_adds_nothing_and_a_later_extract_fills_payment_dates(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    first = _write(tmp_path / "ap-1.csv", ROWS[:2])
    load_payments(warehouse, [str(first)], "testcouncil")
    [again] = load_payments(warehouse, [str(first)], "testcouncil")
    assert (again.rows_loaded, again.rows_duplicate) == (0, 2)
    # The next month's extract: INV-2 has been paid, and one new invoice.
    later = _write(
        tmp_path / "ap-2.csv",
        [ROWS[0], ROWS[1].replace(",,250.50", ",28/04/2026,250.50"), ROWS[5]],
    )
    [receipt] = load_payments(warehouse, [str(later)], "testcouncil")
    assert (receipt.rows_loaded, receipt.rows_duplicate, receipt.rows_rejected) == (2, 1, 0)
    assert any("now paid" in n for n in receipt.notes)
    rows = warehouse.fetch("SELECT invoice_number, payment_date FROM invoice_payments ORDER BY 1")
    assert rows == [
        {"invoice_number": "INV-1", "payment_date": date(2026, 4, 20)},
        {"invoice_number": "INV-2", "payment_date": date(2026, 4, 28)},
        {"invoice_number": "INV-6", "payment_date": date(2026, 4, 10)},
    ]


def test_workbook_with_a_sheet_per_month(warehouse: Warehouse, tmp_path: Path) -> None:
    book = Workbook()
    sheets = [book.active, book.create_sheet("May")]
    sheets[0].title = "April"
    for sheet, rows in zip(sheets, (ROWS[:2], ROWS[2:4]), strict=True):
        sheet.append(HEADER.split(","))
        for line in csv.reader(rows):
            sheet.append(line)
    path = tmp_path / "ap.xlsx"
    book.save(path)
    [receipt] = load_payments(warehouse, [str(path)], "testcouncil")
    assert (receipt.rows_read, receipt.rows_loaded, receipt.rows_rejected) == (4, 3, 1)
    sheets_seen = warehouse.fetch(
        "SELECT source_sheet, count(*) AS n FROM invoice_payments GROUP BY 1 ORDER BY 1"
    )
    assert sheets_seen == [{"source_sheet": "April", "n": 2}, {"source_sheet": "May", "n": 1}]


def test_a_file_without_payment_columns_says_what_to_map(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "spend.csv"
    path.write_text("Supplier Name,Amount\nAcme,10.00\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_payments(warehouse, [str(path)], "testcouncil")
    message = str(caught.value)
    assert "no column for an invoice received date or invoice date" in message
    assert "--map received_date=COLUMN" in message and "--map payment_date=COLUMN" in message


def test_a_map_loads_an_unknown_header_and_is_remembered(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Ref,Payee,Logged,Settled,Gross\nA1,Acme,01/04/2026,11/04/2026,5.00\n")
    maps = ["invoice_number=Ref", "received_date=Logged", "payment_date=Settled", "amount=Gross"]
    [receipt] = load_payments(warehouse, [str(path)], "testcouncil", maps)
    assert receipt.rows_loaded == 1
    second = tmp_path / "odd-2.csv"
    second.write_text("Ref,Payee,Logged,Settled,Gross\nA2,Acme,02/04/2026,12/04/2026,6.00\n")
    [again] = load_payments(warehouse, [str(second)], "testcouncil")
    assert again.rows_loaded == 1


def _independent_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_demo_network_extracts_load_in_full(warehouse: Warehouse, tmp_path: Path) -> None:
    network = write_demo_network(tmp_path / "demo")
    orgs.register(warehouse, orgs.read_config(network.organisations_file))
    for f in network.of_kind("payments"):
        [receipt] = load_payments(warehouse, [str(f.path)], f.organisation)
        rows = _independent_rows(f.path)
        assert receipt.rows_read == receipt.rows_loaded == len(rows)
        assert receipt.amount_loaded == sum(Decimal(r["Amount"]) for r in rows)
        unpaid = sum(1 for r in rows if not r["Payment Date"])
        stored = warehouse.fetch_value(
            "SELECT count(*) FROM invoice_payments WHERE source_file = ? AND payment_date IS NULL",
            [str(f.path)],
        )
        assert stored == unpaid
        first = rows[0]
        fmt = "%Y-%m-%d" if "-" in first["Payment Date"] else "%d/%m/%Y"
        got = warehouse.fetch(
            "SELECT received_date, payment_date FROM invoice_payments WHERE source_file = ? "
            "AND source_line = 2",
            [str(f.path)],
        )[0]
        assert got["received_date"] == datetime.strptime(first["Invoice Received Date"], fmt).date()
