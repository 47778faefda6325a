"""The national-scale generator reproduces the real files' distributions, is reproducible, and
writes files the real loader loads with nothing rejected but the deliberate quirks.

The real figures are computed here from the real files with Python's csv module and hand-set
columns per publisher (sharing no code with the profile learner); the generated figures are read
back from the generated CSV files the same way.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from independent import DATA, amount, need

from observatory.scale.generator import generate
from observatory.scale.profile import builtin_profile, learn_profile
from observatory.sources.spend import load_spend
from observatory.store import Warehouse

# Hand-set per real publisher: (date, amount, supplier, ProClass code) column headers.
REAL_COLUMNS = {
    "trafford": ("PaymentDate", "Amount", "BeneficiaryName", "ProclassCode"),
    "manchester": ("Invoice Payment Date", "Net Amount", "Supplier Name", None),
    "salford": ("Date of Payment", "Net", "Vendor Name", None),
    "calderdale": ("Date", "Net Amount", "Supplier(Beneficiary) Name", None),
    "calderdale-card": ("Transaction Date", "Net Amount", "Supplier Name", None),
}
# Hand-set per generated header's first cell: the same four columns.
GENERATED_COLUMNS = {
    "OrganisationLabel": ("PaymentDate", "Amount", "BeneficiaryName", "ProclassCode"),
    "Body Name": ("Invoice Payment Date", "Net Amount", "Supplier Name", None),
    "Authority Name": ("Date of Payment", "Net", "Vendor Name", None),
    "Body": ("Date", "Net Amount", "Supplier(Beneficiary) Name", None),
}
REDACTED = re.compile(r"(?i)^\s*(redacted\b|$)")


def _rows(text: str, columns: tuple[str | None, ...]) -> list[tuple]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    out = []
    for r in reader:
        day, value = (r.get(columns[0]) or "").strip(), amount(r.get(columns[1]) or "")
        if not re.match(r"\d{4}-\d\d-\d\d", day) or value is None:
            continue  # footer and blank rows
        code = r.get(columns[3]) if columns[3] else None
        name = (r.get(columns[2]) or "").strip()
        out.append(
            (int(day[5:7]), float(value), name, code if code not in (None, "", "NA") else None)
        )
    return out


def real_lines() -> dict[str, list[tuple]]:
    need(DATA / "trafford")
    out: dict[str, list[tuple]] = {}
    for z in sorted((DATA / "trafford").glob("trafford-supplier-spend-*.zip")):
        with zipfile.ZipFile(z) as archive:
            for name in archive.namelist():
                text = archive.read(name).decode("utf-8")
                out.setdefault("trafford", []).extend(_rows(text, REAL_COLUMNS["trafford"]))
    for member in ("manchester", "salford", "calderdale"):
        for f in sorted((DATA / member).glob("*.csv")):
            if f.name == "2022-07.csv":
                continue  # Salford's contracts register
            key = "calderdale-card" if "card" in f.name else member
            text = f.read_bytes().decode("utf-8-sig")
            out.setdefault(member, []).extend(_rows(text, REAL_COLUMNS[key]))
    return out


def generated_lines(folder: Path) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for f in sorted((folder / "spend").glob("*/*.csv")):
        text = f.read_text(encoding="utf-8")
        first = text.split(",", 1)[0]
        out.setdefault(f.parent.name, []).extend(_rows(text, GENERATED_COLUMNS[first]))
    return out


def balanced_share(by_member: dict[str, list[tuple]], test) -> float:
    return sum(sum(1 for r in rows if test(r)) / len(rows) for rows in by_member.values()) / len(
        by_member
    )


def balanced_quantile(by_member: dict[str, list[tuple]], q: float) -> float:
    """Quantile of positive amounts, each member weighing the same."""
    pairs = []
    for rows in by_member.values():
        values = [r[1] for r in rows if r[1] > 0]
        pairs += [(v, 1 / len(values)) for v in values]
    pairs.sort()
    total, running = sum(w for _, w in pairs), 0.0
    for v, w in pairs:
        running += w
        if running >= q * total:
            return v
    return pairs[-1][0]


def month_shares(by_member: dict[str, list[tuple]]) -> list[float]:
    shares = [0.0] * 12
    for rows in by_member.values():
        months = Counter(r[0] for r in rows)
        for m, n in months.items():
            shares[m - 1] += n / len(rows) / len(by_member)
    return shares


@pytest.fixture(scope="module")
def profile() -> dict:
    need(DATA / "manchester")
    return learn_profile(DATA)


@pytest.fixture(scope="module")
def generated(profile: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("national")
    generate(out, 120_000, profile, members=40, months=12, seed=11)
    return out


@pytest.fixture(scope="module")
def real() -> dict[str, list[tuple]]:
    return real_lines()


def test_negative_and_redacted_shares_match_the_real_members(real, generated) -> None:
    gen = generated_lines(generated)
    for test in (lambda r: r[1] < 0, lambda r: bool(REDACTED.match(r[2]))):
        want, got = balanced_share(real, test), balanced_share(gen, test)
        assert want > 0.01
        assert abs(got - want) <= 0.015, (want, got)


def test_amounts_match_the_real_quantiles(real, generated) -> None:
    gen = generated_lines(generated)
    for q, tolerance in ((0.25, 0.2), (0.5, 0.15), (0.9, 0.2)):
        want, got = balanced_quantile(real, q), balanced_quantile(gen, q)
        assert abs(got / want - 1) <= tolerance, (q, want, got)


def test_months_follow_the_real_seasons(real, generated) -> None:
    want, got = month_shares(real), month_shares(generated_lines(generated))
    assert max(want) - min(want) > 0.03  # March is busy: there is a season to reproduce
    for m in range(12):
        assert abs(got[m] - want[m]) <= 0.012, (m + 1, want[m], got[m])


def _name_key(name: str) -> str:
    return re.sub(r"\b(LTD|LIMITED|PLC)\b|[^A-Z0-9]", "", name.upper())[:20]


def test_each_supplier_keeps_its_real_category(real, generated) -> None:
    """ProClass per supplier: the suppliers Trafford labels most are labelled in the generated
    network with the same ProClass group (first two digits) most of the time."""
    real_codes: dict[str, Counter[str]] = {}
    for r in real["trafford"]:
        if r[3] and not REDACTED.match(r[2]):
            real_codes.setdefault(_name_key(r[2]), Counter())[r[3][:2]] += 1
    gen_codes: dict[str, Counter[str]] = {}
    for rows in generated_lines(generated).values():
        for r in rows:
            if r[3] and not REDACTED.match(r[2]):
                gen_codes.setdefault(_name_key(r[2]), Counter())[r[3][:2]] += 1
    busiest = sorted(real_codes, key=lambda k: -sum(real_codes[k].values()))[:40]
    seen = [k for k in busiest if sum(gen_codes.get(k, Counter()).values()) >= 5]
    assert len(seen) >= 10
    same = sum(
        gen_codes[k].most_common(1)[0][0] == real_codes[k].most_common(1)[0][0] for k in seen
    )
    assert same / len(seen) >= 0.8, (same, len(seen))


def test_the_busiest_real_suppliers_are_busy_in_the_network(real, generated) -> None:
    key = _name_key
    weight: Counter[str] = Counter()
    for rows in real.values():
        for r in rows:
            if not REDACTED.match(r[2]):
                weight[key(r[2])] += 1 / len(rows)
    gen: Counter[str] = Counter()
    for rows in generated_lines(generated).values():
        for r in rows:
            if not REDACTED.match(r[2]):
                gen[key(r[2])] += 1
    top_real = [k for k, _ in weight.most_common(20)]
    top_gen = {k for k, _ in gen.most_common(100)}
    assert sum(k in top_gen for k in top_real) >= 10


def test_names_are_cut_at_35_where_the_publisher_cuts(generated) -> None:
    gen = generated_lines(generated)
    longest = max(len(r[2]) for rows in gen.values() for r in rows)
    assert longest > 35  # some styles (Calderdale's) print whole names
    trafford_like = [
        m
        for m in gen
        if next((generated / "spend" / m).glob("*.csv")).read_text()[:17] == "OrganisationLabel"
    ]
    assert trafford_like
    assert max(len(r[2]) for m in trafford_like for r in gen[m]) <= 35


def test_same_seed_same_bytes_and_another_seed_differs(profile, tmp_path: Path) -> None:
    def files(folder: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(folder)): p.read_bytes()
            for p in sorted((folder / "spend").rglob("*.csv"))
        }

    generate(tmp_path / "a", 6_000, profile, members=6, months=3, seed=5)
    generate(tmp_path / "b", 6_000, profile, members=6, months=3, seed=5)
    generate(tmp_path / "c", 6_000, profile, members=6, months=3, seed=6)
    a, b, c = files(tmp_path / "a"), files(tmp_path / "b"), files(tmp_path / "c")
    assert len(a) == 18 and a == b
    assert a != c


def test_the_loader_loads_everything_but_the_total_rows(generated, monkeypatch) -> None:
    import json

    monkeypatch.setenv("OBSERVATORY_ORGANISATIONS", str(generated / "organisations.toml"))
    manifest = json.loads((generated / "manifest.json").read_text())
    chosen = []
    for layout in ("lga", "expenses", "gross_net", "lgtc"):
        chosen += [m for m in manifest["by_member"] if m["layout"] == layout][:2]
    sample = [str(generated / "spend" / m["org_id"]) for m in chosen]
    expected_lines = sum(m["lines"] for m in chosen)
    expected_totals = sum(m["total_rows"] for m in chosen)
    expected_pence = sum(m["pence"] for m in chosen)
    with Warehouse.memory() as warehouse:
        errors: list[str] = []
        receipts = load_spend(warehouse, sample, None, [], None, errors)
        assert errors == []
        assert sum(r.rows_loaded for r in receipts) == expected_lines
        assert sum(r.rows_duplicate for r in receipts) == 0
        reasons = warehouse.fetch("SELECT reason, count(*) AS n FROM rejects GROUP BY 1")
        assert reasons == (
            [{"reason": "total row", "n": expected_totals}] if expected_totals else []
        )
        total = warehouse.fetch_value("SELECT sum(amount) * 100 FROM spend_lines")
        assert int(total) == expected_pence
        members = warehouse.fetch_value("SELECT count(DISTINCT organisation) FROM spend_lines")
        assert members == 8


def test_without_the_real_files_the_builtin_profile_generates(tmp_path: Path) -> None:
    profile = builtin_profile()
    assert profile["suppliers"] == []  # no real supplier list is shipped
    generate(tmp_path, 5_000, profile, members=4, months=2, seed=1)
    rows = generated_lines(tmp_path)
    assert sum(len(r) for r in rows.values()) == 5_000
    assert len({r[2] for rs in rows.values() for r in rs}) > 50
