"""Prompt payment on the demonstration network: the figures per member and six-month period equal
those computed here from the generated accounts-payable extracts with the csv module."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest

from observatory import organisations as orgs
from observatory.demo import write_demo_network
from observatory.insight import prompt_payment
from observatory.sources.payments import load_payments
from observatory.store import Warehouse


def _date(text: str) -> date | None:
    if not text:
        return None
    fmt = "%Y-%m-%d" if "-" in text else "%d/%m/%Y"
    return datetime.strptime(text, fmt).date()


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, list[Path]]:
    demo = write_demo_network(tmp_path_factory.mktemp("demo"))
    w = Warehouse.memory()
    orgs.register(w, orgs.read_config(demo.organisations_file))
    files = [f for f in demo.of_kind("payments")]
    for f in files:
        load_payments(w, [str(f.path)], f.organisation)
    return w, files


def test_figures_match_the_extracts(network) -> None:
    w, files = network
    got = {(f.organisation, f.period_start): f for f in prompt_payment.payment_figures(w)}
    assert {o for o, _ in got} == {f.organisation for f in files}
    for f in files:
        with f.path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        paid = [
            (_date(r["Payment Date"]), _date(r["Invoice Received Date"]))
            for r in rows
            if r["Payment Date"]
        ]
        start, end = prompt_payment.half_year(paid[0][0])  # type: ignore[arg-type]
        in_period = [(p, rc) for p, rc in paid if start <= p <= end]  # type: ignore[operator]
        days = [(p - rc).days for p, rc in in_period]  # type: ignore[operator]
        figure = got[(f.organisation, start)].figures
        assert figure.payments_made == len(days)
        assert float(figure.average_days) == pytest.approx(sum(days) / len(days), abs=0.05)  # type: ignore[arg-type]
        assert figure.within_30 == sum(1 for d in days if d <= 30)
        assert figure.within_31_60 == sum(1 for d in days if 31 <= d <= 60)
        assert figure.over_60 == sum(1 for d in days if d >= 61)
        # Shares of the UK17 bands cover every payment.
        shares = [figure.percent_within_30, figure.percent_31_60, figure.percent_over_60]
        assert float(sum(s or 0 for s in shares)) == pytest.approx(100, abs=0.15)


def test_six_month_periods_end_in_march_and_september() -> None:
    assert prompt_payment.half_year(date(2025, 4, 1)) == (date(2025, 4, 1), date(2025, 9, 30))
    assert prompt_payment.half_year(date(2026, 2, 10)) == (date(2025, 10, 1), date(2026, 3, 31))
    assert prompt_payment.periods_between(date(2025, 9, 30), date(2025, 10, 1)) == [
        (date(2025, 4, 1), date(2025, 9, 30)),
        (date(2025, 10, 1), date(2026, 3, 31)),
    ]
