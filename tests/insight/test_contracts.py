"""Off-contract spend and the pipeline, checked against the raw files read independently."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from conftest import REGISTER, month_files
from raw import name_key, public_name, redacted, salford_register, spend_lines

from observatory.insight import contracts
from observatory.insight.scope import make_scope


def test_off_contract_spend_matches_the_raw_files(three_members):
    register = salford_register(REGISTER)
    live_keys: dict[str, list[tuple[date | None, date | None]]] = {}
    for c in register:
        live_keys.setdefault(name_key(c.supplier), []).append((c.start, c.end))

    def covered(key: str, day: date) -> bool:
        return any(
            (s is None or s <= day) and (e is None or e >= day) for s, e in live_keys.get(key, [])
        )

    named = on = public = Decimal(0)
    for line in spend_lines("salford", month_files()["salford"]):
        if redacted(line.supplier):
            continue
        named += line.amount
        if covered(name_key(line.supplier), line.day):
            on += line.amount
        elif public_name(line.supplier):
            public += line.amount

    scope = make_scope(three_members, ["salford"], "2021-22")
    result = contracts.off_contract(three_members, scope)
    (salford,) = result.members
    assert salford.contracts_loaded == len(register) == 360
    assert salford.named_amount == named
    assert salford.on_contract_amount == on
    assert salford.public_body_amount == public
    assert salford.off_contract_amount == named - on - public
    assert on > 0  # some April spend is under a register contract

    # Members without a register: everything named is off-contract or paid to public bodies.
    scope = make_scope(three_members, ["manchester"], "2021-22")
    (man,) = contracts.off_contract(three_members, scope).members
    assert man.contracts_loaded == 0 and man.on_contract_amount == 0
    assert man.off_contract_amount + man.public_body_amount == man.named_amount


def test_pipeline_lists_contracts_ending_within_the_horizon(three_members):
    as_of = date(2022, 3, 31)
    scope = make_scope(three_members, ["salford"], "all", as_of)
    result = contracts.pipeline(three_members, scope, horizon_months=12, decision_lead_months=6)
    horizon_end = date(2023, 3, 31)
    expected = {
        c.supplier
        for c in salford_register(REGISTER)
        if c.end is not None and as_of <= c.end and date(c.end.year, c.end.month, 1) <= horizon_end
    }
    got = {c.suppliers for c in result.contracts}
    # Decide-by (end - 6 months) within 12 months also admits ends up to 18 months ahead.
    assert expected <= got
    assert all(c.end_date >= as_of for c in result.contracts)
    big = [c for c in result.contracts if c.uk1_candidate]
    assert all(c.value_incl_vat >= Decimal("2000000") for c in big)
    # The duty test: one month (April 2021) loaded, annualised x 12 and grossed up by 20% VAT.
    april = sum(line.amount for line in spend_lines("salford", month_files()["salford"]))
    (duty,) = result.members
    assert duty.months == 1 and duty.last_12_months == april
    assert duty.expected_incl_vat == (april * 12 * Decimal("1.2")).quantize(Decimal("0.01"))
    assert duty.duty_applies is (april * 12 * Decimal("1.2") >= 100_000_000)
