"""UK17 payments compliance figures (section 69, regulation 38) from ``invoice_payments``.

Average days to pay and the share of payments made in 1–30, 31–60 and 61+ days, for payments
made in the reporting period; and the share of sums that became payable in the period but were not
paid in it. The SQL is ``store/sql/uk17_figures.sql``; docs/methods/payments.md says which date
starts the clock and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from observatory.publish.rules import act_rules
from observatory.store import Warehouse
from observatory.store.warehouse import sql_text

TENTH = Decimal("0.1")


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PaymentFigures:
    organisation: str
    start: date
    end: date
    payments_made: int
    amount_paid: Decimal
    average_days: Decimal | None
    within_30: int
    within_31_60: int
    over_60: int
    paid_disputed: int
    paid_without_received_date: int
    became_payable: int
    not_paid: int
    amount_not_paid: Decimal
    data_from: date | None
    data_to: date | None

    @property
    def percent_within_30(self) -> Decimal | None:
        return percent(self.within_30, self.payments_made)

    @property
    def percent_31_60(self) -> Decimal | None:
        return percent(self.within_31_60, self.payments_made)

    @property
    def percent_over_60(self) -> Decimal | None:
        return percent(self.over_60, self.payments_made)

    @property
    def percent_not_paid(self) -> Decimal | None:
        return percent(self.not_paid, self.became_payable)

    @property
    def covered(self) -> bool:
        """Whether the loaded invoices reach the period's end (else the figures are partial)."""
        return self.data_to is not None and self.data_to >= self.end

    def as_json(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "period_start": self.start.isoformat(),
            "period_end": self.end.isoformat(),
            "payments_made": self.payments_made,
            "amount_paid": f"{self.amount_paid:.2f}",
            "average_days_to_pay": None if self.average_days is None else float(self.average_days),
            "percent_paid_within_30_days": _float(self.percent_within_30),
            "percent_paid_in_31_to_60_days": _float(self.percent_31_60),
            "percent_paid_in_61_days_or_more": _float(self.percent_over_60),
            "sums_became_payable": self.became_payable,
            "sums_not_paid_in_period": self.not_paid,
            "percent_of_sums_payable_not_paid": _float(self.percent_not_paid),
            "payments_on_disputed_invoices": self.paid_disputed,
            "payments_timed_from_invoice_date": self.paid_without_received_date,
        }


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def reporting_period(end: date) -> tuple[date, date]:
    """The reporting period ending on ``end`` (31 March or 30 September)."""
    rules = act_rules()
    if not rules.is_period_end(end):
        raise ValueError(f"a reporting period ends on 31 March or 30 September, not {end}")
    for start, period_end in rules.reporting_periods(end):
        if period_end == end:
            return start, end
    raise ValueError(
        f"{end} is before the payments compliance duty began "
        f"({rules.payments_compliance_from:%d %B %Y})"
    )


def latest_period_end(as_of: date) -> date:
    """The end of the latest reporting period that ended on or before ``as_of``."""
    rules = act_rules()
    ended = [end for _, end in rules.reporting_periods(as_of) if end <= as_of]
    if not ended:
        raise ValueError(
            f"no reporting period has ended by {as_of}: the first ends "
            f"{rules.period_end_after(rules.payments_compliance_from)}"
        )
    return ended[-1]


def payment_figures(warehouse: Warehouse, organisation: str, end: date) -> PaymentFigures:
    """The regulation 38 figures for the member's reporting period ending ``end``."""
    start, end = reporting_period(end)
    terms = int(act_rules().payments["payment_terms_days"])
    params = {"organisation": organisation, "start": start, "end": end, "terms": terms}
    row = warehouse.fetch(sql_text("uk17_figures"), params)[0]
    average = row["average_days"]
    return PaymentFigures(
        organisation=organisation,
        start=start,
        end=end,
        payments_made=int(row["payments_made"]),
        amount_paid=Decimal(row["amount_paid"] or 0),
        average_days=None
        if average is None
        else Decimal(str(average)).quantize(TENTH, rounding=ROUND_HALF_UP),
        within_30=int(row["within_30"]),
        within_31_60=int(row["within_31_60"]),
        over_60=int(row["over_60"]),
        paid_disputed=int(row["paid_disputed"]),
        paid_without_received_date=int(row["paid_without_received_date"]),
        became_payable=int(row["became_payable"]),
        not_paid=int(row["not_paid"]),
        amount_not_paid=Decimal(row["amount_not_paid"] or 0),
        data_from=row["data_from"],
        data_to=row["data_to"],
    )
