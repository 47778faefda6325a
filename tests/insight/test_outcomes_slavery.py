"""Modern-slavery risk: scores from the risk table on real Trafford lines (checked against the
table applied here by hand), raised for a large supplier without a statement and lowered for
evidence recorded."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

import pytest
from independent import DATA, need
from outcomes_helpers import (
    member_warehouse,
    money,
    proclass_to_group,
    project_rows,
    simple_name,
    trafford_sample,
)

from observatory.classify.categories import import_code_list
from observatory.insight import slavery
from observatory.sources.spend import load_spend
from observatory.store import Warehouse

ROWS = 3000


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, list[dict[str, str]]]:
    path, rows = trafford_sample(tmp_path_factory.mktemp("slavery"), ROWS)
    w = member_warehouse()
    import_code_list(w, need(DATA / "codelists" / "proclass_17.csv"))
    load_spend(w, [str(path)], "trafford")
    return w, rows


def _high_risk_by_code(rows: list[dict[str, str]]) -> dict[str, float]:
    """Spend scoring >= 3 per ProClass code, by SIC group only (lines with a mapped group)."""
    groups = proclass_to_group()
    high = {
        g
        for r in project_rows("modern_slavery_risk.csv")
        if r["level"] == "high"
        for g in r["sic_groups"].split(";")
        if g
    }
    # Public-body payees are not scored (modern-slavery.md), recognised by name here.
    public = re.compile(
        r"\b(council|nhs|police|fire and rescue|constabulary|hmrc|dwp|dclg|gmca|"
        r"clinical commissioning|pension fund|teachers pensions)\b"
        r"|combined authori|combined$|superann",
        re.I,
    )
    out: dict[str, float] = defaultdict(float)
    for r in rows:
        code = r["ProclassCode"]
        if groups.get(code) in high and not public.search(r["BeneficiaryName"]):
            out[code] += float(money(r["Amount"]) or 0)
    return out


def test_high_risk_categories_match_the_risk_table(sample) -> None:
    w, rows = sample
    expected = _high_risk_by_code(rows)
    got = {f.key: f for f in slavery.figures(w, "category", top=None)}
    assert expected, "the sample has high-risk categories"
    for code, spend in expected.items():
        assert got[code].high_risk_spend == pytest.approx(spend, abs=0.01)
        assert got[code].reasons  # every high-risk figure says why
    top = max(expected, key=lambda c: expected[c])
    assert "SIC group" in got[top].reasons


def test_evidence_raises_and_lowers_a_supplier_score(sample) -> None:
    w, rows = sample
    entries = slavery.high_risk_spend(w, "trafford", min_score=3, top=5)
    assert entries and all(e.score >= 3 and e.reason for e in entries)
    target = entries[0]
    key = target.supplier_key
    slavery.record_evidence(
        w, slavery.Evidence(key, target.supplier_name, Decimal(50_000_000))
    )  # large, no statement: +1
    raised = [e for e in slavery.high_risk_spend(w, "trafford", 3, 200) if e.supplier_key == key]
    assert raised[0].score == min(5, target.score + 1)
    assert "no current s54 statement" in raised[0].reason
    this_year = __import__("datetime").date.today().year
    slavery.record_evidence(
        w,
        slavery.Evidence(
            key,
            target.supplier_name,
            Decimal(50_000_000),
            this_year - 1,
            "https://example.org/statement",
            True,
        ),
    )  # statement and assessment: -2 (not below 1)
    lowered = [e for e in slavery.high_risk_spend(w, "trafford", 0, 500) if e.supplier_key == key]
    assert lowered[0].score == max(1, target.score - 2)
    assert lowered[0].has_evidence
    [stored] = slavery.evidence_register(w)
    assert stored.statement_link == "https://example.org/statement"
    assert key == f"name:{simple_name(target.supplier_name)}" or not key.startswith("name:")


def test_every_risk_entry_cites_a_source() -> None:
    table = slavery.risk_table()
    assert table and all(e.source and e.level in ("high", "medium") for e in table)
    assert {"construction", "cleaning", "care", "textiles", "solar"} <= {e.risk_id for e in table}


def test_keywords_apply_only_where_no_sic_group_speaks() -> None:
    """A line coded Consultancy (SIC 70) whose label says 'Construction' is consultancy, not
    construction labour; a line with no code is judged by its words; goods no SIC group isolates
    (car washes) are found by words."""
    w = member_warehouse()
    import_code_list(w, need(DATA / "codelists" / "proclass_17.csv"))
    w.execute(
        "INSERT INTO spend_lines (line_key, organisation, load_id, source_file, source_sha256, "
        "source_row, source_line, payment_date, date_basis, amount, amount_basis, supplier_name, "
        "is_redacted, is_negative, is_card, proclass_code, proclass_label, raw_text) VALUES "
        "('a', 'trafford', 1, 'f', 's', 1, 2, DATE '2024-05-01', 'payment', 100, 'net', 'X Ltd', "
        "false, false, false, '151000', 'CONSULTANCY : Construction', ''),"
        "('b', 'trafford', 1, 'f', 's', 2, 3, DATE '2024-05-01', 'payment', 70, 'net', 'Z Ltd', "
        "false, false, false, NULL, 'Construction works', ''),"
        "('c', 'trafford', 1, 'f', 's', 3, 4, DATE '2024-05-01', 'payment', 50, 'net', 'Y Ltd', "
        "false, false, false, NULL, 'Hand car wash valeting', '')"
    )
    by_supplier = {f.label: f for f in slavery.figures(w, "supplier", top=None)}
    assert by_supplier["X Ltd"].high_risk_spend == 0
    assert by_supplier["Z Ltd"].high_risk_spend == 70
    assert by_supplier["Y Ltd"].high_risk_spend == 50
    assert "Car washes" in by_supplier["Y Ltd"].reasons
