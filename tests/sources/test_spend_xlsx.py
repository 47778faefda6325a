"""Spend delivered as an xlsx workbook, one sheet per month with inconsistent sheet names, built
here with openpyxl from real CSV files (no real workbook is published in ../shared/data)."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from independent import DATA, need, read
from openpyxl import Workbook

from observatory.sources.spend import load_spend
from observatory.store import Warehouse

SHEETS = {"April 2021": "2021-04.csv", "May-21": "2021-05.csv", "Jun21 (final)": "2021-06.csv"}


def _workbook(path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    for title, name in SHEETS.items():
        ws = book.create_sheet(title)
        rows = list(csv.reader(need(DATA / "manchester" / name).read_text("utf-8").splitlines()))
        ws.append([f"Manchester City Council spend {title}"])  # a title row above the header
        ws.append([])
        ws.append(rows[0])
        for r in rows[1:]:
            y, m, d = (int(x) for x in r[3].split("-"))
            ws.append([r[0], r[1], r[2], date(y, m, d), r[4], float(r[5]), r[6]])
    book.save(path)


def test_workbook_with_a_sheet_per_month(tmp_path: Path) -> None:
    path = tmp_path / "manchester-q1.xlsx"
    _workbook(path)
    warehouse = Warehouse.memory()
    receipt = load_spend(warehouse, [str(path)], organisation="manchester")[0]
    expected = [read(DATA / "manchester" / name) for name in SHEETS.values()]
    assert receipt.rows_read == receipt.rows_loaded == sum(e.rows for e in expected)
    assert receipt.amount_loaded == sum((e.amount for e in expected), Decimal("0.00"))
    sheets = warehouse.fetch(
        "SELECT source_sheet, min(payment_date) AS first, min(source_row) AS first_row,"
        " count(*) AS n FROM spend_lines GROUP BY 1 ORDER BY 2"
    )
    assert [s["source_sheet"] for s in sheets] == list(SHEETS)
    firsts = [
        min(
            date.fromisoformat(r[3])
            for r in csv.reader((DATA / "manchester" / name).read_text("utf-8").splitlines()[1:])
        )
        for name in SHEETS.values()
    ]
    assert [s["first"] for s in sheets] == firsts
    assert all(s["first_row"] == 1 for s in sheets)  # rows count from the header of each sheet


def test_the_same_workbook_twice_adds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "q1.xlsx"
    _workbook(path)
    warehouse = Warehouse.memory()
    load_spend(warehouse, [str(path)], organisation="manchester")
    again = load_spend(warehouse, [str(path)], organisation="manchester")[0]
    assert again.rows_loaded == 0 and again.rows_duplicate == again.rows_read
