"""From a spend file's header to canonical fields.

Publisher knowledge is data (``data/spend_fields.csv``: canonical field, header as published, note),
so a council never seen before loads through the same path as the ones we know.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from observatory.sources.receipt import LoadError
from observatory.sources.tabular import header_key

DATE_FIELDS = ("payment_date", "transaction_date", "invoice_date", "period_date")
AMOUNT_FIELDS = ("net_amount", "gross_amount", "published_amount")
REQUIRED_HELP = {
    "a date": DATE_FIELDS,
    "an amount": AMOUNT_FIELDS,
    "a supplier name": ("supplier_name",),
}


@cache
def header_aliases(table: str = "spend_fields") -> dict[str, str]:
    """header key -> canonical field, from ``data/<table>.csv``."""
    text = resources.files("observatory").joinpath(f"data/{table}.csv").read_text("utf-8")
    aliases: dict[str, str] = {}
    for row in csv.DictReader(text.splitlines()):
        aliases.setdefault(header_key(row["header"]), row["field"])
    return aliases


@cache
def canonical_fields(table: str = "spend_fields") -> tuple[str, ...]:
    return tuple(dict.fromkeys(header_aliases(table).values()))


def vocabulary(table: str = "spend_fields") -> set[str]:
    return set(header_aliases(table))


def looks_like_contracts_register(header: list[str]) -> bool:
    keys = {header_key(h) for h in header}
    register = header_aliases("contract_fields")
    fields = {register[k] for k in keys if k in register}
    return {"start_date", "end_date"} <= fields and bool({"title", "total_value"} & fields)


@dataclass
class Mapping:
    """Canonical field -> 0-based column index, plus what could not be mapped."""

    columns: dict[str, int]
    header: list[str]
    extra_columns: dict[str, list[int]] = field(default_factory=dict)  # further candidates
    unmapped: list[str] = field(default_factory=list)

    def column_name(self, fld: str) -> str:
        i = self.columns[fld]
        name = self.header[i] if i < len(self.header) and self.header[i].strip() else ""
        return name.strip() or f"column {i + 1}"

    def as_json(self) -> dict[str, str]:
        return {f: self.column_name(f) for f in self.columns}

    def missing(self) -> list[str]:
        return [
            what
            for what, fields in REQUIRED_HELP.items()
            if not any(f in self.columns for f in fields)
        ]


def layout_signature(header: list[str], ncols: int) -> str:
    keys = [header_key(h) for h in header if h.strip()]
    return "|".join(keys) if keys else f"columns:{ncols}"


def parse_user_map(pairs: list[str], table: str = "spend_fields") -> dict[str, str]:
    """``FIELD=COLUMN`` pairs from ``--map`` (COLUMN is a header name or a 1-based number)."""
    out: dict[str, str] = {}
    known = canonical_fields(table)
    for pair in pairs:
        if "=" not in pair:
            raise LoadError(f"--map takes FIELD=COLUMN, got {pair!r}")
        fld, column = (p.strip() for p in pair.split("=", 1))
        if fld not in known:
            raise LoadError(f"--map: unknown field {fld!r}; fields are: {', '.join(known)}")
        out[fld] = column
    return out


def _column_index(column: str, header: list[str]) -> int:
    if re.fullmatch(r"\d+", column):
        return int(column) - 1
    wanted = header_key(column)
    for i, h in enumerate(header):
        if header_key(h) == wanted:
            return i
    raise LoadError(f"--map: no column {column!r} in the header ({', '.join(header)})")


def map_header(
    header: list[str], user_map: dict[str, str] | None = None, table: str = "spend_fields"
) -> Mapping:
    aliases = header_aliases(table)
    columns: dict[str, int] = {}
    extra: dict[str, list[int]] = {}
    unmapped: list[str] = []
    for i, name in enumerate(header):
        key = header_key(name)
        if not key:
            continue
        fld = aliases.get(key)
        if fld is None:
            unmapped.append(name.strip())
        elif fld in columns:
            extra.setdefault(fld, []).append(i)
        else:
            columns[fld] = i
    for fld, column in (user_map or {}).items():
        columns[fld] = _column_index(column, header)
    return Mapping(columns, header, extra, unmapped)


def looks_like_supplier_totals(mapping: Mapping) -> bool:
    """One row per supplier with a summed amount and no dates: another shape councils publish."""
    dated = any(f in mapping.columns for f in DATE_FIELDS)
    summed = any(re.match(r"(sum|total)\b", h.strip(), re.I) for h in mapping.header)
    return not dated and "supplier_name" in mapping.columns and summed


def layout_error(source: str, mapping: Mapping, sample: list[list[str]]) -> LoadError:
    """An error that teaches: the columns found, what is missing, and the --map to pass."""
    found = [h.strip() or f"(column {i + 1})" for i, h in enumerate(mapping.header)]
    if not mapping.header and sample:
        found = [f"column {i + 1} e.g. {v!r}" for i, v in enumerate(sample[0])]
    missing = mapping.missing()
    suggestion = []
    for what in missing:
        fld = REQUIRED_HELP[what][0]
        guess = _guess_column(fld, mapping, sample)
        suggestion.append(f"--map {fld}={guess}")
    lines = [
        f"{source}: cannot map this layout: no column for {', '.join(missing)}.",
        f"  columns found: {'; '.join(found) if found else '(none)'}",
    ]
    if mapping.columns:
        lines.append(f"  mapped: {', '.join(f'{k} <- {v}' for k, v in mapping.as_json().items())}")
    lines.append(f"  try: {' '.join(suggestion)}   (COLUMN is a header name or a 1-based number)")
    lines.append("  a mapping that works is remembered for this organisation.")
    return LoadError("\n".join(lines))


def _guess_column(fld: str, mapping: Mapping, sample: list[list[str]]) -> str:
    """The column whose sample values look most like the field, to suggest in the error."""
    if not sample:
        return "COLUMN"
    width = max(len(r) for r in sample)
    used = set(mapping.columns.values())
    best, best_score = None, 0.0
    for i in range(width):
        if i in used:
            continue
        values = [r[i].strip() for r in sample if i < len(r) and r[i].strip()]
        if not values:
            continue
        if fld in DATE_FIELDS:
            hits = sum(bool(re.search(r"\d{1,4}[-/. ]\w{2,9}[-/. ]\d{2,4}", v)) for v in values)
        elif fld in AMOUNT_FIELDS:
            hits = sum(bool(re.fullmatch(r"[£(\-]*[\d,]+\.\d{1,2}\)?-?", v)) for v in values)
        else:
            hits = sum(bool(re.search(r"[A-Za-z]{3}", v)) for v in values)
        score = hits / len(sample)
        if score > best_score:
            best, best_score = i, score
    if best is None:
        return "COLUMN"
    name = mapping.header[best].strip() if best < len(mapping.header) else ""
    return f'"{name}"' if name and " " in name else (name or str(best + 1))
