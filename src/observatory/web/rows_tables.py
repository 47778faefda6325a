"""Tables over rows an analysis returned (``observatory.insight``), with the same sorting,
filtering, paging and CSV/XLSX export as the warehouse's tables.

The rows are copied once (per state of the data) into a small in-memory DuckDB database, so the
``observatory.web.tables`` machinery runs on them unchanged: every request gets its own cursor.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from observatory.store import Warehouse
from observatory.web.deps import host
from observatory.web.exports import export_response
from observatory.web.render import render, render_text
from observatory.web.tables import TablePage, TableQuery, TableSpec, run


def as_row(item: Any) -> dict[str, Any]:
    """A dataclass (or dict) as a flat row: lists become '; '-joined text, nested objects go."""
    values = dataclasses.asdict(item) if dataclasses.is_dataclass(item) else dict(item)
    out: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, list | tuple):
            if value and isinstance(value[0], dict):
                continue  # per-member breakdowns and the like: shown on the detail pages
            value = "; ".join(str(v) for v in value)
        elif isinstance(value, dict):
            continue
        out[name] = value
    return out


def _sql_type(values: list[Any]) -> str:
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, bool):
        return "BOOLEAN"
    if isinstance(sample, int):
        return "BIGINT"
    if isinstance(sample, float):
        return "DOUBLE"
    if isinstance(sample, Decimal):
        return "DECIMAL(38, 4)"
    if isinstance(sample, datetime):
        return "TIMESTAMP"
    if isinstance(sample, date):
        return "DATE"
    return "VARCHAR"


class RowsTable:
    """Rows held in an in-memory DuckDB table named ``rows``."""

    def __init__(self, rows: list[dict[str, Any]], columns: list[str] | None = None) -> None:
        names = columns or (list(rows[0]) if rows else [])
        self.columns = names
        self.count = len(rows)
        self._con = duckdb.connect(":memory:")
        self._lock = threading.Lock()
        types = [_sql_type([r.get(n) for r in rows]) for n in names]
        defs = ", ".join(f'"{n}" {t}' for n, t in zip(names, types, strict=True)) or "x INTEGER"
        self._con.execute(f"CREATE TABLE rows ({defs})")
        if rows and names:
            marks = ", ".join("?" for _ in names)
            values = []
            for r in rows:
                line = []
                for n, t in zip(names, types, strict=True):
                    v = r.get(n)
                    line.append(str(v) if t == "VARCHAR" and v is not None else v)
                values.append(line)
            self._con.executemany(f"INSERT INTO rows VALUES ({marks})", values)

    def warehouse(self) -> Warehouse:
        with self._lock:
            return Warehouse(self._con.cursor(), None)


def rows_spec(**kwargs: Any) -> TableSpec:
    return TableSpec(sql="SELECT * FROM rows", **kwargs)


def rows_response(
    request: Request,
    cache_key: tuple[Any, ...],
    spec: TableSpec,
    table: RowsTable,
    template: str,
    context: dict[str, Any] | None = None,
) -> Response:
    """As ``routes.common.table_response``, on an analysis's rows."""
    params = dict(request.query_params)
    fmt = params.get("format")
    w = table.warehouse()
    if fmt:
        return _export(request, spec, w, fmt)
    query = TableQuery.from_params(spec, params)
    try:
        page: TablePage = host(request).cached(
            ("rows-table", *cache_key, query.cache_key()), lambda: run(w, query)
        )
    finally:
        w.con.close()
    values = {"table": page, "spec": spec, "choices": {}, **(context or {})}
    fragment = functools.partial(render_text, request, "_table.html", values)
    address = (request.url.path, tuple(sorted(params.items())))
    html = host(request).cached(("rows-table-html", *cache_key, address), fragment)
    if (
        request.headers.get("hx-request")
        and request.headers.get("hx-target") == f"table-{spec.key}"
    ):
        return HTMLResponse(html)
    return render(request, template, {**values, "table_html": Markup(html)})


def _export(request: Request, spec: TableSpec, w: Warehouse, fmt: str) -> Response:
    query = TableQuery.from_params(spec, dict(request.query_params))
    return export_response(w, query, fmt, written=w.con.close if fmt == "xlsx" else None)
