"""The Procurement Act's figures and dates, read from ``data/procurement_act.toml``.

Everything the notices, their checks and the duties tracker need to know about the Act is there,
with its source; this module only types it and answers small questions (which threshold, which
deadline, which reporting period).
"""

from __future__ import annotations

import calendar
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from typing import Any

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Thresholds:
    start: date
    central_goods_services: Decimal
    sub_central_goods_services: Decimal
    utilities_goods_services: Decimal
    works: Decimal
    light_touch: Decimal


@dataclass(frozen=True)
class ActRules:
    in_force: date
    payments_compliance_from: date
    vat_rate: Decimal
    thresholds: tuple[Thresholds, ...]  # newest first
    notifiable_below: dict[str, Decimal]  # authority class -> value
    pipeline: dict[str, Any]
    contract_details: dict[str, Any]
    performance: dict[str, Any]
    payments: dict[str, Any]
    authority_class: dict[str, str]
    contract_kind: dict[str, list[str]]

    # -- values ---------------------------------------------------------------------------
    def gross(self, amount: Decimal | None, includes_vat: bool | None) -> Decimal | None:
        """The value with VAT: as given when the source says it includes VAT, else net × 1.2."""
        if amount is None:
            return None
        if includes_vat:
            return amount
        return (amount * (1 + self.vat_rate)).quantize(CENT, rounding=ROUND_HALF_UP)

    # -- thresholds -----------------------------------------------------------------------
    def thresholds_on(self, day: date) -> Thresholds:
        for table in self.thresholds:
            if day >= table.start:
                return table
        return self.thresholds[-1]

    def class_of(self, org_type: str | None) -> str:
        """central or sub_central, from a member's org_type."""
        return self.authority_class.get((org_type or "other").lower(), "sub_central")

    def kind_of(self, cpv_code: str | None, proclass_label: str | None) -> str:
        """works, light_touch or goods_services, from a CPV code or a ProClass label."""
        cpv = (cpv_code or "").strip()
        label = (proclass_label or "").lower()
        kinds = self.contract_kind
        if any(cpv.startswith(p) for p in kinds["works_cpv_prefixes"]) and cpv:
            return "works"
        if any(w in label for w in kinds["works_proclass_words"]):
            return "works"
        if cpv and any(cpv.startswith(p) for p in kinds["light_touch_cpv_prefixes"]):
            return "light_touch"
        if any(w in label for w in kinds["light_touch_proclass_words"]):
            return "light_touch"
        return "goods_services"

    def threshold(self, authority: str, kind: str, day: date) -> Decimal:
        table = self.thresholds_on(day)
        if kind == "works":
            return table.works
        if kind == "light_touch":
            return table.light_touch
        if authority == "central":
            return table.central_goods_services
        return table.sub_central_goods_services

    def notifiable(self, authority: str) -> Decimal:
        """The value from which a below-threshold contract still needs a UK7 (s87)."""
        return self.notifiable_below.get(authority, self.notifiable_below["sub_central"])

    # -- deadlines ------------------------------------------------------------------------
    def uk7_days(self, kind: str) -> int:
        details = self.contract_details
        return int(
            details["light_touch_within_days"]
            if kind == "light_touch"
            else details["publish_within_days"]
        )

    def financial_year_start(self, day: date) -> date:
        month = int(self.pipeline["financial_year_start_month"])
        year = day.year if day.month >= month else day.year - 1
        return date(year, month, 1)

    def pipeline_deadline(self, fy_start: date) -> date:
        # "within 56 days beginning with" the first day: the first day is day 1.
        return fy_start + timedelta(days=int(self.pipeline["publish_within_days"]) - 1)

    def pipeline_horizon(self, fy_start: date) -> date:
        """The last day of the 18 months a pipeline notice covers."""
        return add_months(fy_start, int(self.pipeline["horizon_months"])) - timedelta(days=1)

    def reporting_periods(self, until: date) -> list[tuple[date, date]]:
        """UK17 reporting periods from the duty's start to the one containing ``until``."""
        start = self.payments_compliance_from
        periods = []
        while start <= until:
            end = self.period_end_after(start)
            periods.append((start, end))
            start = end + timedelta(days=1)
        return periods

    def period_end_after(self, day: date) -> date:
        """The first 31 March or 30 September on or after ``day``."""
        for year in (day.year, day.year + 1):
            for month in self.payments["period_end_months"]:
                end = date(year, month, calendar.monthrange(year, month)[1])
                if end >= day:
                    return end
        raise ValueError(f"no reporting period end after {day}")  # pragma: no cover

    def is_period_end(self, day: date) -> bool:
        return (
            day.month in self.payments["period_end_months"]
            and day.day == calendar.monthrange(day.year, day.month)[1]
        )


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (clipped to the month's end: 31 Aug + 6 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _money(value: Any) -> Decimal:
    return Decimal(str(value))


@cache
def act_rules() -> ActRules:
    """The shipped rules (``data/procurement_act.toml``)."""
    text = resources.files("observatory").joinpath("data/procurement_act.toml").read_text("utf-8")
    data = tomllib.loads(text)
    tables = sorted(
        (
            Thresholds(
                start=t["from"],
                **{k: _money(v) for k, v in t.items() if k != "from"},
            )
            for t in data["thresholds"]
        ),
        key=lambda t: t.start,
        reverse=True,
    )
    return ActRules(
        in_force=data["regime"]["in_force"],
        payments_compliance_from=data["regime"]["payments_compliance_from"],
        vat_rate=_money(data["vat"]["standard_rate"]),
        thresholds=tuple(tables),
        notifiable_below={k: _money(v) for k, v in data["notifiable_below_threshold"].items()},
        pipeline=data["pipeline"],
        contract_details=data["contract_details"],
        performance=data["contract_performance"],
        payments=data["payments_compliance"],
        authority_class=data["authority_class"],
        contract_kind=data["contract_kind"],
    )
