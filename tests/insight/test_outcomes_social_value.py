"""Social value: the example framework installs and says it is an example; delivery returns (CSV
and XLSX) are validated row by row; committed vs delivered vs GBP value add up by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from outcomes_helpers import member_warehouse

from observatory.insight import social_value as sv
from observatory.store import Warehouse


@pytest.fixture
def warehouse() -> Warehouse:
    w = member_warehouse()
    sv.install_framework(w, sv.read_framework())
    sv.add_commitment(w, "salford", "S1417", "J1", Decimal(2), "Underwater Diving Services Ltd")
    sv.add_commitment(w, "salford", "S1417", "S1", Decimal(200))
    sv.add_commitment(w, "trafford", "T9", "E1", Decimal(10))
    return w


def test_example_framework_is_marked_and_cites_sources() -> None:
    measures = sv.read_framework()
    assert measures and all(m.is_example and m.source and m.proxy_value >= 0 for m in measures)
    assert {m.theme for m in measures} >= {"Jobs", "Social", "Environment"}
    volunteering = next(m for m in measures if m.measure_id == "S1")
    assert volunteering.proxy_value == Decimal("13.45")  # Real Living Wage 2025-26


def test_returns_are_validated_row_by_row(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "returns.csv"
    path.write_text(
        "Contract Ref,Measure ID,Period End,Quantity,Evidence\n"
        "S1417,J1,30/09/2025,1,payroll extract\n"
        "S1417,S1,2025-09-30,80,\n"
        "S1417,S1,2026-03-31,90,\n"
        "S1417,XX,2025-09-30,1,\n"  # unknown measure
        "S1417,J1,31/02/2025,1,\n"  # not a date
        "S1417,J1,2025-09-30,-1,\n"  # negative
        "S1417,J1,2025-09-30,lots,\n"  # not a number
        "S9999,J1,2025-09-30,1,\n",  # no commitment: loaded with a warning
        encoding="utf-8",
    )
    result = sv.import_returns(warehouse, path, "salford")
    assert result.rows_read == 8 and result.rows_loaded == 4
    assert [n for n, _ in result.rejects] == [5, 6, 7, 8]
    assert any("no commitment" in w for _, w in result.warnings)
    # A corrected return for the same contract, measure and period replaces the earlier one.
    fix = tmp_path / "fix.csv"
    fix.write_text("contract_ref,measure_id,period_end,quantity\nS1417,S1,2025-09-30,100\n")
    again = sv.import_returns(warehouse, fix, "salford")
    assert again.rows_loaded == 1 and again.rows_replaced == 1

    [contract] = [
        f for f in sv.report(warehouse, "contract", "salford") if f.key == "salford S1417"
    ]
    # committed: 2 x 14000 + 200 x 13.45; delivered: 1 x 14000 + (100 + 90) x 13.45
    assert contract.committed_value == Decimal("30690.00")
    assert contract.delivered_value == Decimal("16555.50")
    themes = {f.key: f for f in sv.report(warehouse, "theme")}
    assert themes["Environment"].committed_value == Decimal("2450.00")  # 10 t x GBP 245
    assert themes["Social"].delivered_quantity == Decimal(190)
    periods = {f.key for f in sv.report(warehouse, "period")}
    assert periods == {"2025-09-30", "2026-03-31"}


def test_xlsx_returns_load(warehouse: Warehouse, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["contract_ref", "measure_id", "period_end", "quantity"])
    sheet.append(["T9", "E1", date(2025, 9, 30), 4.5])
    path = tmp_path / "returns.xlsx"
    book.save(path)
    result = sv.import_returns(warehouse, path, "trafford")
    assert result.rows_loaded == 1 and not result.rejects
    [member] = [f for f in sv.report(warehouse, "member") if f.key == "trafford"]
    assert member.delivered_value == Decimal("1102.50")  # 4.5 t x GBP 245


def test_a_framework_file_without_its_columns_says_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("measure_id,theme\nX,Jobs\n")
    with pytest.raises(sv.SocialValueError, match="missing column"):
        sv.read_framework(path)
