"""Prompt payment: average days to pay and the share of invoices paid in 1-30, 31-60 and 61+ days,
per member and six-month period (ending 31 March and 30 September), from accounts-payable
extracts (``invoice_payments``, loaded by ``observatory load payments``).

The figures are the UK17 payments compliance figures (store/sql/uk17_figures.sql, shared with
publish/payments_compliance.py): here for every half-year the data covers, including those before
the duty began, so a member can see its trend. docs/methods/prompt-payment.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from observatory.publish.payments_compliance import PaymentFigures, percent
from observatory.publish.rules import act_rules
from observatory.store import Warehouse
from observatory.store.warehouse import sql_text


def half_year(day: date) -> tuple[date, date]:
    """The six-month period (1 April - 30 September, 1 October - 31 March) holding ``day``."""
    if 4 <= day.month <= 9:
        return date(day.year, 4, 1), date(day.year, 9, 30)
    start_year = day.year if day.month >= 10 else day.year - 1
    return date(start_year, 10, 1), date(start_year + 1, 3, 31)


def periods_between(first: date, last: date) -> list[tuple[date, date]]:
    out = []
    start, end = half_year(first)
    while start <= last:
        out.append((start, end))
        start, end = half_year(end + timedelta(days=1))
    return out


@dataclass(frozen=True)
class PromptPaymentFigures:
    organisation: str
    period_start: date
    period_end: date
    covered: bool  # the extracts reach both ends of the period (else the figures may be partial)
    figures: PaymentFigures

    def as_json(self) -> dict[str, Any]:
        data = self.figures.as_json()
        data["data_reaches_period_end"] = self.covered
        return data


def payment_figures(
    warehouse: Warehouse, organisation: str | None = None
) -> list[PromptPaymentFigures]:
    """Every member with invoices, every six-month period its payments fall in."""
    where = "WHERE organisation = ?" if organisation else ""
    spans = warehouse.fetch(
        f"SELECT organisation, min(clock_start) AS first, "
        f"max(coalesce(payment_date, clock_start)) AS last, min(payment_date) AS first_paid "
        f"FROM invoice_payments {where} GROUP BY organisation ORDER BY organisation",
        [organisation] if organisation else None,
    )
    terms = int(act_rules().payments["payment_terms_days"])
    script = sql_text("uk17_figures")
    out: list[PromptPaymentFigures] = []
    for span in spans:
        if span["first_paid"] is None:
            continue
        for start, end in periods_between(span["first_paid"], span["last"]):
            params = {
                "organisation": span["organisation"],
                "start": start,
                "end": end,
                "terms": terms,
            }
            row = warehouse.fetch(script, params)[0]
            out.append(
                PromptPaymentFigures(
                    organisation=span["organisation"],
                    period_start=start,
                    period_end=end,
                    covered=span["first"] <= start and span["last"] >= end,
                    figures=_figures(span["organisation"], start, end, row),
                )
            )
    return out


def _figures(organisation: str, start: date, end: date, row: dict[str, Any]) -> PaymentFigures:
    # payments_compliance.payment_figures only accepts the Act's reporting periods (from 2026);
    # the row is the same SQL's, read the same way.
    average = row["average_days"]
    return PaymentFigures(
        organisation=organisation,
        start=start,
        end=end,
        payments_made=int(row["payments_made"]),
        amount_paid=Decimal(row["amount_paid"] or 0),
        average_days=None
        if average is None
        else Decimal(str(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
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


__all__ = ["PromptPaymentFigures", "half_year", "payment_figures", "percent", "periods_between"]
