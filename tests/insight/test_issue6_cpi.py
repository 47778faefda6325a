"""The CPI index that deflates spend to the DEFRA factors' price year (2022): which years were
checked against a stored ONS release, and the direction of the deflation, by a hand calculation
with the index values typed in from that release (ONS D7BT, release of 14 February 2024)."""

from __future__ import annotations

import pytest
from independent import DATA, need
from outcomes_helpers import member_warehouse, proclass_to_group, project_rows, raw_defra_factors

from observatory.classify.categories import import_code_list
from observatory.insight import carbon
from observatory.insight.outcomes_reference import FACTOR_YEAR, cpi_unverified_years

# Typed from the ONS D7BT CSV (release date 14-02-2024), annual averages, 2015 = 100.
ONS_D7BT_2022, ONS_D7BT_2021, ONS_D7BT_2023 = 121.7, 111.6, 130.5


def test_checked_years_cite_the_release_and_the_rest_are_flagged() -> None:
    rows = {int(r["year"]): r for r in project_rows("cpi_annual_d7bt.csv")}
    checked = {y for y, r in rows.items() if r["verified"] == "yes"}
    assert checked == set(range(2010, 2024))
    assert all("release 14-02-2024" in rows[y]["note"] for y in checked)
    assert cpi_unverified_years() == [2024, 2025]
    assert all("not found" in rows[y]["note"] for y in (2024, 2025))
    assert float(rows[2022]["index"]) == ONS_D7BT_2022 and FACTOR_YEAR == 2022


def test_spend_is_deflated_to_2022_prices() -> None:
    """GBP 1,000 paid in 2023 bought less than in 2022 (prices rose 7.2%): it counts as GBP 932.57
    of 2022 spend; GBP 1,000 paid in 2021 counts as GBP 1,090.50."""
    w = member_warehouse()
    import_code_list(w, need(DATA / "codelists" / "proclass_17.csv"))
    for key, day in (("a", "2021-06-30"), ("b", "2023-06-30")):
        w.execute(
            "INSERT INTO spend_lines (line_key, organisation, load_id, source_file, source_sha256, "
            "source_row, source_line, payment_date, date_basis, amount, amount_basis, "
            "supplier_name, is_redacted, is_negative, is_card, proclass_code, raw_text) VALUES "
            "(?, 'salford', 1, 'f', 's', 1, 2, CAST(? AS DATE), 'payment', 1000, 'net', "
            "'Sparkle Cleaning Ltd', false, false, false, '131310', '')",
            [key, day],
        )
    factor = raw_defra_factors()[proclass_to_group()["131310"]]
    by_year = {f.key: f for f in carbon.figures(w, "year")}
    assert by_year["2023"].deflated_spend == pytest.approx(1000 * ONS_D7BT_2022 / ONS_D7BT_2023)
    assert by_year["2021"].deflated_spend == pytest.approx(1000 * ONS_D7BT_2022 / ONS_D7BT_2021)
    assert round(by_year["2023"].deflated_spend, 2) == 932.57
    assert round(by_year["2021"].deflated_spend, 2) == 1090.50
    assert by_year["2023"].tco2e == pytest.approx(932.567 * factor / 1000, rel=1e-5)
