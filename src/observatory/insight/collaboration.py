"""Co-commissioning (CPC priority 1): suppliers and categories several members buy, the share of
the network's spend that goes to shared suppliers, and ranked opportunities to commission
together, each with a savings range, the assumptions behind it, and the lines and contracts that
make it up. Method: docs/methods/collaboration.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from observatory.insight.assumptions import SavingsAssumptions, savings_assumptions
from observatory.insight.scope import Scope, ensure_staged, run_sql
from observatory.store import Warehouse
from observatory.store.warehouse import split_statements, sql_text

SHARED = "insight_shared"
OPPORTUNITIES = "insight_opportunities"


def _d(value: Any) -> Decimal:
    """Money as Decimal pounds, rounded to pence (SQL averages come back as floats)."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _query(warehouse: Warehouse, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    statement = split_statements(sql_text(name))[-1]
    used = {k: v for k, v in params.items() if f"${k}" in statement}
    return warehouse.fetch(statement, used or None)


# -- shared suppliers and categories --------------------------------------------------------------


@dataclass(frozen=True)
class MemberShare:
    organisation: str
    months: int
    financial_years: list[str]
    total_amount: Decimal
    redacted_amount: Decimal
    named_amount: Decimal
    shared_supplier_amount: Decimal
    shared_supplier_pct: float | None  # of named spend
    suppliers: int
    shared_suppliers: int
    categorised_amount: Decimal
    shared_category_amount: Decimal


@dataclass(frozen=True)
class SharedOverview:
    scope: Scope
    min_members: int
    suppliers: int
    shared_suppliers: int
    categories: int
    shared_categories: int
    total_amount: Decimal
    redacted_amount: Decimal
    named_amount: Decimal
    shared_supplier_amount: Decimal
    shared_supplier_pct: float | None  # of the network's named (not redacted) spend
    categorised_amount: Decimal
    shared_category_amount: Decimal
    members: list[MemberShare]
    supplier_basis: str  # 'resolved suppliers', 'published names', or a mix

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["scope"] = self.scope.as_json()
        return out


@dataclass(frozen=True)
class MemberSpend:
    organisation: str
    amount: Decimal  # in scope, net of VAT where the publisher gives net
    annual_amount: Decimal  # amount x 12 / the member's months covered
    lines: int
    name: str | None = None  # the name this member publishes (suppliers only)
    suppliers: int | None = None  # distinct suppliers (categories only)


@dataclass(frozen=True)
class SharedSupplier:
    supplier_key: str
    supplier: str
    members: int
    member_ids: list[str]
    amount: Decimal
    annual_amount: Decimal
    per_member: list[MemberSpend]


@dataclass(frozen=True)
class SharedCategory:
    category_code: str
    category: str | None
    members: int
    member_ids: list[str]
    amount: Decimal
    annual_amount: Decimal
    per_member: list[MemberSpend]


def supplier_basis(warehouse: Warehouse) -> str:
    """Whether supplier keys are resolved entities or published names (see the method note)."""
    row = warehouse.fetch(
        "SELECT count(*) FILTER (WHERE supplier_key LIKE 'name:%') AS by_name, "
        "count(*) FILTER (WHERE supplier_key NOT LIKE 'name:%') AS resolved FROM insight_lines"
    )[0]
    if not row["resolved"]:
        return "published names (supplier resolution has not run)"
    if not row["by_name"]:
        return "resolved suppliers"
    return f"resolved suppliers, and published names for {row['by_name']:,} unresolved lines"


def shared_overview(warehouse: Warehouse, scope: Scope, min_members: int = 2) -> SharedOverview:
    ensure_staged(warehouse, scope, SHARED)
    params = {"min_members": min_members}
    members = [
        MemberShare(
            organisation=r["organisation"],
            months=r["months"],
            financial_years=list(r["financial_years"]),
            total_amount=_d(r["total_amount"]),
            redacted_amount=_d(r["redacted_amount"]),
            named_amount=_d(r["named_amount"]),
            shared_supplier_amount=_d(r["shared_supplier_amount"]),
            shared_supplier_pct=_pct(r["shared_supplier_amount"], r["named_amount"]),
            suppliers=r["suppliers"],
            shared_suppliers=r["shared_suppliers"],
            categorised_amount=_d(r["categorised_amount"]),
            shared_category_amount=_d(r["shared_category_amount"]),
        )
        for r in _query(warehouse, "insight_shared_summary", params)
    ]
    counts = _query(warehouse, "insight_network_counts", params)[0]

    def total(name: str) -> Decimal:
        return sum((getattr(m, name) for m in members), Decimal("0.00"))

    return SharedOverview(
        scope=scope,
        min_members=min_members,
        suppliers=counts["suppliers"],
        shared_suppliers=counts["shared_suppliers"],
        categories=counts["categories"],
        shared_categories=counts["shared_categories"],
        total_amount=total("total_amount"),
        redacted_amount=total("redacted_amount"),
        named_amount=total("named_amount"),
        shared_supplier_amount=total("shared_supplier_amount"),
        shared_supplier_pct=_pct(total("shared_supplier_amount"), total("named_amount")),
        categorised_amount=total("categorised_amount"),
        shared_category_amount=total("shared_category_amount"),
        members=members,
        supplier_basis=supplier_basis(warehouse),
    )


def _pct(part: Any, whole: Any) -> float | None:
    return round(100.0 * float(part or 0) / float(whole), 1) if whole else None


def _member_spend(items: list[dict[str, Any]]) -> list[MemberSpend]:
    return [
        MemberSpend(
            organisation=i["organisation"],
            amount=_d(i["amount"]),
            annual_amount=_d(i["annual_amount"]),
            lines=i["lines"],
            name=i.get("published_name"),
            suppliers=i.get("suppliers"),
        )
        for i in items
    ]


def shared_suppliers(
    warehouse: Warehouse, scope: Scope, min_members: int = 2, limit: int | None = None
) -> list[SharedSupplier]:
    ensure_staged(warehouse, scope, SHARED)
    rows = _query(warehouse, "insight_shared_suppliers", {"min_members": min_members})
    return [
        SharedSupplier(
            supplier_key=r["supplier_key"],
            supplier=r["supplier"],
            members=r["members"],
            member_ids=list(r["member_ids"]),
            amount=_d(r["amount"]),
            annual_amount=_d(r["annual_amount"]),
            per_member=_member_spend(r["per_member"]),
        )
        for r in rows[:limit]
    ]


def shared_categories(
    warehouse: Warehouse, scope: Scope, min_members: int = 2, limit: int | None = None
) -> list[SharedCategory]:
    ensure_staged(warehouse, scope, SHARED)
    rows = _query(warehouse, "insight_shared_categories", {"min_members": min_members})
    return [
        SharedCategory(
            category_code=r["category_code"],
            category=r["category"],
            members=r["members"],
            member_ids=list(r["member_ids"]),
            amount=_d(r["amount"]),
            annual_amount=_d(r["annual_amount"]),
            per_member=_member_spend(r["per_member"]),
        )
        for r in rows[:limit]
    ]


# -- opportunities --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpportunityMember:
    organisation: str
    reason: str  # 'buys off-contract' or 'contract ends YYYY-MM-DD'
    annual_amount: Decimal
    annual_basis: str  # 'spend' or 'contract annual value' (no spend in the unit in scope)
    off_contract_annual: Decimal
    amount: Decimal
    lines: int
    next_end: date | None
    live_contracts: list[str]


@dataclass(frozen=True)
class Opportunity:
    opportunity_id: str  # 'category:CODE' or 'supplier:KEY'
    kind: str
    unit_key: str
    label: str | None
    members: int
    member_ids: list[str]
    combined_annual: Decimal  # net of VAT, annualised per member
    off_contract_annual: Decimal
    model_share: float | None  # categories: share of the spend categorised by the model
    first_end: date | None
    last_end: date | None
    savings_low: Decimal
    savings_high: Decimal
    aggregation_low: Decimal
    aggregation_high: Decimal
    price_variation: Decimal
    assumptions: list[str]
    per_member: list[OpportunityMember]
    rank: int = 0


@dataclass(frozen=True)
class OpportunityDetail:
    opportunity: Opportunity
    lines: list[dict[str, Any]]
    contracts: list[dict[str, Any]]
    scope: Scope
    lines_total: Decimal = field(default=Decimal("0.00"))


def _stage_opportunities(warehouse: Warehouse, scope: Scope, a: SavingsAssumptions) -> None:
    ensure_staged(warehouse, scope, SHARED)
    ensure_staged(
        warehouse,
        scope,
        OPPORTUNITIES,
        params={
            "horizon_months": a.horizon_months,
            "window_months": a.window_months,
            "min_off_contract": a.min_off_contract_annual,
            "min_combined": a.min_combined_annual,
        },
    )


def _price_variation(prices: list[dict[str, Any]], a: SavingsAssumptions) -> tuple[Decimal, int]:
    """Extra saving if members paying a supplier more than the lowest-paying member closed part
    of the gap (see collaboration.toml). Returns the pounds and how many suppliers gave a price."""
    if a.price_method == "none":
        return Decimal("0.00"), 0
    by_supplier: dict[str, list[dict[str, Any]]] = {}
    for p in prices:
        if p["median_payment"] and p["median_payment"] > 0 and p["annual_amount"] > 0:
            by_supplier.setdefault(p["supplier_key"], []).append(p)
    total, compared = 0.0, 0
    for members in by_supplier.values():
        if len(members) < 2:
            continue
        compared += 1
        lowest = min(float(m["median_payment"]) for m in members)
        for m in members:
            gap = 1.0 - lowest / float(m["median_payment"])
            total += float(m["annual_amount"]) * min(a.price_cap, gap * a.price_capture)
    return _d(total), compared


def _money(value: Decimal) -> str:
    return f"£{value:,.0f}"


def opportunities(
    warehouse: Warehouse,
    scope: Scope,
    kind: str = "both",
    assumptions: SavingsAssumptions | None = None,
    limit: int | None = None,
) -> list[Opportunity]:
    """Ranked opportunities (by the middle of their savings range)."""
    if kind not in ("both", "category", "supplier"):
        raise ValueError(f"kind {kind!r}: use category, supplier or both")
    a = assumptions or savings_assumptions()
    _stage_opportunities(warehouse, scope, a)
    rows = [
        r
        for r in _query(warehouse, OPPORTUNITIES, scope.params() | _opp_params(a))
        if kind == "both" or r["kind"] == kind
    ]
    prices: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for p in run_sql(
        warehouse, "insight_opportunity_prices", {"min_payments": a.price_min_payments}
    ):
        prices.setdefault((p["kind"], p["unit_key"]), []).append(p)
    found = [_opportunity(r, prices.get((r["kind"], r["unit_key"]), []), a, scope) for r in rows]
    found.sort(key=lambda o: (-(o.savings_low + o.savings_high), -o.combined_annual, o.unit_key))
    ranked = [Opportunity(**{**o.__dict__, "rank": i + 1}) for i, o in enumerate(found)]
    return ranked[:limit]


def _opp_params(a: SavingsAssumptions) -> dict[str, Any]:
    return {
        "horizon_months": a.horizon_months,
        "window_months": a.window_months,
        "min_off_contract": a.min_off_contract_annual,
        "min_combined": a.min_combined_annual,
    }


def _opportunity(
    r: dict[str, Any], prices: list[dict[str, Any]], a: SavingsAssumptions, scope: Scope
) -> Opportunity:
    combined = _d(r["combined_annual"])
    band = a.band_for(combined)
    agg_low, agg_high = (
        _d(combined * Decimal(str(band.low))),
        _d(combined * Decimal(str(band.high))),
    )
    price, compared = _price_variation(prices, a)
    assumptions = [
        f"Combined annual spend {_money(combined)} (net of VAT where published net; each member's "
        f"spend in {scope.period.label} x 12 / its months covered).",
        f"Aggregation discount band from {_money(band.start)}: {band.low:.0%}-{band.high:.0%} "
        f"= {_money(agg_low)}-{_money(agg_high)} a year (network assumption, "
        "data/collaboration.toml).",
    ]
    if r["model_share"]:
        assumptions.append(
            f"{float(r['model_share']):.0%} of this category's spend was categorised by the "
            "classifier, not by the publisher: check the lines (--drill) before acting."
        )
    if a.price_method == "none":
        assumptions.append("Price variation: not estimated (method = none).")
    elif compared:
        assumptions.append(
            f"Price variation ({compared} supplier(s) paid by 2+ joining members; median payment "
            f"as price proxy, {a.price_capture:.0%} of the gap closed, capped at "
            f"{a.price_cap:.0%} of a member's spend): up to {_money(price)} a year, high end only."
        )
    else:
        assumptions.append(
            "Price variation: no supplier is paid by two joining members often enough to compare."
        )
    return Opportunity(
        opportunity_id=f"{r['kind']}:{r['unit_key']}",
        kind=r["kind"],
        unit_key=r["unit_key"],
        label=r["label"],
        members=r["members"],
        member_ids=list(r["member_ids"]),
        combined_annual=combined,
        off_contract_annual=_d(r["off_contract_annual"]),
        model_share=round(float(r["model_share"]), 3) if r["model_share"] is not None else None,
        first_end=r["first_end"],
        last_end=r["last_end"],
        savings_low=agg_low,
        savings_high=agg_high + price,
        aggregation_low=agg_low,
        aggregation_high=agg_high,
        price_variation=price,
        assumptions=assumptions,
        per_member=[
            OpportunityMember(
                organisation=m["organisation"],
                reason=m["reason"],
                annual_amount=_d(m["annual_amount"]),
                annual_basis=m["annual_basis"],
                off_contract_annual=_d(m["off_contract_annual"]),
                amount=_d(m["amount"]),
                lines=m["lines"],
                next_end=m["next_end"],
                live_contracts=list(m["live_contracts"] or []),
            )
            for m in r["per_member"]
        ],
    )


def opportunity_detail(
    warehouse: Warehouse,
    scope: Scope,
    opportunity_id: str,
    assumptions: SavingsAssumptions | None = None,
    line_limit: int | None = None,
) -> OpportunityDetail:
    """One opportunity with the spend lines and contracts behind it."""
    kind, _, unit_key = opportunity_id.partition(":")
    a = assumptions or savings_assumptions()
    found = [o for o in opportunities(warehouse, scope, kind, a) if o.unit_key == unit_key]
    if not found:
        raise KeyError(
            f"no opportunity {opportunity_id!r} in {scope.describe()} "
            "(list them with `observatory collaborate`)"
        )
    params = {"kind": kind, "unit_key": unit_key}
    lines = _query(warehouse, "insight_opportunity_lines", params)
    total = sum((Decimal(r["amount"]) for r in lines), Decimal("0.00"))
    contracts = _query(warehouse, "insight_opportunity_contracts", params)
    return OpportunityDetail(found[0], lines[:line_limit], contracts, scope, total)
