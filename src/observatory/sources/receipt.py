"""The load receipt: what happened to every row of one input file."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

RECEIPT_FIELDS = (
    "file",
    "organisation",
    "rows_read",
    "rows_loaded",
    "rows_rejected",
    "rows_duplicate",
    "amount_read",
    "amount_loaded",
    "amount_rejected",
    "amount_duplicate",
)


@dataclass
class Receipt:
    file: str
    organisation: str | None
    kind: str = "spend"
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0
    amount_read: Decimal = Decimal("0.00")
    amount_loaded: Decimal = Decimal("0.00")
    amount_rejected: Decimal = Decimal("0.00")
    amount_duplicate: Decimal = Decimal("0.00")
    reject_reasons: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def reconciles(self) -> bool:
        rows = self.rows_loaded + self.rows_rejected + self.rows_duplicate == self.rows_read
        money = self.amount_loaded + self.amount_rejected + self.amount_duplicate
        return rows and money == self.amount_read

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in RECEIPT_FIELDS:
            value = getattr(self, name)
            out[name] = f"{value:.2f}" if isinstance(value, Decimal) else value
        out["kind"] = self.kind
        out["reject_reasons"] = dict(sorted(self.reject_reasons.items()))
        if self.notes:
            out["notes"] = self.notes
        return out


def totals(receipts: list[Receipt]) -> dict[str, Any]:
    total = Receipt(file=f"{len(receipts)} files", organisation=None, kind="total")
    for r in receipts:
        for name in RECEIPT_FIELDS[2:]:
            setattr(total, name, getattr(total, name) + getattr(r, name))
        for reason, n in r.reject_reasons.items():
            total.reject_reasons[reason] = total.reject_reasons.get(reason, 0) + n
    out = total.as_json()
    del out["file"], out["organisation"], out["kind"]
    out["files"] = len(receipts)
    return out


class LoadError(Exception):
    """A file that cannot be loaded at all; the message says why and what to do."""
