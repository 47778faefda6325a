"""The demonstration network: the same seed gives the same bytes, and every quirk the demo
promises (docs/demo-network.md) is really in the files. The checks read bytes and rows directly,
without the project's loaders, so a loader bug cannot hide a missing quirk."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from observatory.demo import DemoFile, DemoNetwork, write_demo_network
from observatory.organisations import identify, read_config

COUNCILS = ("brindleford", "castlemoor")
MEMBERS = ("brindleford", "castlemoor", "bcnhs", "wyndalefire", "greenacre")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoNetwork:
    return write_demo_network(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def payees(demo: DemoNetwork) -> dict[str, list[str]]:
    """Each member's printed supplier names, read once (the workbook is the slow part)."""
    return {m: _payees(demo, m) for m in MEMBERS}


def _root(network: DemoNetwork) -> Path:
    return network.organisations_file.parent


def _snapshot(network: DemoNetwork) -> dict[str, bytes]:
    root = _root(network)
    paths = [f.path for f in network.files] + [network.organisations_file]
    if network.manifest_file:
        paths.append(network.manifest_file)
    return {str(p.relative_to(root)): p.read_bytes() for p in paths}


def _files(network: DemoNetwork, organisation: str, kind: str = "spend") -> list[DemoFile]:
    return [f for f in network.files if f.organisation == organisation and f.kind == kind]


def _text(f: DemoFile) -> str:
    raw = f.path.read_bytes()
    if f.organisation == "wyndalefire":
        return raw.decode("cp1252")
    return raw.decode("utf-8-sig")


def _rows(f: DemoFile) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_text(f))))


def _dict_rows(f: DemoFile) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_text(f))))


def _payees(network: DemoNetwork, organisation: str) -> list[str]:
    """Supplier names as printed in a member's spend files, read layout by layout."""
    names: list[str] = []
    for f in _files(network, organisation):
        if f.path.suffix == ".xlsx":
            for sheet in _sheets(f).values():
                start = next(i for i, row in enumerate(sheet) if row[0] == "Department Family")
                column = sheet[start].index("Supplier")
                names += [str(row[column]) for row in sheet[start + 1 :]]
            continue
        if "purchase-cards" in f.path.name:
            continue
        rows = _rows(f)
        header_row = next(r for r in (rows[0], rows[-1]) if any("Name" in c for c in r))
        column = next(
            i
            for i, c in enumerate(header_row)
            if "Name" in c and "Organisation" not in c and "Authority" not in c
        )
        body = rows[1:] if header_row is rows[0] else rows[:-1]
        names += [r[column] for r in body]
    return names


def _sheets(f: DemoFile) -> dict[str, list[list[object]]]:
    # python-calamine (the project's reader) is much faster than openpyxl at reading.
    wb = CalamineWorkbook.from_path(str(f.path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def _date(text: str) -> date:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    return datetime.strptime(text, "%d/%m/%Y").date()


# --- determinism


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    # A smaller scale runs the same code paths (every writer, the xlsx archive) in less time.
    first = write_demo_network(tmp_path / "first", seed=11, scale=0.3)
    again = write_demo_network(tmp_path / "again", seed=11, scale=0.3)
    assert _snapshot(first) == _snapshot(again)


def test_different_seed_gives_different_bytes(tmp_path: Path) -> None:
    one = _snapshot(write_demo_network(tmp_path / "one", seed=1, scale=0.1))
    two = _snapshot(write_demo_network(tmp_path / "two", seed=2, scale=0.1))
    assert one.keys() == two.keys()  # same files ...
    differing = [name for name in one if one[name] != two[name]]
    assert len(differing) > len(one) // 2  # ... with different contents


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_demo_network(tmp_path, months=0)
    with pytest.raises(ValueError):
        write_demo_network(tmp_path, scale=0)


# --- the network


def test_members_and_kinds(demo: DemoNetwork) -> None:
    members = read_config(demo.organisations_file)
    ids = {m.org_id for m in members}
    assert {f.organisation for f in demo.files} == ids
    assert {m.org_type for m in members} == {"council", "nhs", "fire", "housing"}
    # Fiction: no real ONS code or org-id may point at a real body.
    assert all(m.ons_code is None and m.identifier is None for m in members)
    kinds = Counter(f.kind for f in demo.files)
    assert set(kinds) == {"spend", "contracts", "payments"}
    for council in COUNCILS:
        assert _files(demo, council, "contracts") and len(_files(demo, council, "payments")) >= 2
    assert all(f.path.is_file() for f in demo.files)


def test_files_name_their_member_by_an_alias(demo: DemoNetwork) -> None:
    members = read_config(demo.organisations_file)
    columns = {
        "brindleford": ["OrganisationLabel"],
        "castlemoor": ["Authority Name"],
        "greenacre": ["Body", "Organisation Name"],
    }
    for member, names in columns.items():
        f = _files(demo, member)[0]
        row = _dict_rows(f)[0]
        for column in names:
            found = identify(row[column], members)
            assert found is not None and found.org_id == member, (member, row[column])
    (workbook,) = _files(demo, "bcnhs")
    entity = next(iter(_sheets(workbook).values()))[1][1]
    found = identify(str(entity), members)
    assert found is not None and found.org_id == "bcnhs"


def test_spend_volume_per_member(payees: dict[str, list[str]]) -> None:
    for member, names in payees.items():
        assert 1_800 <= len(names) <= 4_500, member


def test_manifest_describes_every_file(demo: DemoNetwork) -> None:
    assert demo.manifest_file is not None
    text = demo.manifest_file.read_text(encoding="utf-8")
    assert "fiction" in text.lower()
    for f in demo.files:
        assert f"`{f.path.relative_to(_root(demo)).as_posix()}`" in text


def test_no_real_publisher_is_named(demo: DemoNetwork) -> None:
    real = ("trafford", "salford", "calderdale", "hyndburn", "lambeth", "manchester city")
    for f in demo.files:
        if f.path.suffix == ".csv":
            text = _text(f).lower()
            assert not any(name in text for name in real), f.path


# --- spend layouts and their quirks


def test_lga_layout(demo: DemoNetwork) -> None:
    files = _files(demo, "brindleford")
    assert len(files) == 12
    rows = [r for f in files for r in _dict_rows(f)]
    assert list(rows[0])[:4] == [
        "OrganisationLabel",
        "EffectiveDate",
        "OrganisationalUnit",
        "BeneficiaryName",
    ]
    codes = Counter(bool(re.fullmatch(r"\d{6}", r["ProclassCode"])) for r in rows)
    assert codes[True] > 3 * codes[False] > 0  # most lines classified, some `NA`
    assert any(" : " in r["ProclassLabel"] for r in rows)
    vat = Counter(bool(re.fullmatch(r"GB\d{9}", r["VATRegistrationNumber"])) for r in rows)
    assert vat[True] and vat[False]
    # EffectiveDate is the month end, PaymentDate the day paid.
    assert all(r["EffectiveDate"][:7] == r["PaymentDate"][:7] for r in rows)
    assert max(len(r["BeneficiaryName"]) for r in rows) == 35
    discounts = [r for r in rows if r["Purpose"].startswith("CASH DISCOUNT TAKEN")]
    assert discounts and all(r["Amount"].startswith("-") for r in discounts)
    assert any(0 < float(r["Amount"]) < 500 for r in rows)  # every payment, not just over £500


def test_identical_rows_in_one_file(demo: DemoNetwork) -> None:
    for member in ("brindleford", "wyndalefire"):
        repeated = 0
        for f in _files(demo, member):
            counts = Counter(tuple(r) for r in _rows(f))
            repeated += sum(1 for n in counts.values() if n > 1)
        assert repeated > 0, member


def test_gross_vat_net_with_trailing_commas(demo: DemoNetwork) -> None:
    files = sorted(
        (f for f in _files(demo, "castlemoor") if "purchase" not in f.path.name),
        key=lambda f: f.path.name,
    )
    trailing, plain = [], []
    for f in files:
        lines = f.path.read_text(encoding="utf-8").splitlines()
        assert not lines[0].endswith(",")
        if all(line.endswith(",") for line in lines[1:]):
            trailing.append(f)
        elif not any(line.endswith(",") for line in lines[1:]):
            plain.append(f)
    assert trailing and plain and len(trailing) + len(plain) == len(files)
    headers = {tuple(_rows(f)[0]) for f in files}
    assert any("Document Number" in h for h in headers) and any("DocumentNo" in h for h in headers)
    rows = [r for f in plain for r in _dict_rows(f)]
    assert any(re.fullmatch(r"\d+", r["Net"]) for r in rows)  # "700", not "700.00"
    for r in rows[:200]:
        assert Decimal(r["Gross"]) == Decimal(r["Net"]) + Decimal(r["VAT"])


def test_card_report_preamble_and_total(demo: DemoNetwork) -> None:
    (f,) = [f for f in _files(demo, "castlemoor") if "purchase-cards" in f.path.name]
    rows = _rows(f)
    assert rows[3][:3] == ["Directorate", "Transaction Date", "Merchant Name"]
    assert all("Directorate" not in r for r in rows[:3])
    assert rows[-1][0] == "Total"
    body = [r for r in rows[4:-1] if any(r)]
    amount = rows[3].index("Amount")
    assert Decimal(rows[-1][amount]) == sum(Decimal(r[amount]) for r in body)
    assert all(re.fullmatch(r"\d{2}-[A-Z][a-z]{2}-\d{2}", r[1]) for r in body)


def test_cp1252_file_quirks(demo: DemoNetwork) -> None:
    files = _files(demo, "wyndalefire")
    raws = [f.path.read_bytes() for f in files]
    assert all(b"Net Amount(\xa3)" in raw for raw in raws)
    assert any(b"\xc8" in raw for raw in raws)  # È, a cp1252 byte that is not valid UTF-8
    with pytest.raises(UnicodeDecodeError):
        raws[0].decode("utf-8")
    text = "".join(raw.decode("cp1252") for raw in raws)
    assert re.search(r'"\d{1,3}(?:,\d{3})+\.\d{2}-"', text)  # "1,996.00-"
    assert re.search(r',"\d{1,3}(?:,\d{3})+\.\d{2}"', text)  # thousands separator in quotes
    assert re.search(r",\d{2}/\d{2}/\d{2},", text)  # dd/mm/yy
    assert re.search(r",\d{2}/\d{2}/\d{4},", text)  # and dd/mm/yyyy in other months
    assert "\r\n" in text
    header_last = [f for f in files if "Name" in _rows(f)[-1][4] + _rows(f)[-1][5]]
    assert len(header_last) == 1
    assert "Name" not in "".join(_rows(header_last[0])[0])


def test_workbook_one_sheet_per_month(demo: DemoNetwork) -> None:
    (f,) = _files(demo, "bcnhs")
    sheets = _sheets(f)
    assert len(sheets) == 12

    def shape(name: str) -> str:
        return re.sub(r"[a-z]", "a", re.sub(r"[A-Z]", "A", re.sub(r"\d", "9", name)))

    assert len({shape(n) for n in sheets}) >= 2
    first, last = list(sheets.values())[0], list(sheets.values())[-1]
    assert isinstance(first[1][2], date)  # a real Excel date, not text
    assert isinstance(first[1][7], float)
    assert last[2][0] == "Department Family"  # title row and blank row above the header
    assert not any(last[1])


def test_transparency_layout(demo: DemoNetwork) -> None:
    files = _files(demo, "greenacre")
    assert all(f.path.read_bytes().startswith(b"\xef\xbb\xbf") for f in files)
    rows = [r for f in files for r in _dict_rows(f)]
    assert len(rows[0]) == 23
    numbers = [r["Supplier Registered Company Number"] for r in rows]
    assert 0.05 < sum(1 for n in numbers if n) / len(numbers) < 0.4
    assert any(len(n) == 8 and n.startswith("0") for n in numbers)
    assert any(re.fullmatch(r"[1-9]\d{6}", n) for n in numbers)  # leading zero dropped
    vcse = Counter(r["Voluntary Community and Social Enterprise Supplier"] for r in rows)
    assert set(vcse) == {"Y", ""}
    assert any(r["Supplier Registered Charity Number"] for r in rows)


def test_redacted_payees_and_negatives(demo: DemoNetwork, payees: dict[str, list[str]]) -> None:
    assert "Redacted" in payees["brindleford"]
    assert "Redacted Personal Information" in payees["castlemoor"]
    assert "REDACTED" in payees["wyndalefire"]
    assert "" in payees["greenacre"]
    # A real supplier whose name merely starts like a redaction marker.
    assert any(n.startswith("Redacta ") for n in payees["castlemoor"])
    castlemoor = [
        r
        for f in _files(demo, "castlemoor")
        if "purchase" not in f.path.name
        for r in _dict_rows(f)
    ]
    assert any(r["Net"].startswith("-") for r in castlemoor)
    greenacre = [r for f in _files(demo, "greenacre") for r in _dict_rows(f)]
    assert any(r["Net Amount"].startswith("-") for r in greenacre)


def test_one_supplier_spelt_differently_by_members(payees: dict[str, list[str]]) -> None:
    by_member = payees
    spellings: dict[str, set[str]] = defaultdict(set)
    for member, names in by_member.items():
        for n in names:
            if "harbottle" in n.lower():
                spellings[member].add(n)
    assert len(spellings) >= 2
    every = set().union(*spellings.values())
    assert len(every) >= 4
    assert any("&" in n for n in every) and any(" and " in n.lower() for n in every)
    assert {"Ltd", "Limited", "LTD."} <= {n.split()[-1] for n in every}
    # Truncated at 35 characters by one member, whole in another member's files.
    others = {n for m, names in by_member.items() if m != "brindleford" for n in names}
    cut = {n for n in by_member["brindleford"] if len(n) == 35}
    assert any(o.startswith(c) and o != c for c in cut for o in others)
    everything = [n for names in by_member.values() for n in names]
    assert any(re.search(r"\bt/a\b", n, re.IGNORECASE) for n in everything)
    assert any(re.search(r"\(ref \d{4}\)", n) for n in everything)


# --- contracts registers


def _register(f: DemoFile) -> list[dict[str, str]]:
    text = f.path.read_bytes().decode("utf-8")
    text = text.removeprefix("\ufeff").removeprefix("ï»¿")
    return list(csv.DictReader(io.StringIO(text)))


def test_contracts_register_quirks(demo: DemoNetwork) -> None:
    registers = {f.organisation: f for f in demo.files if f.kind == "contracts"}
    assert set(COUNCILS) <= set(registers)
    assert registers["castlemoor"].path.read_bytes().startswith(b"\xc3\xaf\xc2\xbb\xc2\xbf")
    totals = []
    for member, f in registers.items():
        rows = _register(f)
        assert list(rows[0])[:5] == [
            "Directorate Name",
            "Process Used",
            "Purchasing Body",
            "Contract Reference",
            "Contract Title",
        ]
        date_cells = [r[c] for r in rows for c in ("Start Date", "End Date", "Current Expiry Date")]
        assert "TBC" in date_cells, member
        if member in COUNCILS:
            assert "X" in date_cells, member
            assert any(r["Annual Value"] == "-" for r in rows)
        assert any(r["SME Supplier?"] == "Various" for r in rows), member
        assert any(re.fullmatch(r"[1-9]\d{6}", r["Company Number"]) for r in rows)
        totals += [
            Decimal(r["Total Contract Value (including extensions)"])
            for r in rows
            if r["Total Contract Value (including extensions)"] != "-"
        ]
    assert sum(1 for t in totals if t >= 5_000_000) >= 2
    assert sum(1 for t in totals if t >= 2_000_000) >= 4


def test_contracts_for_one_category_end_close_together(demo: DemoNetwork) -> None:
    ends: dict[str, dict[str, list[date]]] = defaultdict(lambda: defaultdict(list))
    for f in (f for f in demo.files if f.kind == "contracts"):
        for r in _register(f):
            if r["End Date"] not in ("TBC", "X", ""):
                ends[r["ProClass Classification"]][f.organisation].append(_date(r["End Date"]))
    windows = 0
    for by_member in ends.values():
        members = list(by_member)
        close = any(
            abs((a - b).days) <= 183
            for i, m in enumerate(members)
            for n in members[i + 1 :]
            for a in by_member[m]
            for b in by_member[n]
        )
        windows += close
    assert windows >= 5
    # One collaborative contract appears in both councils' registers under the same reference.
    refs = [
        {r["Contract Reference"] for r in _register(f) if r["Contract Reference"]}
        for f in demo.files
        if f.kind == "contracts" and f.organisation in COUNCILS
    ]
    assert refs[0] & refs[1]


# --- accounts-payable extracts


def test_payments_cover_two_reporting_periods(demo: DemoNetwork) -> None:
    for council in COUNCILS:
        rows = [r for f in _files(demo, council, "payments") for r in _dict_rows(f)]
        assert list(rows[0]) == [
            "Invoice Number",
            "Supplier Name",
            "Invoice Date",
            "Invoice Received Date",
            "Payment Date",
            "Amount",
            "Disputed",
        ]
        paid = [r for r in rows if r["Payment Date"]]
        periods = {
            date(d.year, 9, 30)
            if 4 <= d.month <= 9
            else date(d.year if d.month <= 3 else d.year + 1, 3, 31)
            for d in (_date(r["Payment Date"]) for r in paid)
        }
        assert {date(2025, 9, 30), date(2026, 3, 31)} <= periods
        days = [(_date(r["Payment Date"]) - _date(r["Invoice Received Date"])).days for r in paid]
        assert all(d >= 0 for d in days)
        within_30 = sum(1 for d in days if d <= 30) / len(days)
        assert 0.6 < within_30 < 0.9
        assert any(d > 90 for d in days)
        assert len(paid) < len(rows)  # some invoices still unpaid at the period end
        assert all(_date(r["Invoice Date"]) <= _date(r["Invoice Received Date"]) for r in rows)
        assert {r["Disputed"] for r in rows} in ({"Y", "N"}, {"Yes", "No"})
