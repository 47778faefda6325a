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
            SELECT key, min(label) AS label,
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


# -- supplier-specific figures and Carbon Reduction Plans --------------------------------------
@dataclass(frozen=True)
class CarbonOverride:
    supplier_key: str
    supplier_name: str
    kgco2e_per_gbp: float
    price_year: int
    source: str
    low_kgco2e_per_gbp: float | None = None
    high_kgco2e_per_gbp: float | None = None
    entered_by: str | None = None


def set_override(warehouse: Warehouse, override: CarbonOverride) -> None:
    """Record a supplier's own reported intensity (kg CO2e per GBP of its revenue in
    ``price_year``); it replaces the spend-based factor for every line of that supplier."""
    if override.kgco2e_per_gbp < 0:
        raise ValueError("the intensity must be >= 0 kg CO2e per GBP")
    low, high = override.low_kgco2e_per_gbp, override.high_kgco2e_per_gbp
    if (low is not None and low > override.kgco2e_per_gbp) or (
        high is not None and high < override.kgco2e_per_gbp
    ):
        raise ValueError("the range must hold the central figure (low <= intensity <= high)")
    years = ref.cpi_index()
    if override.price_year not in years:
        raise ValueError(
            f"no CPI figure for {override.price_year}: years {min(years)}-{max(years)}"
        )
    warehouse.execute(
        "INSERT OR REPLACE INTO supplier_carbon_overrides (supplier_key, supplier_name, "
        "kgco2e_per_gbp, price_year, low_kgco2e_per_gbp, high_kgco2e_per_gbp, source, entered_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            override.supplier_key,
            override.supplier_name,
            override.kgco2e_per_gbp,
            override.price_year,
            low,
            high,
            override.source,
            override.entered_by,
        ],
    )


def remove_override(warehouse: Warehouse, supplier_key: str) -> bool:
    found = warehouse.fetch_value(
        "SELECT count(*) FROM supplier_carbon_overrides WHERE supplier_key = ?", [supplier_key]
    )
    warehouse.execute(
        "DELETE FROM supplier_carbon_overrides WHERE supplier_key = ?", [supplier_key]
    )
    return bool(found)


def overrides(warehouse: Warehouse) -> list[CarbonOverride]:
    rows = warehouse.fetch(
        "SELECT * EXCLUDE (entered_at) FROM supplier_carbon_overrides ORDER BY supplier_name"
    )
    return [CarbonOverride(**r) for r in rows]


@dataclass(frozen=True)
class ReductionPlan:
    """A supplier's Carbon Reduction Plan (PPN 006) as a member recorded it."""

    supplier_key: str
    supplier_name: str
    has_plan: bool
    plan_date: date | None = None
    net_zero_year: int | None = None
    scopes: tuple[str, ...] = ()
    link: str | None = None
    entered_by: str | None = None

    @property
    def covers_ppn006_scopes(self) -> bool:
        """Scope 1, 2 and Scope 3 categories 4, 5, 6, 7 and 9, as PPN 006 asks."""
        return {"1", "2", "3.4", "3.5", "3.6", "3.7", "3.9"} <= set(self.scopes)


def record_plan(warehouse: Warehouse, plan: ReductionPlan) -> None:
    if plan.net_zero_year is not None and not 2000 <= plan.net_zero_year <= 2100:
        raise ValueError("net_zero_year must be a year (2000-2100)")
    warehouse.execute(
        "INSERT OR REPLACE INTO carbon_reduction_plans (supplier_key, supplier_name, has_plan, "
        "plan_date, net_zero_year, scopes, link, entered_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            plan.supplier_key,
            plan.supplier_name,
            plan.has_plan,
            plan.plan_date,
            plan.net_zero_year,
            list(plan.scopes),
            plan.link,
            plan.entered_by,
        ],
    )


def plans(warehouse: Warehouse) -> list[ReductionPlan]:
    rows = warehouse.fetch(
        "SELECT * EXCLUDE (entered_at) FROM carbon_reduction_plans ORDER BY supplier_name"
    )
    return [ReductionPlan(**{**r, "scopes": tuple(r["scopes"] or ())}) for r in rows]
