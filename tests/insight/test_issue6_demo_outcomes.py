"""The generated demonstration network, loaded as `observatory demo` loads it, has categories and
supplier locations from its own reference files, so its carbon, modern-slavery and leakage figures
are not empty. Expected figures are computed here from the generated CSV files, the official
ProClass v17 list and DEFRA factor CSV under ../shared/data and the boundaries TOML, read with the
csv module, not through the code under test."""

from __future__ import annotations

import csv
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from independent import DATA, need
from outcomes_helpers import PROJECT_DATA, cpi, proclass_to_group, raw_defra_factors, simple_name

from observatory.demonstration import load_generated
from observatory.insight import carbon, slavery, wealth
from observatory.store import Warehouse

# Fixed before looking at any output: large published categories of the LGA-style member.
CARBON_CODES = ("391110", "371000", "111200", "321014")
# Categories the demo's story gives a regional supplier and a national one (docs/demo-network.md).
LEAKAGE_CODES = ("371000", "201800", "151000", "381100")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Warehouse, Path]]:
    folder = tmp_path_factory.mktemp("demo-outcomes")
    w = Warehouse.open(folder / "o.duckdb")
    _, errors = load_generated(w, folder / "demo-network")
    assert not errors
    yield w, folder / "demo-network"
    w.close()


def _brindleford_rows(root: Path) -> list[dict[str, str]]:
    """The LGA-style member's published lines (it prints a ProClass code, or NA)."""
    rows: list[dict[str, str]] = []
    for path in sorted((root / "brindleford" / "spend").glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def test_the_shipped_headings_are_proclass_v17_unchanged(demo) -> None:
    _, root = demo
    with need(DATA / "codelists" / "proclass_17.csv").open(encoding="utf-8-sig") as handle:
        official = {r["code"]: r for r in csv.DictReader(handle)}
    with (root / "reference" / "proclass-demo.csv").open(encoding="utf-8") as handle:
        shipped = list(csv.DictReader(handle))
    assert len(shipped) == 42
    for row in shipped:
        assert row == official[row["code"]]  # code, levels and note exactly as published
    used = {r["ProclassCode"] for r in _brindleford_rows(root)} - {"NA"}
    assert used <= {r["code"] for r in shipped}


def test_every_line_is_classified_and_published_codes_are_kept(demo) -> None:
    w, root = demo
    raw = _brindleford_rows(root)
    published = sum(1 for r in raw if r["ProclassCode"] != "NA")
    lines = w.fetch_value("SELECT count(*) FROM spend_lines")
    by_source = {
        r["source"]: r["n"]
        for r in w.fetch("SELECT source, count(*) AS n FROM line_categories GROUP BY 1")
    }
    assert by_source["published"] == published
    assert sum(by_source.values()) == lines


def test_demo_carbon_is_the_factor_table_applied_to_the_raw_lines(demo) -> None:
    w, root = demo
    total = carbon.total(w)
    assert total.tco2e > 0
    factors, index, groups = raw_defra_factors(), cpi(), proclass_to_group()
    last_year = max(index)  # later years take the last published year's index (carbon.md)
    expected: dict[str, float] = defaultdict(float)
    for r in _brindleford_rows(root):
        if r["ProclassCode"] in CARBON_CODES:
            year = min(date.fromisoformat(r["PaymentDate"]).year, last_year)
            factor = factors[groups[r["ProclassCode"]]]
            expected[r["ProclassCode"]] += float(r["Amount"]) * index[2022] / index[year] * factor
    carbon.build(w)
    got = {
        r["category"]: r["kg"]
        for r in w.fetch(
            "SELECT category, sum(kgco2e) AS kg FROM carbon_lines WHERE organisation = "
            "'brindleford' AND category_basis = 'classification (published)' GROUP BY 1"
        )
    }
    for code in CARBON_CODES:
        assert expected[code] > 0
        assert got[code] == pytest.approx(expected[code], rel=1e-9)


def test_demo_modern_slavery_has_high_risk_spend(demo) -> None:
    """Construction is a higher-risk industry (DOMAIN.md): all of it is high-risk spend, at least
    the construction lines the LGA-style member published with their code."""
    w, root = demo
    by_category = {f.key: f for f in slavery.figures(w, "category", top=None)}
    published = sum(
        float(r["Amount"]) for r in _brindleford_rows(root) if r["ProclassCode"] == "391110"
    )
    construction = by_category["391110"]
    assert published > 0
    assert construction.high_risk_spend == pytest.approx(construction.spend)
    assert construction.high_risk_spend >= published


def _register_postcodes(root: Path) -> dict[str, str]:
    """Normalised supplier name (first 35 characters, as the LGA-style member cuts names) -> the
    postcode the members' contracts registers give most often (ties: the lowest)."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for path in sorted(root.glob("*/contracts/*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for r in csv.DictReader(handle):
                postcode = r["Supplier Postcode"].strip().upper()
                key = simple_name(r["Supplier Company Name"][:35])
                if key and postcode and postcode != "VARIOUS":
                    seen[key][postcode] += 1
    return {k: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for k, c in seen.items()}


def test_demo_leakage_rows_match_the_raw_files(demo) -> None:
    w, root = demo
    with (root / "reference" / "postcodes.csv").open(encoding="utf-8") as handle:
        district = {r["postcode"]: r["area_code"] for r in csv.DictReader(handle)}
    bounds = tomllib.loads((PROJECT_DATA / "community_wealth_boundaries.toml").read_text())
    region = bounds["member_region"]["brindleford"]
    inside_region = set(bounds["region"][region]["districts"])
    postcode = _register_postcodes(root)
    outside: dict[str, float] = defaultdict(float)
    inside: dict[str, float] = defaultdict(float)
    for r in _brindleford_rows(root):
        where = district.get(postcode.get(simple_name(r["BeneficiaryName"][:35]) or "", ""))
        if r["ProclassCode"] in LEAKAGE_CODES and where:
            (inside if where in inside_region else outside)[r["ProclassCode"]] += float(r["Amount"])
    # A supplier in the region is paid in the category somewhere in the network: a register line.
    regional: set[str] = set()
    for path in sorted(root.glob("*/contracts/*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for r in csv.DictReader(handle):
                pc = r["Supplier Postcode"].strip().upper()
                if district.get(pc) in inside_region:
                    regional.add(r["ProClass Classification"])

    wealth.build(w)
    rows = {r.category: r for r in wealth.leakage(w, "brindleford", top=100)}
    for code in LEAKAGE_CODES:
        assert outside[code] > 0 and code in regional
        row = rows[code]
        assert row.spend_outside_region == pytest.approx(outside[code], abs=0.005)
        assert row.spend_in_region == pytest.approx(inside[code], abs=0.005)
        assert row.regional_suppliers >= 1
    [coverage] = wealth.leakage_coverage(w, "brindleford")
    assert coverage.qualifying == len(rows) and coverage.reason == ""
