"""Community wealth: Salford's April 2021 spend placed through Salford's own contracts register
and the Greater Manchester postcode sample, checked against a computation from the raw files here;
SME flags from the register; unknown is always shown; LM3 from the user's assumptions."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from independent import DATA, need
from outcomes_helpers import member_warehouse, simple_name

from observatory.insight import wealth
from observatory.resolve.registers import import_postcodes
from observatory.sources.contracts import load_contracts
from observatory.sources.spend import load_spend
from observatory.store import Warehouse

GM = {f"E080000{n:02d}" for n in range(1, 11)}
SALFORD = "E08000006"


def _postcode(text: str) -> str | None:
    t = re.sub(r"[^A-Z0-9]", "", text.upper())
    return f"{t[:-3]} {t[-3:]}" if 5 <= len(t) <= 7 else None


@pytest.fixture(scope="module")
def salford() -> Warehouse:
    w = member_warehouse()
    load_spend(w, [str(need(DATA / "salford" / "2021-04.csv"))], "salford")
    load_contracts(w, [str(need(DATA / "salford" / "2022-07.csv"))], "salford")
    import_postcodes(w, [need(DATA / "geography" / "gm_postcodes.csv")])
    wealth.build(w)
    return w


def _expected() -> dict[str, Decimal]:
    """Spend by zone, from the raw spend file, register and postcode sample."""
    with need(DATA / "geography" / "gm_postcodes.csv").open(encoding="utf-8") as handle:
        lookup = {r["postcode"]: r["area_code"] for r in csv.DictReader(handle)}
    by_outward: dict[str, Counter[str]] = defaultdict(Counter)
    for pc, district in lookup.items():
        by_outward[pc.split(" ")[0]][district] += 1
    outward = {
        o: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for o, c in by_outward.items()
    }
    raw = need(DATA / "salford" / "2022-07.csv").read_bytes()
    text = raw.decode("utf-8").lstrip("\ufeff").replace("ï»¿", "", 1)
    postcodes: dict[str, Counter[str]] = defaultdict(Counter)
    for r in csv.DictReader(text.splitlines()):
        key, pc = simple_name(r["Supplier Company Name"]), _postcode(r["Supplier Postcode"])
        if key and pc:
            postcodes[key][pc] += 1
    place = {}
    for key, counts in postcodes.items():
        pc = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        place[key] = lookup.get(pc) or outward.get(pc.split(" ")[0])
    zones: dict[str, Decimal] = defaultdict(Decimal)
    with need(DATA / "salford" / "2021-04.csv").open(encoding="utf-8-sig") as handle:
        for r in csv.DictReader(handle):
            district = place.get(simple_name(r["Vendor Name"]) or "")
            zone = (
                "unknown"
                if district is None
                else "local"
                if district == SALFORD
                else "region"
                if district in GM
                else "elsewhere"
            )
            zones[zone] += Decimal(r["Net"])
    return zones


def test_shares_match_an_independent_computation(salford: Warehouse) -> None:
    expected = _expected()
    [member, network] = wealth.location_shares(salford, rebuild=False)
    assert member.organisation == "salford" and network.organisation == "network"
    assert member.region == "Greater Manchester Combined Authority"
    assert member.local == pytest.approx(float(expected["local"]), abs=0.005)
    assert member.region_spend == pytest.approx(float(expected["region"]), abs=0.005)
    assert member.elsewhere == pytest.approx(float(expected["elsewhere"]), abs=0.005)
    assert member.unknown == pytest.approx(float(expected["unknown"]), abs=0.005)
    assert member.spend == pytest.approx(float(sum(expected.values())), abs=0.005)
    assert member.local > 0 and member.unknown > 0
    # Unknown is never dropped: the four zones make up the whole.
    assert sum(member.share(z) or 0 for z in wealth.ZONES) == pytest.approx(1.0)
    assert 0 < member.suppliers_unlocated < member.suppliers


def test_unknown_is_explained_with_what_would_locate_it(salford: Warehouse) -> None:
    [member, _] = wealth.location_shares(salford, rebuild=False)
    reasons = wealth.unknown_reasons(salford, "salford")
    assert sum(r.spend for r in reasons) == pytest.approx(member.unknown, abs=0.01)
    assert all(r.remedy for r in reasons)
    top = wealth.top_unlocated(salford, "salford", 5)
    assert top == sorted(top, key=lambda u: -u.spend)
    assert 0 < top[-1].cumulative_share_of_unknown <= 1


def test_sme_flags_come_from_the_register_with_their_basis(salford: Warehouse) -> None:
    flags = [f for f in wealth.flag_shares(salford, "salford") if f.flag == "sme"]
    assert sum(f.share for f in flags) == pytest.approx(1.0)
    stated = [f for f in flags if f.basis == "stated by a contract register or notice"]
    assert {f.value for f in stated} == {"yes", "no"}
    assert any(f.value == "unknown" and f.basis == "unknown" for f in flags)


def test_lm3_follows_its_formula_from_the_assumptions(salford: Warehouse) -> None:
    a = wealth.Lm3Assumptions(0.4, 0.1, 0.3)
    [member, _] = wealth.lm3(salford, a)
    [shares, _] = wealth.location_shares(salford, rebuild=False)
    inside = shares.local + shares.region_spend
    r2 = inside * 0.4 + (shares.spend - inside) * 0.1
    assert member.round2 == pytest.approx(r2)
    assert member.lm3 == pytest.approx((shares.spend + r2 + r2 * 0.3) / shares.spend)
    assert 1 <= (member.lm3 or 0) <= 3
    with pytest.raises(ValueError):
        wealth.lm3(salford, wealth.Lm3Assumptions(1.5, 0.1, 0.3))


def test_boundaries_are_configurable(tmp_path: Path) -> None:
    from observatory.insight.outcomes_reference import boundaries

    shipped = boundaries()
    assert set(shipped.regions["greater-manchester"].districts) == GM
    assert shipped.region_of("salford").key == "greater-manchester"  # type: ignore[union-attr]
    custom = tmp_path / "b.toml"
    custom.write_text(
        '[region.x]\nname = "X"\ndistricts = ["E08000006"]\n[member_region]\nsalford = "y"\n'
    )
    with pytest.raises(ValueError, match="not defined"):
        boundaries(custom)


def test_leakage_names_regional_suppliers_in_the_same_category() -> None:
    """Salford pays a Leeds firm for a category in which a Bolton firm is paid by Trafford."""
    w = member_warehouse()
    w.execute(
        "INSERT INTO reference_postcodes VALUES "
        "('BL1 1AA', 'E08000001', 'Bolton', NULL, NULL, 't'),"
        "('LS1 1AA', 'E08000035', 'Leeds', NULL, NULL, 't')"
    )
    w.execute(
        "INSERT INTO contracts (contract_key, source, organisation, source_file) VALUES "
        "('c1', 'register', 'salford', 'f')"
    )
    w.execute(
        "INSERT INTO contract_suppliers (contract_key, supplier_name, postcode) VALUES "
        "('c1', 'Bolton Cleaning Ltd', 'BL1 1AA'), ('c1', 'Leeds Cleaning Limited', 'LS11AA')"
    )
    for key, org, name, amount in (
        ("a", "trafford", "BOLTON CLEANING LTD", 300),
        ("b", "salford", "Leeds Cleaning Ltd", 1000),
        ("c", "salford", "Nowhere Ltd", 50),
    ):
        w.execute(
            "INSERT INTO spend_lines (line_key, organisation, load_id, source_file, source_sha256, "
            "source_row, source_line, payment_date, date_basis, amount, amount_basis, "
            "supplier_name, is_redacted, is_negative, is_card, proclass_code, raw_text) VALUES "
            "(?, ?, 1, 'f', 's', 1, 2, DATE '2024-05-01', 'payment', ?, 'net', ?, false, false, "
            "false, '131000', '')",
            [key, org, amount, name],
        )
    wealth.build(w)
    [leak] = wealth.leakage(w, "salford")
    assert (leak.category, leak.spend_outside_region, leak.regional_suppliers) == (
        "131000",
        1000,
        1,
    )
    assert leak.example_suppliers == ["BOLTON CLEANING LTD"]
    [salford] = [s for s in wealth.location_shares(w, rebuild=False) if s.organisation == "salford"]
    assert (salford.elsewhere, salford.unknown, salford.local) == (1000, 50, 0)
