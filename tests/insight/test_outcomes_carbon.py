"""Supply-chain carbon: the spend-based estimate on real Trafford lines equals one computed here
from the raw file, the official DEFRA factor CSV, the ProClass code list and the CPI index; a
supplier's own intensity replaces the spend-based figure; the range brackets the figure."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from independent import DATA, need
from outcomes_helpers import (
    cpi,
    member_warehouse,
    money,
    proclass_to_group,
    raw_defra_factors,
    simple_name,
    trafford_sample,
)

from observatory.classify.categories import import_code_list
from observatory.insight import carbon
from observatory.sources.spend import load_spend
from observatory.store import Warehouse

ROWS = 3000


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, list[dict[str, str]]]:
    path, rows = trafford_sample(tmp_path_factory.mktemp("carbon"), ROWS)
    w = member_warehouse()
    import_code_list(w, need(DATA / "codelists" / "proclass_17.csv"))
    [receipt] = load_spend(w, [str(path)], "trafford")
    assert receipt.rows_loaded == ROWS  # every sample row is a payment the loader keeps
    return w, rows


def _expected(rows: list[dict[str, str]]) -> dict[str, float]:
    """kg CO2e per ProClass code (and 'none'), computed from the raw rows."""
    factors, index, groups = raw_defra_factors(), cpi(), proclass_to_group()
    mapped = []
    for r in rows:
        code = r["ProclassCode"] if r["ProclassCode"] not in ("", "NA") else None
        amount = float(money(r["Amount"]) or 0)
        year = date.fromisoformat(r["PaymentDate"]).year
        group = groups.get(code) if code else None
        mapped.append((code, amount, year, factors[group] if group else None))
    # Lines with no mapped category take the spend-weighted average factor of the mapped lines.
    positive = [(a, f) for _, a, _, f in mapped if f is not None and a > 0]
    average = sum(a * f for a, f in positive) / sum(a for a, _ in positive)
    kg: dict[str, float] = defaultdict(float)
    for code, amount, year, factor in mapped:
        key = code if factor is not None else "unmapped"
        kg[key] += amount * index[2022] / index[year] * (factor if factor is not None else average)
    return kg


def test_spend_based_estimate_matches_an_independent_computation(sample) -> None:
    w, rows = sample
    expected = _expected(rows)
    total = carbon.total(w)
    assert total.tco2e == pytest.approx(sum(expected.values()) / 1000, rel=1e-9)
    assert total.lines == ROWS
    assert total.tco2e_low < total.tco2e < total.tco2e_high
    by_category = {f.key: f for f in carbon.figures(w, "category", rebuild=False)}
    mapped = {k: v for k, v in expected.items() if k != "unmapped"}
    top = max(mapped, key=lambda k: mapped[k])
    assert by_category[top].tco2e == pytest.approx(mapped[top] / 1000, rel=1e-9)
    assert by_category[top].main_method.startswith("spend-based: category")
    # Shares of the total by method add up to the whole.
    assert sum(total.method_shares.values()) == pytest.approx(1.0)


def test_figures_by_year_and_member_add_up_to_the_total(sample) -> None:
    w, _ = sample
    total = carbon.total(w)
    years = carbon.figures(w, "year", rebuild=False)
    assert sum(f.tco2e for f in years) == pytest.approx(total.tco2e)
    [member] = carbon.figures(w, "member", rebuild=False)
    assert member.key == "trafford" and member.tco2e == pytest.approx(total.tco2e)
    suppliers = carbon.figures(w, "supplier", top=5, rebuild=False)
    assert suppliers == sorted(suppliers, key=lambda f: -f.tco2e)


def test_a_supplier_override_replaces_the_spend_based_figure(sample) -> None:
    w, rows = sample
    name = max(
        {r["BeneficiaryName"] for r in rows if r["BeneficiaryName"] != "Redacted"},
        key=lambda n: sum(
            float(money(r["Amount"]) or 0) for r in rows if r["BeneficiaryName"] == n
        ),
    )
    spend = sum(float(money(r["Amount"]) or 0) for r in rows if r["BeneficiaryName"] == name)
    key = f"name:{simple_name(name)}"
    carbon.set_override(w, carbon.CarbonOverride(key, name, 0.05, 2022, "annual report 2022"))
    try:
        [figure] = [f for f in carbon.figures(w, "supplier", top=None) if f.key == key]
        index = cpi()
        expected = sum(
            float(money(r["Amount"]) or 0)
            * index[2022]
            / index[date.fromisoformat(r["PaymentDate"]).year]
            * 0.05
            for r in rows
            if r["BeneficiaryName"] == name
        )
        assert spend and figure.tco2e == pytest.approx(expected / 1000, rel=1e-9)
        assert figure.method_shares == {"supplier-specific": 1.0}
        assert figure.tco2e_low == pytest.approx(0.8 * figure.tco2e)  # no stated range: +/-20%
    finally:
        carbon.remove_override(w, key)


def test_override_checks_its_range_and_year(sample) -> None:
    w, _ = sample
    with pytest.raises(ValueError, match="range"):
        carbon.set_override(w, carbon.CarbonOverride("name:x", "X", 0.1, 2022, "s", 0.2, 0.3))
    with pytest.raises(ValueError, match="CPI"):
        carbon.set_override(w, carbon.CarbonOverride("name:x", "X", 0.1, 1990, "s"))


def test_carbon_reduction_plan_register(tmp_path: Path) -> None:
    w = member_warehouse()
    plan = carbon.ReductionPlan(
        "name:acme",
        "Acme Ltd",
        True,
        date(2024, 6, 1),
        2045,
        ("1", "2", "3.4", "3.5", "3.6", "3.7", "3.9"),
        "https://example.org/crp.pdf",
    )
    carbon.record_plan(w, plan)
    [stored] = carbon.plans(w)
    assert stored == plan and stored.covers_ppn006_scopes
    carbon.record_plan(w, carbon.ReductionPlan("name:acme", "Acme Ltd", False))
    [replaced] = carbon.plans(w)
    assert not replaced.has_plan and not replaced.covers_ppn006_scopes


def test_factor_table_is_the_official_one() -> None:
    from observatory.insight.outcomes_reference import factor_table

    shipped = {f.sic_group: f.kgco2e_per_gbp for f in factor_table()}
    assert shipped == raw_defra_factors()
    # Every SIC 2007 division that has a group is reachable through the prefixes.
    prefixes = {p for f in factor_table() for p in f.prefixes}
    assert {"62", "81", "87", "43", "2011"} <= prefixes


def test_cpi_index_is_consistent_and_says_what_is_unverified() -> None:
    from observatory.insight.outcomes_reference import cpi_index, cpi_unverified_years

    index = cpi_index()
    assert index[2015] == 100.0 and set(index) == set(range(2010, 2026))
    years = sorted(index)
    assert all(index[b] >= index[a] for a, b in zip(years, years[1:], strict=False))
    assert cpi_unverified_years()  # the method note says these are unverified
