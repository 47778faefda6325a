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
# Hand-set: Lambeth's June 2012 file glues dates to the supplier or amount next to them.
FUSED = {"2012-06-payments.csv"}


def _unfuse(row: list[str], width: int) -> list[str]:
    out: list[str] = []
    for cell in row:
        m = re.fullmatch(r"(.*?)(\d\d/\d\d/\d{4})(.*)", cell)
        if len(row) < width and m and (m.group(1) or m.group(3)):
            out += [p for p in m.groups() if p]
        else:
            out.append(cell)
    return out


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
    if path.name in FUSED:
        body = [_unfuse(r, len(header)) for r in body]
    for r in body:
        value = amount(r[col]) if col < len(r) else None
        if value is None:
            bad += 1
        else:
            total += value
    return Expected(len(body), total, bad)


def need(path: Path) -> Path:
    """A shared data path; in CI (CI=true) a missing file fails the test instead of skipping."""
    import os

    import pytest

    if not path.exists():
        message = f"shared test data missing: {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def spend_files() -> list[tuple[str, Path]]:
    """Every real spend file under ../shared/data with its publisher (Trafford zips included)."""
    out = []
    for org in ("manchester", "salford", "calderdale", "newcastle", "hyndburn"):
        for f in sorted((DATA / org).glob("*.csv")):
            if f.name != "2022-07.csv":  # Salford's contracts register
                out.append((org, f))
    out.append(("lambeth", DATA / "lambeth" / "2012-06-payments.csv"))
    out += [("trafford", f) for f in sorted((DATA / "trafford").glob("*.csv"))]
    out += [("trafford", f) for f in sorted((DATA / "trafford").glob("*.zip"))]
    return out
