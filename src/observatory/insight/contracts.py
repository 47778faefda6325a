"""Contracts (CPC priority 1.4, 2.3): the pipeline of contracts ending or reaching a decision,
candidates for a Procurement Act pipeline notice (UK1), spend with no live contract behind it,
and spend against each contract's value. Method: docs/methods/contracts-pipeline.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from observatory.insight.assumptions import read_toml
from observatory.insight.collaboration import SHARED, _d, _query
from observatory.insight.scope import Scope, ensure_staged, prepare, run_sql
from observatory.store import Warehouse

HORIZONS = (6, 12, 18)


@dataclass(frozen=True)
class PipelineRules:
    """The UK1 duty's figures, read from data/procurement_act.toml (shared with notices)."""

    spend_threshold: Decimal  # the body's expected relevant spend in the coming year, VAT incl.
    contract_threshold: Decimal  # a contract's value, VAT incl.
    horizon_months: int  # contracts to be advertised within this many months
    lead_months: int  # how long before an end date a re-procurement is advertised (ours)
    vat_rate: Decimal


def pipeline_rules() -> PipelineRules:
    act = read_toml("procurement_act.toml")
    p = act["pipeline"]
    return PipelineRules(
        spend_threshold=Decimal(str(p["spend_threshold"])),
        contract_threshold=Decimal(str(p["contract_threshold"])),
        horizon_months=int(p["horizon_months"]),
        lead_months=int(p["lead_months"]),
        vat_rate=Decimal(str(act["vat"]["standard_rate"])),
    )


@dataclass(frozen=True)
class PipelineContract:
    contract_key: str
    organisation: str
    source: str
    reference: str | None
    title: str | None
    suppliers: str | None
    value_amount: Decimal | None
    value_incl_vat: Decimal | None
    annual_value: Decimal | None
    start_date: date | None
    end_date: date
    decide_by: date
    months_to_end: int
    band: str  # by end date: '0-6 months' … '12-18 months', or over 18 months (decision due)
    extended: bool  # the current end is later than the original end (an extension was taken)
    category_code: str | None
    category: str | None
    source_file: str
    source_line: int | None
    uk1_candidate: bool  # value >= £2m VAT incl. and to be advertised within 18 months


@dataclass(frozen=True)
class MemberDuty:
    organisation: str
    last_12_months: Decimal  # spend in the 12 months to as-of, as published (mostly net)
    months: int
    expected_incl_vat: Decimal  # last_12_months x 12 / months, grossed up at the VAT rate
    duty_applies: bool  # expected_incl_vat >= £100m
    note: str


@dataclass(frozen=True)
class Pipeline:
    scope: Scope
    horizon_months: int
    decision_lead_months: int
    contracts: list[PipelineContract]
    members: list[MemberDuty]
    assumptions: list[str]

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["scope"] = self.scope.as_json()
        return out


def pipeline(
    warehouse: Warehouse,
    scope: Scope,
    horizon_months: int = 18,
    decision_lead_months: int = 6,
    rules: PipelineRules | None = None,
) -> Pipeline:
    """Contracts ending, or whose decide-by date falls, within the horizon; UK1 candidates."""
    r = rules or pipeline_rules()
    ensure_staged(warehouse, scope)
    rows = run_sql(
        warehouse,
        "insight_pipeline",
        scope.params()
        | {
            "horizon_months": horizon_months,
            "decision_lead_months": decision_lead_months,
            "vat_rate": r.vat_rate,
        },
    )
    advert_by = _add_months(scope.as_of, r.horizon_months)
    contracts = []
    for row in rows:
        value = _d(row["value_incl_vat"]) if row["value_incl_vat"] is not None else None
        advertised = _add_months(row["end_date"], -r.lead_months)
        contracts.append(
            PipelineContract(
                contract_key=row["contract_key"],
                organisation=row["organisation"],
                source=row["source"],
                reference=row["reference"],
                title=row["title"],
                suppliers=row["suppliers"],
                value_amount=row["value_amount"],
                value_incl_vat=value,
                annual_value=row["annual_value"],
                start_date=row["start_date"],
                end_date=row["end_date"],
                decide_by=row["decide_by"].date()
                if hasattr(row["decide_by"], "date")
                else row["decide_by"],
                months_to_end=row["months_to_end"],
                band=row["band"],
                extended=bool(row["extended"]),
                category_code=row["category_code"],
                category=row["category"],
                source_file=row["source_file"],
                source_line=row["source_line"],
                uk1_candidate=value is not None
                and value >= r.contract_threshold
                and advertised <= advert_by,
            )
        )
    members = member_duties(warehouse, scope, r)
    assumptions = [
        f"As of {scope.as_of}; contracts whose end, or decide-by date ({decision_lead_months} "
        f"months before the end), falls within {horizon_months} months.",
        "Contract values are as the register publishes them; a value not marked VAT-inclusive "
        f"is treated as net and grossed up by {r.vat_rate:.0%} for the Act's thresholds.",
        f"UK1 candidate: value incl. VAT >= £{r.contract_threshold:,.0f} and re-procurement "
        f"advertised ({r.lead_months} months before the end) within {r.horizon_months} months.",
        "A member's relevant spend in the coming year is estimated from its spend in the 12 "
        f"months to the as-of date, annualised and grossed up by {r.vat_rate:.0%} (spend files "
        "are mostly net of VAT; this includes spend that is not under 'relevant contracts', so "
        "it over-states the Act's figure).",
    ]
    return Pipeline(scope, horizon_months, decision_lead_months, contracts, members, assumptions)


def member_duties(warehouse: Warehouse, scope: Scope, rules: PipelineRules) -> list[MemberDuty]:
    prepare(warehouse)
    out = []
    for row in run_sql(warehouse, "insight_member_annual_spend", scope.params()):
        months = int(row["months"])
        annual = Decimal(row["last_12_months"]) * 12 / months if months else Decimal(0)
        vat = Decimal(1) if row["amount_basis"] == "gross" else 1 + rules.vat_rate
        expected = _d(annual * vat)
        note = (
            f"{months} months of spend in the 12 to {scope.as_of}"
            + ("" if months >= 12 else ": annualised from a part year")
            + f"; amounts {row['amount_basis']}"
        )
        out.append(
            MemberDuty(
                organisation=row["organisation"],
                last_12_months=_d(row["last_12_months"]),
                months=months,
                expected_incl_vat=expected,
                duty_applies=expected >= rules.spend_threshold,
                note=note,
            )
        )
    return out


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    import calendar

    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# -- off-contract spend ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OffContractMember:
    organisation: str
    named_amount: Decimal
    on_contract_amount: Decimal
    public_body_amount: Decimal  # no live contract, but paid to a public body (not procurable)
    off_contract_amount: Decimal  # no live contract, paid to a non-public supplier
    off_contract_pct: float | None  # of named spend
    contracts_loaded: int  # 0: no register or notices loaded, so every line counts as off-contract


@dataclass(frozen=True)
class OffContractItem:
    organisation: str
    item_key: str
    item: str | None
    off_contract_amount: Decimal
    lines: int
    first_date: date
    last_date: date


@dataclass(frozen=True)
class OffContract:
    scope: Scope
    by: str
    members: list[OffContractMember]
    items: list[OffContractItem]

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["scope"] = self.scope.as_json()
        return out


def off_contract(
    warehouse: Warehouse, scope: Scope, by: str = "supplier", limit: int | None = 20
) -> OffContract:
    """Per member, spend with suppliers that had no live contract with it on the payment date;
    the largest items by supplier (or category) for each member."""
    if by not in ("supplier", "category"):
        raise ValueError(f"--by {by!r}: use supplier or category")
    ensure_staged(warehouse, scope, SHARED)
    members = [
        OffContractMember(
            organisation=r["organisation"],
            named_amount=_d(r["named_amount"]),
            on_contract_amount=_d(r["on_contract_amount"]),
            public_body_amount=_d(r["public_body_amount"]),
            off_contract_amount=_d(r["off_contract_amount"]),
            off_contract_pct=round(
                100 * float(r["off_contract_amount"]) / float(r["named_amount"]), 1
            )
            if r["named_amount"]
            else None,
            contracts_loaded=r["contracts_loaded"],
        )
        for r in _query(warehouse, "insight_off_contract", {})
    ]
    items: list[OffContractItem] = []
    per_member: dict[str, int] = {}
    for r in _query(warehouse, "insight_off_contract_items", {"by": by}):
        n = per_member.get(r["organisation"], 0)
        if limit is not None and n >= limit:
            continue
        per_member[r["organisation"]] = n + 1
        items.append(
            OffContractItem(
                organisation=r["organisation"],
                item_key=r["item_key"],
                item=r["item"],
                off_contract_amount=_d(r["off_contract_amount"]),
                lines=r["lines"],
                first_date=r["first_date"],
                last_date=r["last_date"],
            )
        )
    return OffContract(scope, by, members, items)


# -- spend against contract -----------------------------------------------------------------------


@dataclass(frozen=True)
class ContractSpend:
    contract_key: str
    organisation: str
    reference: str | None
    title: str | None
    suppliers: str | None
    value_amount: Decimal | None
    annual_value: Decimal | None
    start_date: date | None
    end_date: date | None
    spent: Decimal
    lines: int
    last_payment: date | None
    spent_ratio: float | None
    over_value: bool
    source_file: str
    source_line: int | None


def spend_vs_contract(
    warehouse: Warehouse, scope: Scope, over_only: bool = False
) -> list[ContractSpend]:
    """Each member contract's spend to date (within the scope's period) against its value."""
    ensure_staged(warehouse, scope)
    rows = _query(warehouse, "insight_spend_vs_contract", scope.params())
    out = [
        ContractSpend(
            contract_key=r["contract_key"],
            organisation=r["organisation"],
            reference=r["reference"],
            title=r["title"],
            suppliers=r["suppliers"],
            value_amount=r["value_amount"],
            annual_value=r["annual_value"],
            start_date=r["start_date"],
            end_date=r["end_date"],
            spent=_d(r["spent"]),
            lines=r["lines"],
            last_payment=r["last_payment"],
            spent_ratio=round(float(r["spent_ratio"]), 3) if r["spent_ratio"] is not None else None,
            over_value=bool(r["over_value"]),
            source_file=r["source_file"],
            source_line=r["source_line"],
        )
        for r in rows
    ]
    return [c for c in out if c.over_value] if over_only else out
