"""Red flags: duplicate payments against the raw files read independently; identical rows and
the thresholds in force on each payment's date on small files written here."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from conftest import month_files
from raw import name_key, public_name, redacted, spend_lines

from observatory.insight.red_flags import flag_rules, red_flags
from observatory.insight.scope import make_scope
from observatory.sources.spend import load_spend
from observatory.store import Warehouse


def _norm(invoice: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", invoice.upper())


def test_duplicate_invoice_flags_match_the_raw_file(three_members):
    groups: dict[tuple[str, str, Decimal], set[tuple[str, object]]] = defaultdict(set)
    for line in spend_lines("calderdale", month_files()["calderdale"]):
        inv = _norm(line.invoice)
        if (
            redacted(line.supplier)
            or public_name(line.supplier)
            or line.amount < 100
            or len(inv) < 3
            or "REDACT" in line.invoice.upper()
            or re.fullmatch(r"(19|20)\d\d", line.invoice.strip())
        ):
            continue
        groups[(name_key(line.supplier), inv, line.amount)].add((line.transaction, line.day))
    expected = {k: len(v) for k, v in groups.items() if len(v) >= 2}

    scope = make_scope(three_members, ["calderdale"], "2021-22")
    found = red_flags(three_members, scope, only=["duplicate-invoice"])
    got = {
        (f.supplier_key.removeprefix("name:"), _norm(f.evidence[0]["invoice_number"]),
         f.evidence[0]["amount"]): len({(e["transaction_id"], e["date"]) for e in f.evidence})
        for f in found.flags
    }  # fmt: skip
    assert got == expected
    assert found.counts["duplicate-invoice"] == len(expected) > 0
    # The amount flagged is the possible overpayment: amount x (payments - 1).
    assert sum(f.amount for f in found.flags) == sum(k[2] * (n - 1) for k, n in expected.items())


def test_same_amount_nearby_flags_match_the_raw_file(three_members):
    window = flag_rules().duplicate_amount_window_days
    by_key: dict[tuple[str, Decimal], dict[str, object]] = defaultdict(dict)
    for line in spend_lines("manchester", month_files()["manchester"]):
        if redacted(line.supplier) or public_name(line.supplier) or line.amount < 1000:
            continue
        seen = by_key[(name_key(line.supplier), line.amount)]
        if line.transaction not in seen or line.day < seen[line.transaction]:
            seen[line.transaction] = line.day
    runs = []
    for (key, value), txns in by_key.items():
        days = sorted(txns.items(), key=lambda t: (t[1], t[0]))
        run = [days[0]]
        for txn in days[1:]:
            if (txn[1] - run[-1][1]).days > window:
                runs.append((key, value, run))
                run = []
            run.append(txn)
        runs.append((key, value, run))
    expected = [(k, v, r) for k, v, r in runs if len(r) >= 2]  # Manchester has no invoice numbers

    scope = make_scope(three_members, ["manchester"], "2021-22")
    found = red_flags(three_members, scope, only=["duplicate-amount"])
    assert found.counts["duplicate-amount"] == len(expected) > 0
    assert sum(f.amount for f in found.flags) == sum(v * (len(r) - 1) for _, v, r in expected)


TRAFFORD_HEADER = (
    "OrganisationLabel,EffectiveDate,OrganisationalUnit,BeneficiaryName,PaymentDate,"
    "TransactionNumber,Amount,Purpose,ProclassLabel,ProclassCode,InvoiceNumber\n"
)


def _load(tmp_path: Path, name: str, org: str, text: str) -> Warehouse:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    w = Warehouse.memory()
    load_spend(w, [str(path)], org)
    return w


def test_identical_rows_are_separate_payments_not_duplicates(tmp_path):
    row = "Trafford Council,2024-05-31,ICT,Acme Widgets Ltd,2024-05-10,{t},{a},Widgets,NA,NA,{i}\n"
    text = TRAFFORD_HEADER + "".join(
        [
            row.format(t="5100000001", a="1200.00", i="INV-77"),  # identical rows, as Trafford
            row.format(t="5100000001", a="1200.00", i="INV-77"),  # publishes separate payments
            row.format(t="5100000009", a="640.00", i="INV-80"),
            row.format(t="5100000010", a="640.00", i="inv 80"),  # same invoice, new transaction
        ]
    )
    w = _load(tmp_path, "trafford.csv", "trafford", text)
    assert w.fetch_value("SELECT count(*) FROM spend_lines") == 4
    scope = make_scope(w, [], "all")
    found = red_flags(w, scope, only=["duplicate-invoice", "duplicate-amount"])
    assert [(f.rule, f.amount) for f in found.flags] == [
        ("duplicate invoice", Decimal("640.00")),
    ]


MANCHESTER_HEADER = (
    "Body Name,Service Area,Expenses Type,Invoice Payment Date,Transaction Number,Net Amount,"
    "Supplier Name\n"
)


def test_split_orders_use_the_threshold_in_force_on_the_payment_date(tmp_path):
    row = "Manchester City Council,ICT,Equipment,{d},{t},{a},Acme Widgets Ltd\n"
    text = MANCHESTER_HEADER + "".join(
        [
            # December 2021: £25,000 net of VAT was the Contracts Finder threshold.
            row.format(d="2021-12-01", t="1", a="24000.00"),
            row.format(d="2021-12-20", t="2", a="23900.00"),
            # February 2022: £25,000 including VAT, i.e. £20,833.33 net; £24,000 is above it.
            row.format(d="2022-02-01", t="3", a="24000.00"),
            row.format(d="2022-02-10", t="4", a="24100.00"),
            row.format(d="2022-03-01", t="5", a="20000.00"),
            row.format(d="2022-03-15", t="6", a="19900.00"),
        ]
    )
    w = _load(tmp_path, "manchester.csv", "manchester", text)
    found = red_flags(w, make_scope(w, [], "all"), only=["split-orders"])
    got = sorted((f.first_date.isoformat(), f.lines, f.amount) for f in found.flags)
    assert got == [
        ("2021-12-01", 2, Decimal("47900.00")),
        ("2022-03-01", 2, Decimal("39900.00")),
    ]
    assert {f.threshold_amount for f in found.flags} == {Decimal("25000.00")}


def test_no_notice_keeps_the_five_largest_payments_of_a_flagged_year(tmp_path):
    row = "Manchester City Council,ICT,Equipment,{d},{t},{a},{s}\n"
    acme = [
        ("2022-04-05", "6000.00"),
        ("2022-05-05", "500.00"),
        ("2022-06-05", "5000.00"),
        ("2022-07-05", "1000.00"),
        ("2022-08-05", "4000.00"),
        ("2022-09-05", "2000.00"),
        ("2023-03-05", "3000.00"),
    ]  # £21,500 in 2022-23: above £25,000 incl. VAT net of it
    bolt = [
        ("2021-06-01", "24000.00"),  # 2021-22: under £25,000, then net of VAT
        ("2022-05-01", "10000.00"),
        ("2022-11-01", "10000.00"),
    ]  # 2022-23: £20,000, under
    text = MANCHESTER_HEADER + "".join(
        row.format(d=d, t=f"{s[0]}{n}", a=a, s=s)
        for s, payments in (("Acme Widgets Ltd", acme), ("Bolt Fixings Ltd", bolt))
        for n, (d, a) in enumerate(payments)
    )
    w = _load(tmp_path, "manchester.csv", "manchester", text)
    found = red_flags(w, make_scope(w, [], "all"), only=["no-notice"])
    assert [(f.supplier, f.amount, f.lines) for f in found.flags] == [
        ("Acme Widgets Ltd", Decimal("21500.00"), 7)
    ]
    flag = found.flags[0]
    assert flag.first_date.isoformat() == "2022-04-05"
    assert flag.threshold_amount == Decimal("25000.00")
    assert [e["amount"] for e in flag.evidence] == [
        Decimal(a) for a in ("6000.00", "5000.00", "4000.00", "3000.00", "2000.00")
    ]
    assert "no contracts or notices are loaded for this member at all" in flag.detail
