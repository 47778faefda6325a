"""Social value: a configurable measures framework (theme, outcome, measure, unit, proxy GBP value,
source), commitments per contract, delivery returns over time, and committed vs delivered vs GBP
value per contract, member and theme. docs/methods/social-value.md.

Social value = quantity x proxy value (no deadweight, attribution or additionality adjustment
unless the member builds it into its proxy values: the method note says so).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyarrow as pa

from observatory.insight import outcomes_reference as ref
from observatory.store import Warehouse

FRAMEWORK_COLUMNS = ("measure_id", "theme", "outcome", "measure", "unit", "proxy_value", "source")
RETURN_COLUMNS = ("contract_ref", "measure_id", "period_end", "quantity")
EXAMPLE_FILE = "social_value_example.csv"


class SocialValueError(ValueError):
    """A framework or return file that cannot be used, with what to fix."""


def _read_table(path: Path) -> list[list[str]]:
    """Rows of a CSV or the first sheet of an XLSX, as text ('#' comment lines skipped)."""
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0).to_python()
        return [[_cell(c) for c in row] for row in sheet]
    text = path.read_text(encoding="utf-8-sig")
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    return list(csv.reader(io.StringIO("\n".join(lines))))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(rows: list[list[str]], required: tuple[str, ...], path: Path) -> dict[str, int]:
    if not rows:
        raise SocialValueError(f"{path}: empty file")
    header = [re.sub(r"[^a-z0-9]+", "_", h.strip().lower()).strip("_") for h in rows[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise SocialValueError(
            f"{path}: missing column(s) {', '.join(missing)}; "
            f"found {', '.join(header) or '(none)'}. "
            f"Needed: {', '.join(required)}"
        )
    return {h: i for i, h in enumerate(header)}


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "").replace("£", "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


# -- the framework -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Measure:
    measure_id: str
    theme: str
    outcome: str
    measure: str
    unit: str
    proxy_value: Decimal
    source: str
    is_example: bool
    note: str | None = None


def read_framework(path: Path | None = None) -> list[Measure]:
    """Measures from a CSV/XLSX file, or the shipped example framework when ``path`` is None."""
    example = path is None
    source = Path(f"observatory/data/{EXAMPLE_FILE}") if example or path is None else path
    if path is None:
        text = "\n".join(
            ln for ln in ref.data_text(EXAMPLE_FILE).splitlines() if not ln.startswith("#")
        )
        rows = list(csv.reader(io.StringIO(text)))
    else:
        rows = _read_table(path)
    cols = _header(rows, FRAMEWORK_COLUMNS, source)
    measures, problems, seen = [], [], set()
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        get = {c: (row[i].strip() if i < len(row) else "") for c, i in cols.items()}
        value = _number(get["proxy_value"])
        empty = [c for c in FRAMEWORK_COLUMNS if not get[c]]
        if empty:
            problems.append(f"line {n}: empty {', '.join(empty)}")
        elif value is None or value < 0:
            problems.append(f"line {n}: proxy_value {get['proxy_value']!r} is not a number >= 0")
        elif get["measure_id"] in seen:
            problems.append(f"line {n}: measure_id {get['measure_id']} appears twice")
        else:
            seen.add(get["measure_id"])
            measures.append(
                Measure(
                    get["measure_id"],
                    get["theme"],
                    get["outcome"],
                    get["measure"],
                    get["unit"],
                    value,
                    get["source"],
                    example,
                    get.get("note") or None,
                )
            )
    if problems:
        raise SocialValueError(f"{source}: " + "; ".join(problems))
    return measures


def install_framework(warehouse: Warehouse, measures: list[Measure]) -> int:
    """Replace the framework (commitments and returns keep their measure ids)."""
    with warehouse.transaction():
        warehouse.execute("DELETE FROM social_value_measures")
        text = ref.TEXT
        ref.temp_table(
            warehouse,
            "social_value_measures_new",
            {
                "measure_id": text,
                "theme": text,
                "outcome": text,
                "measure": text,
                "unit": text,
                "proxy_value": pa.decimal128(18, 4),
                "source": text,
                "is_example": pa.bool_(),
                "note": text,
            },
            [
                (
                    m.measure_id,
                    m.theme,
                    m.outcome,
                    m.measure,
                    m.unit,
                    # DECIMAL(18,4), rounded half away from zero as DuckDB's cast would.
                    m.proxy_value.quantize(Decimal("0.0001"), ROUND_HALF_UP),
                    m.source,
                    m.is_example,
                    m.note,
                )
                for m in measures
            ],
        )
        warehouse.execute(
            "INSERT INTO social_value_measures SELECT * FROM social_value_measures_new"
        )
        warehouse.execute("DROP TABLE social_value_measures_new")
    return len(measures)


def framework(warehouse: Warehouse) -> list[Measure]:
    rows = warehouse.fetch("SELECT * FROM social_value_measures ORDER BY measure_id")
    return [Measure(**r) for r in rows]


def _measure_ids(warehouse: Warehouse) -> set[str]:
    return {
        r["measure_id"] for r in warehouse.fetch("SELECT measure_id FROM social_value_measures")
    }


# -- commitments and returns -----------------------------------------------------------------
def add_commitment(
    warehouse: Warehouse,
    organisation: str,
    contract_ref: str,
    measure_id: str,
    quantity: Decimal,
    supplier_name: str | None = None,
    entered_by: str | None = None,
) -> int:
    if measure_id not in _measure_ids(warehouse):
        raise SocialValueError(
            f"unknown measure {measure_id!r}: install a framework first "
            "(observatory social-value framework import) or use one of its measure ids"
        )
    if quantity < 0:
        raise SocialValueError("quantity must be >= 0")
    commitment_id = int(warehouse.fetch_value("SELECT nextval('social_value_seq')"))
    warehouse.execute(
        "INSERT INTO social_value_commitments (commitment_id, organisation, contract_ref, "
        "supplier_name, measure_id, quantity, entered_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            commitment_id,
            organisation,
            contract_ref,
            supplier_name,
            measure_id,
            quantity,
            entered_by,
        ],
    )
    return commitment_id


@dataclass
class ReturnsImport:
    file: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_replaced: int = 0  # a corrected return for the same contract, measure and period
    rejects: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_replaced": self.rows_replaced,
            "rejects": [{"line": n, "reason": r} for n, r in self.rejects],
            "warnings": [{"line": n, "warning": w} for n, w in self.warnings],
        }


def _date(text: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %b %Y", "%d %B %Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def import_returns(warehouse: Warehouse, path: Path, organisation: str) -> ReturnsImport:
    """Load a delivery-returns file (CSV or XLSX: contract_ref, measure_id, period_end, quantity,
    optional evidence). Each row is loaded or rejected with its reason; a row for a contract,
    measure and period already returned replaces it (a corrected return)."""
    rows = _read_table(path)
    cols = _header(rows, RETURN_COLUMNS, path)
    measures = _measure_ids(warehouse)
    committed = {
        (r["contract_ref"], r["measure_id"])
        for r in warehouse.fetch(
            "SELECT contract_ref, measure_id FROM social_value_commitments WHERE organisation = ?",
            [organisation],
        )
    }
    result = ReturnsImport(str(path))
    good: dict[tuple[str, str, date], tuple[int, Decimal, str | None]] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        result.rows_read += 1
        get = {c: (row[i].strip() if i < len(row) else "") for c, i in cols.items()}
        quantity = _number(get["quantity"])
        period_end = _date(get["period_end"])
        if not get["contract_ref"]:
            result.rejects.append((n, "no contract_ref"))
        elif get["measure_id"] not in measures:
            result.rejects.append((n, f"unknown measure_id {get['measure_id']!r}"))
        elif period_end is None:
            result.rejects.append((n, f"period_end {get['period_end']!r} is not a date"))
        elif quantity is None:
            result.rejects.append((n, f"quantity {get['quantity']!r} is not a number"))
        elif quantity < 0:
            result.rejects.append((n, f"quantity {quantity} is negative"))
        elif period_end > date.today():
            result.rejects.append((n, f"period_end {period_end} is in the future"))
        else:
            key = (get["contract_ref"], get["measure_id"], period_end)
            if key in good:
                result.warnings.append((n, f"repeats line {good[key][0]}: the later row is kept"))
            if (key[0], key[1]) not in committed:
                result.warnings.append((n, "no commitment recorded for this contract and measure"))
            good[key] = (n, quantity, get.get("evidence") or None)
    with warehouse.transaction():
        for (contract_ref, measure_id, period_end), (line, quantity, evidence) in good.items():
            replaced = warehouse.fetch_value(
                "SELECT count(*) FROM social_value_returns WHERE organisation = ? AND "
                "contract_ref = ? AND measure_id = ? AND period_end = ?",
                [organisation, contract_ref, measure_id, period_end],
            )
            if replaced:
                result.rows_replaced += 1
                warehouse.execute(
                    "DELETE FROM social_value_returns WHERE organisation = ? AND contract_ref = ? "
                    "AND measure_id = ? AND period_end = ?",
                    [organisation, contract_ref, measure_id, period_end],
                )
            warehouse.execute(
                "INSERT INTO social_value_returns (return_id, organisation, contract_ref, "
                "measure_id, period_end, quantity, evidence, source_file, source_line) "
                "VALUES (nextval('social_value_seq'), ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    organisation,
                    contract_ref,
                    measure_id,
                    period_end,
                    quantity,
                    evidence,
                    str(path),
                    line,
                ],
            )
            result.rows_loaded += 1
    return result


# -- the report ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SocialValueFigure:
    grouping: str  # contract, member, theme, measure, period
    key: str
    committed_value: Decimal  # GBP: committed quantity x proxy value
    delivered_value: Decimal
    committed_quantity: Decimal | None  # only when the group has one measure (one unit)
    delivered_quantity: Decimal | None
    measures: int

    @property
    def delivered_share(self) -> float | None:
        if not self.committed_value:
            return None
        return float(self.delivered_value / self.committed_value)

    def as_json(self) -> dict[str, Any]:
        return {
            "grouping": self.grouping,
            "key": self.key,
            "committed_value_gbp": f"{self.committed_value:.2f}",
            "delivered_value_gbp": f"{self.delivered_value:.2f}",
            "delivered_share_of_committed_value": None
            if self.delivered_share is None
            else round(self.delivered_share, 4),
            "committed_quantity": None
            if self.committed_quantity is None
            else str(self.committed_quantity),
            "delivered_quantity": None
            if self.delivered_quantity is None
            else str(self.delivered_quantity),
            "measures": self.measures,
        }


GROUPINGS = {
    "contract": "organisation || ' ' || contract_ref",
    "member": "organisation",
    "theme": "theme",
    "measure": "measure_id",
    "period": "CAST(period_end AS VARCHAR)",
}


def report(
    warehouse: Warehouse, by: str = "contract", organisation: str | None = None
) -> list[SocialValueFigure]:
    """Committed vs delivered quantity and GBP value, grouped ``by`` contract, member, theme,
    measure or period (delivery period end; commitments have no period, so they show as 0)."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    where = "WHERE organisation = $org" if organisation else ""
    params = {"org": organisation} if organisation else {}
    rows = warehouse.fetch(
        f"""
        WITH items AS (
            SELECT organisation, contract_ref, measure_id, NULL::DATE AS period_end,
                   quantity AS committed, 0 AS delivered
            FROM social_value_commitments
            UNION ALL
            SELECT organisation, contract_ref, measure_id, period_end, 0, quantity
            FROM social_value_returns
        )
        SELECT {GROUPINGS[by]} AS key,
               sum(i.committed * m.proxy_value) AS committed_value,
               sum(i.delivered * m.proxy_value) AS delivered_value,
               sum(i.committed) AS committed_quantity, sum(i.delivered) AS delivered_quantity,
               count(DISTINCT i.measure_id) AS measures
        FROM items i JOIN social_value_measures m USING (measure_id)
        {where.replace("organisation", "i.organisation")}
        GROUP BY 1 HAVING key IS NOT NULL ORDER BY committed_value DESC, key
        """,
        params,
    )
    out = []
    for r in rows:
        single = int(r["measures"]) == 1
        out.append(
            SocialValueFigure(
                by,
                str(r["key"]),
                Decimal(r["committed_value"] or 0).quantize(Decimal("0.01")),
                Decimal(r["delivered_value"] or 0).quantize(Decimal("0.01")),
                Decimal(r["committed_quantity"]) if single else None,
                Decimal(r["delivered_quantity"]) if single else None,
                int(r["measures"]),
            )
        )
    return out
