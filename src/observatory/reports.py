"""Warehouse summaries the command line and later the web app show: status, rejects, exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from observatory.store import Warehouse
from observatory.store.warehouse import sql_text

EXPORT_FORMATS = ("csv", "parquet", "xlsx")
XLSX_MAX_ROWS = 1_048_575


def status(warehouse: Warehouse) -> list[dict[str, Any]]:
    return warehouse.fetch(sql_text("status"))


def rejects(
    warehouse: Warehouse,
    organisation: str | None = None,
    file: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    sql = (
        "SELECT organisation, kind, source_file AS file, source_sheet AS sheet, "
        "source_line AS line, reason, raw_text FROM rejects WHERE true"
    )
    params: list[Any] = []
    if organisation:
        sql += " AND organisation = ?"
        params.append(organisation)
    if file:
        sql += " AND source_file LIKE ?"
        params.append(f"%{file}%")
    sql += " ORDER BY organisation, source_file, source_sheet, source_line"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return warehouse.fetch(sql, params)


def export_spend(warehouse: Warehouse, out: Path, fmt: str, organisation: str | None = None) -> int:
    """Write spend lines to ``out``; returns the number of rows written."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
    where = "WHERE organisation = $organisation" if organisation else ""
    query = sql_text("export_spend").replace("/*where*/", where)
    params = {"organisation": organisation} if organisation else None
    n = warehouse.fetch_value(f"SELECT count(*) FROM ({query})", params)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("csv", "parquet"):
        options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet"
        path = str(out).replace("'", "''")
        warehouse.execute(f"COPY ({query}) TO '{path}' ({options})", params)
        return int(n)
    if n > XLSX_MAX_ROWS:
        raise ValueError(
            f"{n} rows do not fit in one Excel sheet ({XLSX_MAX_ROWS} at most): "
            "export as csv or parquet, or filter with --org"
        )
    write_xlsx(out, warehouse.fetch(query, params), sheet="spend")
    return int(n)


def write_xlsx(
    out: Path, rows: list[dict[str, Any]], sheet: str = "data", columns: list[str] | None = None
) -> None:
    import xlsxwriter

    names = columns or (list(rows[0]) if rows else [])
    book = xlsxwriter.Workbook(str(out), {"remove_timezone": True})
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    money = book.add_format({"num_format": "#,##0.00"})
    for c, name in enumerate(names):
        ws.write_string(0, c, name, bold)
    for r, row in enumerate(rows, 1):
        for c, name in enumerate(names):
            value = row[name]
            if value is None:
                continue
            if hasattr(value, "isoformat") and not isinstance(value, str):
                ws.write_datetime(r, c, _as_datetime(value), dates)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            elif value.__class__.__name__ == "Decimal":
                ws.write_number(r, c, float(value), money)
            else:
                ws.write_string(r, c, str(value))
    ws.freeze_panes(1, 0)
    book.close()


def _as_datetime(value: Any) -> Any:
    from datetime import date, datetime

    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return value
