"""Red flags (CPC priority 1.4): payments worth a second look — possible split orders just below
a threshold, possible duplicate payments, and suppliers paid above a notice threshold with no
notice. Each rule is stated, its parameters and the thresholds in force over time are data
(data/red_flags.toml), and each payment is tested against the threshold in force on its date.
Method: docs/methods/red-flags.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from observatory.insight.assumptions import read_toml
from observatory.insight.collaboration import SHARED, _d, _query
from observatory.insight.scope import Scope, ensure_staged
from observatory.store import Warehouse

RULES = {
    "duplicate-invoice": "insight_flag_duplicate_invoice",
    "duplicate-amount": "insight_flag_duplicate_amount",
    "split-orders": "insight_flag_split_orders",
    "no-notice": "insight_flag_no_notice",
}


@dataclass(frozen=True)
class Threshold:
    name: str
    kind: str  # notice, procurement, member
    valid_from: date
    valid_to: date | None
    amount: Decimal
    includes_vat: bool
    organisation: str | None = None  # a member's own threshold (standing orders)


@dataclass(frozen=True)
class FlagRules:
    vat_rate: Decimal
    duplicate_invoice_min: Decimal
    duplicate_invoice_min_length: int
    duplicate_amount_window_days: int
    duplicate_amount_min: Decimal
    split_window_days: int
    split_band: float
    split_min_payments: int
    no_notice_kinds: tuple[str, ...]
    thresholds: tuple[Threshold, ...]

    def statements(self) -> dict[str, str]:
        """Each rule in words, with the parameters in force (printed next to the flags)."""
        return {
            "duplicate-invoice": (
                "Same member, supplier, invoice number (case and punctuation ignored) and amount "
                f"(>= £{self.duplicate_invoice_min:,}) paid under two or more distinct "
                "(transaction number, payment date); identical rows count as one payment; "
                f"invoice numbers under {self.duplicate_invoice_min_length} characters, bare "
                "years and public-body payees are left out."
            ),
            "duplicate-amount": (
                f"Same member, supplier and amount (>= £{self.duplicate_amount_min:,}) under "
                f"two or more transaction numbers, each within {self.duplicate_amount_window_days} "
                "days of the previous, unless every one carries a different invoice number; "
                "the amount shown is the possible overpayment; public-body payees left out."
            ),
            "split-orders": (
                f"{self.split_min_payments}+ payments to one supplier, each within "
                f"{self.split_band:.0%} below a threshold in force on its date, each within "
                f"{self.split_window_days} days of the previous, together reaching the threshold "
                f"(VAT-inclusive thresholds vs net lines x {1 + self.vat_rate})."
            ),
            "no-notice": (
                "A member's payments to one non-public supplier in a financial year reach the "
                f"{'/'.join(self.no_notice_kinds)} threshold in force at the year's first payment "
                "(net lines grossed up for VAT-inclusive thresholds), with no contract or notice "
                "for that member and supplier in the warehouse."
            ),
        }


def flag_rules(path: Path | None = None) -> FlagRules:
    data = read_toml("red_flags.toml", path)
    return FlagRules(
        vat_rate=Decimal(str(data["vat"]["standard_rate"])),
        duplicate_invoice_min=Decimal(str(data["duplicate_invoice"]["min_amount"])),
        duplicate_invoice_min_length=int(data["duplicate_invoice"]["min_invoice_length"]),
        duplicate_amount_window_days=int(data["duplicate_amount"]["window_days"]),
        duplicate_amount_min=Decimal(str(data["duplicate_amount"]["min_amount"])),
        split_window_days=int(data["split_orders"]["window_days"]),
        split_band=float(data["split_orders"]["band"]),
        split_min_payments=int(data["split_orders"]["min_payments"]),
        no_notice_kinds=tuple(data["no_notice"]["kinds"]),
        thresholds=tuple(
            Threshold(
                name=t["name"],
                kind=t["kind"],
                valid_from=t["from"],
                valid_to=t.get("to"),
                amount=Decimal(str(t["amount"])),
                includes_vat=bool(t["includes_vat"]),
                organisation=t.get("organisation"),
            )
            for t in data["thresholds"]
        ),
    )


@dataclass(frozen=True)
class RedFlag:
    rule: str
    organisation: str
    supplier_key: str
    supplier: str | None
    amount: Decimal  # duplicates: the possible overpayment; others: the payments' total
    lines: int
    first_date: date
    last_date: date
    threshold_name: str | None
    threshold_amount: Decimal | None
    detail: str
    evidence: list[dict[str, Any]]  # the lines: date, amount, transaction, invoice, file, row


@dataclass(frozen=True)
class RedFlags:
    scope: Scope
    rules: dict[str, str]
    counts: dict[str, int]
    flags: list[RedFlag]

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["scope"] = self.scope.as_json()
        return out


def _stage_thresholds(warehouse: Warehouse, rules: FlagRules) -> None:
    warehouse.execute(
        "CREATE OR REPLACE TEMP TABLE insight_thresholds (name VARCHAR, kind VARCHAR, "
        "valid_from DATE, valid_to DATE, amount DECIMAL(18,2), includes_vat BOOLEAN, "
        "organisation VARCHAR)"
    )
    for t in rules.thresholds:
        warehouse.execute(
            "INSERT INTO insight_thresholds VALUES (?, ?, ?, ?, ?, ?, ?)",
            [t.name, t.kind, t.valid_from, t.valid_to, t.amount, t.includes_vat, t.organisation],
        )


def red_flags(
    warehouse: Warehouse,
    scope: Scope,
    rules: FlagRules | None = None,
    only: list[str] | None = None,
) -> RedFlags:
    r = rules or flag_rules()
    chosen = only or list(RULES)
    unknown = [x for x in chosen if x not in RULES]
    if unknown:
        raise ValueError(f"unknown rule(s) {unknown}: choose from {', '.join(RULES)}")
    ensure_staged(warehouse, scope, SHARED)
    _stage_thresholds(warehouse, r)
    params: dict[str, Any] = {
        "vat_rate": r.vat_rate,
        "band": r.split_band,
        "window_days": r.split_window_days,
        "min_payments": r.split_min_payments,
        "kinds": list(r.no_notice_kinds),
    }
    per_rule = {
        "duplicate-invoice": {
            "min_amount": r.duplicate_invoice_min,
            "min_invoice_length": r.duplicate_invoice_min_length,
        },
        "duplicate-amount": {
            "min_amount": r.duplicate_amount_min,
            "window_days": r.duplicate_amount_window_days,
        },
    }
    flags: list[RedFlag] = []
    counts: dict[str, int] = {}
    for name in chosen:
        rows = _query(warehouse, RULES[name], params | per_rule.get(name, {}))
        counts[name] = len(rows)
        flags += [
            RedFlag(
                rule=row["rule"],
                organisation=row["organisation"],
                supplier_key=row["supplier_key"],
                supplier=row["supplier"],
                amount=_d(row["amount"]),
                lines=row["lines"],
                first_date=row["first_date"],
                last_date=row["last_date"],
                threshold_name=row["threshold_name"],
                threshold_amount=row["threshold_amount"],
                detail=row["detail"],
                evidence=list(row["evidence"]),
            )
            for row in rows
        ]
    statements = r.statements()
    return RedFlags(scope, {k: statements[k] for k in chosen}, counts, flags)
