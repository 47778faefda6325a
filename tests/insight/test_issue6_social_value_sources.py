"""The example social-value framework: derived proxies follow from the figures they cite (the car
factor read from the DESNZ 2024 flat file under ../shared/data), and what could not be checked
says so."""

from __future__ import annotations

from decimal import Decimal

from independent import DATA, need
from outcomes_helpers import project_rows
from python_calamine import CalamineWorkbook


def _rows() -> dict[str, dict[str, str]]:
    return {r["measure_id"]: r for r in project_rows("social_value_example.csv")}


def _average_car_kg_per_mile() -> float:
    book = CalamineWorkbook.from_path(
        str(need(DATA / "emission-factors" / "ghg-conversion-factors-2024-flat.xlsx"))
    )
    sheet = book.get_sheet_by_name("Factors by Category").to_python()
    [factor] = [
        r[9]
        for r in sheet
        if r[1] == "Scope 1"
        and r[3] == "Cars (by size)"
        and r[4] == "Average car"
        and r[6] == "Unknown"
        and r[7] == "miles"
        and r[8] == "kg CO2e"
    ]
    return float(factor)


def test_derived_proxies_follow_from_their_sources() -> None:
    rows = _rows()
    kg = _average_car_kg_per_mile()
    assert kg == 0.2686
    e1 = Decimal(rows["E1"]["proxy_value"])
    assert Decimal(rows["E2"]["proxy_value"]) == (Decimal(str(kg)) * e1 / 1000).quantize(
        Decimal("0.01")
    )
    # Real Living Wage 2025-26 less the National Living Wage from April 2025.
    assert Decimal(rows["J3"]["proxy_value"]) == Decimal("13.45") - Decimal("12.21")
    assert rows["S1"]["proxy_value"] == "13.45"


def test_unchecked_values_are_marked_and_say_why() -> None:
    rows = _rows()
    unchecked = {k for k, r in rows.items() if r["verified"] != "yes"}
    assert unchecked == {"J1", "J2", "G1"}
    assert "not found" in rows["J1"]["note"] and "unverified" in rows["J2"]["note"]
    assert "assumption" in rows["G1"]["note"]
