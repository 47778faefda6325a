"""Independent readers for the insight tests: the raw published files read with Python's csv
module, and the rules restated in plain Python. Nothing here imports observatory."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from independent import _text, amount

# Hand-set per publisher: (date column, amount column, supplier column, transaction, invoice).
LAYOUTS = {
    "manchester": (
        "Invoice Payment Date",
        "Net Amount",
        "Supplier Name",
        "Transaction Number",
        None,
    ),
    "salford": ("Date of Payment", "Net", "Vendor Name", "DocumentNo", None),
    "calderdale": (
        "Date",
        "Net Amount",
        "Supplier(Beneficiary) Name",
        "Internal Ref Number",
        "Invoice Number",
    ),
}


@dataclass
class Line:
    organisation: str
    day: date
    amount: Decimal
    supplier: str
    transaction: str
    invoice: str


# The placeholders docs/methods/loading.md lists for a payee not named, written again here.
PLACEHOLDERS = {
    "redaction",
    "third party supplier",
    "third party payment",
    "withheld",
    "name withheld",
    "personal data",
    "personal information",
    "data protection",
    "not disclosed",
    "confidential",
    "direct payment",
    "direct payments",
    "personal budget",
    "personal budgets",
}


REBATE = re.compile(r"(council tax |energy )*rebates?( grants?| payments?)?")


def redacted(name: str) -> bool:
    n = name.strip().lower()
    return (
        not n
        or n.startswith("redacted")
        or "personal information redacted" in n
        or "redacted personal" in n
        or n in PLACEHOLDERS
        or REBATE.fullmatch(n) is not None  # households' energy rebates, no payee
        or re.match(r"\d{4}:\d{2}", n) is not None  # a period and client group, no payee
        or re.fullmatch(
            r"(miscellaneous|misc|sundry|sundries|various)( (payments?|bacs|creditors?))*", n
        )
        is not None
    )


def name_key(name: str) -> str:
    """The method note's fallback supplier key, written again from the note."""
    s = name.replace("&amp;", "&").strip()[:35].upper()
    s = re.sub(r"['’`]", "", s)
    s = re.sub(r"\s*[&+]\s*", " AND ", s)
    s = re.sub(r"[^A-Z0-9]+", " ", s).strip()
    s = re.sub(r"^THE ", "", s)
    s = re.sub(r" (LIMITED|LTD|PLC|LLP|CIC|INC|L|LI|LIM|LIMI|LIMIT|LIMITE)$", "", s)
    return s


PUBLIC = re.compile(
    r"\b(GMCA|TFGM|DCLG|MHCLG|DWP|DFE|COUNCIL|COMBINED AUTH[A-Z]*|GREATER MANCHESTER COMBINED|"
    r"MENTAL HEALTH NHS|NHS|CLINICAL COMMISSIONING|CCG|POLICE|FIRE AND RESCUE|FIRE & RESCUE|"
    r"HM REVENUE|HMRC|DEPARTMENT FOR|DEPARTMENT OF|MINISTRY OF|PENSION FUND|PRIMARY SCHOOL|"
    r"HIGH SCHOOL|ACADEMY TRUST|UNIVERSITY|ENVIRONMENT AGENCY|TRANSPORT FOR)\b"
)


def public_name(name: str) -> bool:
    return bool(PUBLIC.search(name.upper()))


def spend_lines(organisation: str, path: Path) -> list[Line]:
    date_col, amount_col, supplier_col, txn_col, inv_col = LAYOUTS[organisation]
    text = _text(path.read_bytes())
    out = []
    for row in csv.DictReader(io.StringIO(text, newline="")):
        row = {(k or "").strip(): (v or "") for k, v in row.items()}
        value = amount(row[amount_col])
        if value is None or not row[date_col].strip():
            continue
        out.append(
            Line(
                organisation,
                date.fromisoformat(row[date_col].strip()[:10]),
                value,
                row[supplier_col].strip(),
                row[txn_col].strip(),
                row[inv_col].strip() if inv_col else "",
            )
        )
    return out


@dataclass
class Contract:
    supplier: str
    start: date | None
    end: date | None


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def salford_register(path: Path) -> list[Contract]:
    """Salford's register: the current expiry where given, else the end date."""
    text = _text(path.read_bytes())
    out = []
    for row in csv.DictReader(io.StringIO(text, newline="")):
        row = {(k or "").strip().lstrip("\ufeff"): (v or "") for k, v in row.items()}
        end = _day(row["Current Expiry Date"]) or _day(row["End Date"])
        out.append(Contract(row["Supplier Company Name"].strip(), _day(row["Start Date"]), end))
    return out
