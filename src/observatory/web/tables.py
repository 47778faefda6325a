"""Tables that sort, filter, page and export, all from one description.

A ``TableSpec`` is a SELECT (any columns; all of them go into exports), the columns a page shows,
and the filters a user may set. ``run`` turns query parameters into one parameterised statement:
sort columns and directions are checked against the spec, filter values are always bound
parameters, so no request text reaches the SQL.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from observatory.reports import XLSX_MAX_ROWS, write_xlsx
from observatory.store import Warehouse

PAGE_SIZES = (25, 50, 100, 500)


@dataclass(frozen=True)
class Column:
    name: str  # the SELECT's output column
    label: str
    kind: str = "text"  # text, money, int, date, pct, bool, code
    link: Callable[[dict[str, Any]], str | None] | None = None
    sortable: bool = True
    numeric: bool = False

    @property
    def is_numeric(self) -> bool:
        return self.numeric or self.kind in ("money", "int", "pct")


@dataclass(frozen=True)
class Filter:
    name: str  # query parameter, and the bound parameter's name in ``sql``
    label: str
    sql: str  # a condition on the SELECT's columns using $name
    kind: str = "text"  # text, select, month, hidden, flag
    value: Callable[[str], Any] = str  # request text -> bound value; ValueError: ignored
    choices: Callable[[Warehouse], list[tuple[str, str]]] | None = None
    hint: str = ""


def contains(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def month_start(text: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}", text):
        raise ValueError(text)
    return date(int(text[:4]), int(text[5:]), 1)


def flag(text: str) -> bool:
    if text not in ("yes", "no"):
        raise ValueError(text)
    return text == "yes"


@dataclass(frozen=True)
class TableSpec:
    key: str  # id in pages, name of export files
    title: str
    sql: str
    columns: tuple[Column, ...]
    filters: tuple[Filter, ...] = ()
    default_sort: str = ""
    default_descending: bool = False
    tiebreak: tuple[str, ...] = ()  # unique columns that make paging stable
    page_size: int = 50
    method: str | None = None  # method note (/methods/NAME) for the figures in the table

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def filter(self, name: str) -> Filter | None:
        return next((f for f in self.filters if f.name == name), None)


@dataclass
class TableQuery:
    """What a request asks of a table: filters, sort, page."""

    spec: TableSpec
    values: dict[str, str] = field(default_factory=dict)  # filter name -> request text
    sort: str = ""
    descending: bool = False
    page: int = 1
    page_size: int = 50
    scope: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # access conditions

    @classmethod
    def from_params(
        cls,
        spec: TableSpec,
        params: dict[str, str],
        scope: list[tuple[str, dict[str, Any]]] | None = None,
    ) -> TableQuery:
        values = {
            f.name: params[f.name].strip() for f in spec.filters if params.get(f.name, "").strip()
        }
        sort = params.get("sort", "")
        column = spec.column(sort)
        if column is None or not column.sortable:
            sort = spec.default_sort
            descending = spec.default_descending
        else:
            descending = params.get("dir", "asc") == "desc"
        try:
            page = max(1, int(params.get("page", "1")))
        except ValueError:
            page = 1
        try:
            size = int(params.get("size", str(spec.page_size)))
        except ValueError:
            size = spec.page_size
        if size not in PAGE_SIZES:
            size = spec.page_size
        return cls(spec, values, sort, descending, page, size, list(scope or []))

    def where(self) -> tuple[str, dict[str, Any]]:
        conditions: list[str] = []
        params: dict[str, Any] = {}
        for f in self.spec.filters:
            text = self.values.get(f.name)
            if text is None:
                continue
            try:
                params[f.name] = f.value(text)
            except ValueError:
                continue  # a malformed filter value is ignored, not an error page
            conditions.append(f"({f.sql})")
        for condition, scope_params in self.scope:
            conditions.append(f"({condition})")
            params.update(scope_params)
        return (" AND ".join(conditions) or "true"), params

    def order_by(self) -> str:
        parts = []
        if self.sort:
            parts.append(f'"{self.sort}" {"DESC" if self.descending else "ASC"} NULLS LAST')
        parts += [f'"{c}"' for c in self.spec.tiebreak if c != self.sort]
        return ("ORDER BY " + ", ".join(parts)) if parts else ""

    def select(self, limit: bool = True) -> tuple[str, dict[str, Any]]:
        where, params = self.where()
        sql = f"SELECT * FROM ({self.spec.sql}) AS t WHERE {where} {self.order_by()}"
        if limit:
            sql += f" LIMIT {int(self.page_size)} OFFSET {int((self.page - 1) * self.page_size)}"
        return sql, params

    def count_sql(self) -> tuple[str, dict[str, Any]]:
        where, params = self.where()
        return f"SELECT count(*) FROM ({self.spec.sql}) AS t WHERE {where}", params

    def cache_key(self) -> tuple[Any, ...]:
        return (
            self.spec.key,
            tuple(sorted(self.values.items())),
            self.sort,
            self.descending,
            self.page,
            self.page_size,
            tuple((c, tuple((k, _frozen(v)) for k, v in sorted(p.items()))) for c, p in self.scope),
        )


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@dataclass
class TablePage:
    query: TableQuery
    rows: list[dict[str, Any]]
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.page_size))

    @property
    def first(self) -> int:
        return 0 if not self.total else (self.query.page - 1) * self.query.page_size + 1

    @property
    def last(self) -> int:
        return min(self.total, self.query.page * self.query.page_size)


def run(warehouse: Warehouse, query: TableQuery) -> TablePage:
    sql, params = query.select()
    rows = warehouse.fetch(sql, params)
    count_sql, count_params = query.count_sql()
    total = int(warehouse.fetch_value(count_sql, count_params) or 0)
    return TablePage(query, rows, total)


# -- exports --------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def export_csv(warehouse: Warehouse, query: TableQuery) -> Iterator[bytes]:
    """Every matching row (all the SELECT's columns), UTF-8 with a BOM so Excel reads £ right."""
    # A connection of its own, opened here on the request's thread: a streamed response is read
    # on whichever worker thread is free, and must not interleave with the statements of the
    # thread's own cursor.
    return _csv_chunks(warehouse.con.cursor(), query)


def _csv_chunks(con: Any, query: TableQuery) -> Iterator[bytes]:
    sql, params = query.select(limit=False)
    try:
        cursor = con.execute(sql, params)
        names = [d[0] for d in cursor.description or []]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(names)
        yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
        while True:
            chunk = cursor.fetchmany(5000)
            if not chunk:
                break
            buffer.seek(0)
            buffer.truncate()
            for row in chunk:
                writer.writerow([_cell(v) for v in row])
            yield buffer.getvalue().encode("utf-8")
    finally:
        con.close()


def export_xlsx(warehouse: Warehouse, query: TableQuery, out: Path) -> int:
    count_sql, count_params = query.count_sql()
    total = int(warehouse.fetch_value(count_sql, count_params) or 0)
    if total > XLSX_MAX_ROWS:
        raise ValueError(
            f"{total:,} rows do not fit in one Excel sheet ({XLSX_MAX_ROWS:,} at most): "
            "filter the table, or export CSV"
        )
    sql, params = query.select(limit=False)
    rows = warehouse.fetch(sql, params)
    for row in rows:
        for name, value in row.items():
            if isinstance(value, list | tuple | dict):
                row[name] = _cell(value)
    cursor_names = list(rows[0]) if rows else _names(warehouse, sql, params)
    write_xlsx(out, rows, sheet=query.spec.key, columns=cursor_names)
    return total


def _names(warehouse: Warehouse, sql: str, params: dict[str, Any]) -> list[str]:
    cursor = warehouse.con.execute(f"SELECT * FROM ({sql}) LIMIT 0", params)
    names = [d[0] for d in cursor.description or []]
    cursor.fetchall()
    return names
