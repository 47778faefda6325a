"""Supply-chain carbon: a spend-based Scope 3 category 1 estimate, by line, supplier, category,
member and year, with its method and a low/high range on every figure.

The SQL is store/sql/carbon_lines.sql over outcome_lines; the factors (DEFRA, by SIC group) and the
CPI index are project data (insight/outcomes_reference.py). docs/methods/carbon.md explains it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from observatory.insight import outcomes_reference as ref
from observatory.store import Warehouse

CAVEAT = (
    "Spend-based estimates are rough: they scale with price, so a price cut 'cuts' emissions. "
    "Use supplier-specific figures where suppliers report them."
)

# How each grouping names its rows: (key, label), SQL expressions over one carbon_lines row.
GROUPINGS = {
    "member": ("organisation", "organisation"),
    "year": ("CAST(year AS VARCHAR)", "CAST(year AS VARCHAR)"),
    "member-year": ("organisation || ' ' || year", "organisation || ' ' || year"),
    "category": ("coalesce(category, 'none')", "coalesce(category_label, 'no category')"),
    "sic-group": ("coalesce(c.sic_group, 'none')", "coalesce(f.description, 'no SIC group')"),
    "supplier": ("supplier_key", "coalesce(supplier_name, supplier_key)"),
}


@dataclass(frozen=True)
class CarbonFigure:
    """Estimated emissions for one group of spend lines (tonnes CO2e)."""

    grouping: str
    key: str
    label: str
    lines: int
    spend: float  # net of VAT, as paid
    deflated_spend: float  # in the factor table's price year (2022 GBP)
    tco2e: float
    tco2e_low: float
    tco2e_high: float
    main_method: str  # the method behind most of the tonnes
    method_shares: dict[str, float] = field(default_factory=dict)  # share of tonnes by method

    def as_json(self) -> dict[str, Any]:
        return {
            "grouping": self.grouping,
            "key": self.key,
            "label": self.label,
            "lines": self.lines,
            "spend_net_gbp": round(self.spend, 2),
            "spend_2022_prices_gbp": round(self.deflated_spend, 2),
            "tco2e": round(self.tco2e, 3),
            "tco2e_low": round(self.tco2e_low, 3),
            "tco2e_high": round(self.tco2e_high, 3),
            "main_method": self.main_method,
            "method_shares": {k: round(v, 4) for k, v in self.method_shares.items()},
        }


@dataclass(frozen=True)
class CarbonLine:
    line_key: str
    organisation: str
    payment_date: date
    supplier_name: str | None
    category: str | None
    sic_group: str | None
    method: str
    net_amount: float
    deflated_spend: float
    factor: float | None
    kgco2e: float
    kgco2e_low: float
    kgco2e_high: float


def build(warehouse: Warehouse) -> None:
    """(Re)build the temporary ``carbon_lines`` table for this connection."""
    ref.prepare(warehouse)
    ref.run_script(warehouse, "carbon_lines", {"factor_year": ref.FACTOR_YEAR})


def _where(organisation: str | None, year: int | None) -> tuple[str, dict[str, Any]]:
    clauses, params = [], {}
    if organisation:
        clauses.append("c.organisation = $org")
        params["org"] = organisation
    if year:
        clauses.append("c.year = $year")
        params["year"] = year
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def figures(
    warehouse: Warehouse,
    by: str = "member",
    organisation: str | None = None,
    year: int | None = None,
    top: int | None = None,
    rebuild: bool = True,
) -> list[CarbonFigure]:
    """Tonnes CO2e grouped ``by`` member, year, member-year, category, sic-group or supplier,
    largest first."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    if rebuild:
        build(warehouse)
    key, label = GROUPINGS[by]
    where, params = _where(organisation, year)
    limit = f"LIMIT {int(top)}" if top else ""
    rows = warehouse.fetch(
        f"""
        WITH g AS (
            SELECT {key} AS key, {label} AS label, method, line_key,
                   net_amount, deflated_spend, kgco2e, kgco2e_low, kgco2e_high
            FROM carbon_lines c LEFT JOIN ref_factors f ON f.sic_group = c.sic_group
            {where}
        ),
        m AS (
            SELECT key, method, sum(kgco2e) AS kg FROM g GROUP BY key, method
        ),
        t AS (
            SELECT key, any_value(label) AS label,
                   count(*) AS lines, sum(net_amount)::DOUBLE AS spend,
                   sum(deflated_spend)::DOUBLE AS deflated, sum(kgco2e) AS kg,
                   sum(kgco2e_low) AS kg_low, sum(kgco2e_high) AS kg_high
            FROM g GROUP BY key
        )
        SELECT t.*, (SELECT list(struct_pack(method := m.method, kg := m.kg) ORDER BY m.kg DESC)
                     FROM m WHERE m.key = t.key) AS methods
        FROM t ORDER BY kg DESC {limit}
        """,
        params,
    )
    return [_figure(by, r) for r in rows]


def _figure(by: str, r: dict[str, Any]) -> CarbonFigure:
    kg = float(r["kg"] or 0)
    methods = r["methods"] or []
    shares = {m["method"]: (float(m["kg"] or 0) / kg if kg else 0.0) for m in methods}
    return CarbonFigure(
        grouping=by,
        key=str(r["key"]),
        label=str(r["label"]),
        lines=int(r["lines"]),
        spend=float(r["spend"] or 0),
        deflated_spend=float(r["deflated"] or 0),
        tco2e=kg / 1000,
        tco2e_low=float(r["kg_low"] or 0) / 1000,
        tco2e_high=float(r["kg_high"] or 0) / 1000,
        main_method=methods[0]["method"] if methods else "",
        method_shares=shares,
    )


def total(
    warehouse: Warehouse, organisation: str | None = None, rebuild: bool = True
) -> CarbonFigure:
    """The network's (or one member's) estimate as one figure."""
    if rebuild:
        build(warehouse)
    where, params = _where(organisation, None)
    rows = warehouse.fetch(
        f"""
        WITH m AS (SELECT method, sum(kgco2e) AS kg FROM carbon_lines c {where} GROUP BY method)
        SELECT 'network' AS key, 'all members' AS label, count(*) AS lines,
               sum(net_amount)::DOUBLE AS spend, sum(deflated_spend)::DOUBLE AS deflated,
               sum(kgco2e) AS kg, sum(kgco2e_low) AS kg_low, sum(kgco2e_high) AS kg_high,
               (SELECT list(struct_pack(method := method, kg := kg) ORDER BY kg DESC) FROM m)
                   AS methods
        FROM carbon_lines c {where}
        """,
        params,
    )
    figure = _figure("total", rows[0])
    if organisation:
        return CarbonFigure(**{**figure.__dict__, "key": organisation, "label": organisation})
    return figure


def lines(
    warehouse: Warehouse, organisation: str | None = None, limit: int = 100, rebuild: bool = True
) -> list[CarbonLine]:
    """Per-line figures, largest first (the web's drill-down)."""
    if rebuild:
        build(warehouse)
    where, params = _where(organisation, None)
    rows = warehouse.fetch(
        f"SELECT * FROM carbon_lines c {where} ORDER BY kgco2e DESC LIMIT {int(limit)}", params
    )
    return [
        CarbonLine(
            line_key=r["line_key"],
            organisation=r["organisation"],
            payment_date=r["payment_date"],
            supplier_name=r["supplier_name"],
            category=r["category"],
            sic_group=r["sic_group"],
            method=r["method"],
            net_amount=float(r["net_amount"]),
            deflated_spend=float(r["deflated_spend"]),
            factor=r["applied_factor"],
            kgco2e=float(r["kgco2e"] or 0),
            kgco2e_low=float(r["kgco2e_low"] or 0),
            kgco2e_high=float(r["kgco2e_high"] or 0),
        )
        for r in rows
    ]
