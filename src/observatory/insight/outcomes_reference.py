"""Reference figures the policy-outcome measures use, and the per-line table they share.

The figures are the project's own data files under ``observatory/data`` (each cites its source in
its header): DEFRA spend-based factors, the ONS CPI annual index, the modern-slavery risk table and
the community-wealth boundaries. ``prepare`` registers them as temporary tables and builds
``outcome_lines`` (store/sql/outcome_lines.sql), which carbon, wealth and slavery all read.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa

from observatory.store import Warehouse
from observatory.store.warehouse import split_statements, sql_text

FACTOR_YEAR = 2022  # price year of the DEFRA 2022 factor table
# A model-assigned category is used only at or above this calibrated confidence: on the real data
# most model guesses are below it, and a wrong category moves a line's factor up to 40-fold.
MIN_CATEGORY_CONFIDENCE = 0.5


def data_text(name: str) -> str:
    return (resources.files("observatory") / "data" / name).read_text("utf-8")


def data_rows(name: str) -> list[dict[str, str]]:
    """A CSV shipped under observatory/data, its '#' source lines skipped."""
    lines = [ln for ln in data_text(name).splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


@dataclass(frozen=True)
class Factor:
    sic_group: str
    description: str
    kgco2e_per_gbp: float
    prefixes: tuple[str, ...]


def factor_table() -> list[Factor]:
    return [
        Factor(
            r["sic_group"],
            r["description"],
            float(r["ghg_kgco2e_per_gbp"]),
            tuple(p for p in r["sic_prefixes"].split(";") if p),
        )
        for r in data_rows("defra_spend_factors_2022.csv")
    ]


def cpi_index() -> dict[int, float]:
    return {int(r["year"]): float(r["index"]) for r in data_rows("cpi_annual_d7bt.csv")}


def cpi_unverified_years() -> list[int]:
    return [int(r["year"]) for r in data_rows("cpi_annual_d7bt.csv") if r["verified"] != "yes"]


@dataclass(frozen=True)
class Region:
    key: str
    name: str
    districts: tuple[str, ...]


@dataclass(frozen=True)
class Boundaries:
    regions: dict[str, Region]
    member_region: dict[str, str]  # org_id -> region key

    def region_of(self, org_id: str) -> Region | None:
        key = self.member_region.get(org_id)
        return self.regions.get(key) if key else None


def boundaries(path: Path | None = None) -> Boundaries:
    """Regions as ONS district codes (data/community_wealth_boundaries.toml unless ``path``)."""
    text = path.read_text("utf-8") if path else data_text("community_wealth_boundaries.toml")
    doc = tomllib.loads(text)
    regions = {
        key: Region(key, value["name"], tuple(value["districts"]))
        for key, value in doc.get("region", {}).items()
    }
    members = dict(doc.get("member_region", {}))
    unknown = sorted(set(members.values()) - set(regions))
    if unknown:
        raise ValueError(f"member_region names regions that are not defined: {unknown}")
    return Boundaries(regions, members)


def _category_sic(warehouse: Warehouse) -> list[tuple[str, str, str, str | None, str | None]]:
    """ProClass code -> DEFRA SIC group, from the classification's mapping (proclass_sic_groups);
    where that table has not been built yet, the same rules applied here to the installed code
    list (classify.categories.sic_group_for), so the two never disagree."""
    from observatory.classify.categories import codes, sic_group_for, sic_group_rules

    installed = codes(warehouse, "proclass")
    rows = warehouse.fetch("SELECT code, sic_group, matched_on FROM proclass_sic_groups")
    if rows:
        mapped = {r["code"]: (r["sic_group"], r["matched_on"]) for r in rows}
    else:
        rules = sic_group_rules()
        mapped = {}
        for code, entry in installed.items():
            rule = sic_group_for(entry, rules)
            if rule is not None:
                matched = "code" if rule.code else ("level 2" if rule.level2 else "level 1")
                mapped[code] = (rule.sic_group, matched)
    return [
        (
            code,
            group,
            matched,
            installed.get(code, {}).get("label"),
            installed.get(code, {}).get("level1"),
        )
        for code, (group, matched) in mapped.items()
    ]


def temp_table(
    warehouse: Warehouse, name: str, columns: dict[str, pa.DataType], rows: list[tuple[Any, ...]]
) -> None:
    """A temporary table ``name`` holding ``rows``, through the engine seam (an Arrow table
    registered and copied), so that DuckDB and Spark build it the same way."""
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    table = pa.table(
        {c: pa.array(list(v), t) for (c, t), v in zip(columns.items(), values, strict=True)}
    )
    warehouse.register(f"{name}_rows", table)
    try:
        warehouse.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_rows")
    finally:
        warehouse.unregister(f"{name}_rows")


TEXT, NUMBER, WHOLE = pa.string(), pa.float64(), pa.int32()


def register_reference(warehouse: Warehouse) -> None:
    """Reference figures as temporary tables (ref_factors, ref_factor_prefixes, ref_cpi,
    ref_category_sic)."""
    warehouse.execute_script(sql_text("outcome_macros"))
    factors = factor_table()
    temp_table(
        warehouse,
        "ref_factors",
        {"sic_group": TEXT, "description": TEXT, "kgco2e_per_gbp": NUMBER},
        [(f.sic_group, f.description, f.kgco2e_per_gbp) for f in factors],
    )
    temp_table(
        warehouse,
        "ref_factor_prefixes",
        {"sic_group": TEXT, "prefix": TEXT},
        [(f.sic_group, p) for f in factors for p in f.prefixes],
    )
    temp_table(warehouse, "ref_cpi", {"year": WHOLE, "idx": NUMBER}, list(cpi_index().items()))
    temp_table(
        warehouse,
        "ref_category_sic",
        {"code": TEXT, "sic_group": TEXT, "matched_on": TEXT, "label": TEXT, "level1": TEXT},
        _category_sic(warehouse),
    )


def run_script(warehouse: Warehouse, name: str, params: dict[str, Any] | None = None) -> None:
    """Run store/sql/NAME.sql, giving each statement the ``$name`` parameters its code uses
    (DuckDB refuses parameters a statement does not use; comments do not count)."""
    for statement in split_statements(sql_text(name)):
        code = "\n".join(ln for ln in statement.splitlines() if not ln.strip().startswith("--"))
        used = {k: v for k, v in (params or {}).items() if f"${k}" in code}
        warehouse.execute(statement, used or None)


def prepare(warehouse: Warehouse) -> None:
    """Reference tables, then ``outcome_lines`` (one row per spend line)."""
    register_reference(warehouse)
    run_script(warehouse, "outcome_lines", {"min_confidence": MIN_CATEGORY_CONFIDENCE})


def supplier_key(warehouse: Warehouse, name: str) -> str:
    """The key an entry is stored under: a supplier id (given, or a resolved supplier's canonical
    name), else 'name:' + the normalised name, as outcome_lines keys unresolved lines."""
    hit = warehouse.fetch(
        "SELECT supplier_id FROM suppliers "
        "WHERE supplier_id = ? OR lower(canonical_name) = lower(?) "
        "ORDER BY supplier_id = ? DESC LIMIT 1",
        [name, name, name],
    )
    if hit:
        return str(hit[0]["supplier_id"])
    if name.startswith("name:"):
        return name
    warehouse.execute_script(sql_text("outcome_macros"))
    normalised = warehouse.fetch_value("SELECT outcome_name(?)", [name])
    if not normalised:
        raise ValueError(f"{name!r} is not a usable supplier name")
    return f"name:{normalised}"
