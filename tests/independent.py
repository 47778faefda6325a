"""An independent reader for the real spend files: hand-set options per publisher, Python's csv
module and Decimal. It shares no code with the loader, so the loader's counts can be checked."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA = SHARED / "data"

# Hand-set: the amount column the loader should take for each publisher's header generation.
AMOUNT_HEADERS = (
    "Amount",
    "Net Amount",
    "Net",
    "Total (excludes VAT)",
    "Invoice Nett Amount",
    "Net Amount(£)",
    "Net Amount (£)",
    "Net Amount(œ)",
    "Amount Paid",
)
# Hand-set: Hyndburn files whose header row is the last row (checked by eye).
HEADER_LAST = {"April-25-CSV.csv", "Sept-25-CVS.csv"}


@dataclass
class Expected:
    rows: int  # non-blank rows after the header (or before it, when it comes last)
    amount: Decimal  # sum of the parseable amounts
    unparseable: int  # rows whose amount cell is not a number


def _text(data: bytes) -> str:
    for bom in (b"\xc3\xaf\xc2\xbb\xc2\xbf", b"\xef\xbb\xbf"):
        if data.startswith(bom):
            data = data[len(bom) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def amount(text: str) -> Decimal | None:
    t = re.sub(r"[£œ,\s]", "", text)
    negative = False
    if t.startswith("(") and t.endswith(")"):
        t, negative = t[1:-1], True
    elif t.endswith("-"):
        t, negative = t[:-1], True
    try:
        value = Decimal(t)
    except InvalidOperation:
        return None
    return (-value if negative else value).quantize(Decimal("0.01"))


def read(path: Path, data: bytes | None = None) -> Expected:
    text = _text(data if data is not None else path.read_bytes())
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows = [r for r in rows if any(ch.isalnum() for cell in r for ch in cell)]
    if path.name in HEADER_LAST:
        header, body = rows[-1], rows[:-1]
    else:
        at = next(i for i, r in enumerate(rows) if any(c.strip() in AMOUNT_HEADERS for c in r))
        header, body = rows[at], rows[at + 1 :]
    col = next(i for i, c in enumerate(header) if c.strip() in AMOUNT_HEADERS)
    total, bad = Decimal("0.00"), 0
    for r in body:
        value = amount(r[col]) if col < len(r) else None
        if value is None:
            bad += 1
        else:
            total += value
    return Expected(len(body), total, bad)
