"""Shared suppliers and opportunities, checked against the raw files read independently."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from conftest import month_files
from raw import name_key, public_name, redacted, spend_lines

from observatory.insight import collaboration
from observatory.insight.scope import make_scope, parse_period


def _expected() -> tuple[dict[str, set[str]], dict[tuple[str, str], Decimal], Decimal]:
    used: dict[str, set[str]] = defaultdict(set)  # supplier key -> members with a payment > 0
    spend: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    named = Decimal(0)
    for org, path in month_files().items():
        for line in spend_lines(org, path):
            if redacted(line.supplier):
                continue
            key = name_key(line.supplier)
            named += line.amount
            spend[(key, org)] += line.amount
            if line.amount > 0:
                used[key].add(org)
    return used, spend, named


def test_shared_supplier_spend_matches_the_raw_files(three_members):
    used, spend, named = _expected()
    shared = {k for k, members in used.items() if len(members) >= 2}
    shared_amount = sum(v for (k, _), v in spend.items() if k in shared)

    scope = make_scope(three_members, [], "2021-22")
    overview = collaboration.shared_overview(three_members, scope)

    assert overview.supplier_basis.startswith("published names")
    assert overview.named_amount == named
    assert overview.shared_suppliers == len(shared)
    assert overview.shared_supplier_amount == shared_amount
    assert overview.shared_supplier_pct == round(100 * float(shared_amount) / float(named), 1)
    # Spend per member per shared supplier, for every shared supplier.
    rows = collaboration.shared_suppliers(three_members, scope)
    got = {
        (r.supplier_key.removeprefix("name:"), p.organisation): p.amount
        for r in rows
        for p in r.per_member
    }
    want = {(k, org): v for (k, org), v in spend.items() if k in shared}
    assert got == want
    assert len(shared) > 50  # April alone: the three councils share many suppliers


def test_a_financial_year_outside_the_data_is_empty_and_says_so(three_members):
    scope = make_scope(three_members, [], "2024-25")
    overview = collaboration.shared_overview(three_members, scope)
    assert overview.named_amount == 0 and overview.members == []
    assert "2024-25" in scope.describe()
    assert parse_period("2021/22").start == date(2021, 4, 1)


def test_opportunities_rank_with_savings_range_and_drill_down(three_members):
    scope = make_scope(three_members, [], "all")
    ranked = collaboration.opportunities(three_members, scope, kind="supplier")
    assert ranked, "April 2021 alone gives supplier opportunities"
    top = ranked[0]
    assert [o.rank for o in ranked] == list(range(1, len(ranked) + 1))
    assert top.savings_low <= top.aggregation_high <= top.savings_high
    assert any("band" in a for a in top.assumptions)
    assert not public_name(top.label or "")

    # The drill-down's lines are the joining members' lines with that supplier, as published.
    detail = collaboration.opportunity_detail(three_members, scope, top.opportunity_id)
    used, spend, _ = _expected()
    key = detail.lines[0]["supplier_key"].removeprefix("name:")
    expected = sum(v for (k, org), v in spend.items() if k == key and org in top.member_ids)
    assert detail.lines_total == expected
    # One month of data: annual spend is that month x 12 for each member.
    assert top.combined_annual == sum(
        (v * 12 for (k, org), v in spend.items() if k == key and org in top.member_ids),
        Decimal(0),
    )
