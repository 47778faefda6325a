"""Load Local Government Transparency Code spend files (CSV, XLSX, zips of them) into spend_lines.

The reading layer finds the layout; the parsing, casting, keying and reconciling run as SQL in
DuckDB (``store/sql/stage_spend.sql``, ``insert_spend.sql``) so a large file is not walked row by
row in Python.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

import pyarrow as pa

from observatory import organisations as orgs
from observatory.sources.bookkeeping import FileLayout, record_load, remember_mapping
from observatory.sources.files import InputFile, count_inputs, expand_inputs
from observatory.sources.receipt import LoadError, Receipt
from observatory.sources.spend_layout import (
    DATE_FIELDS,
    Mapping,
    canonical_fields,
    layout_error,
    layout_signature,
    looks_like_contracts_register,
    looks_like_supplier_totals,
    map_header,
    parse_user_map,
    vocabulary,
)
from observatory.sources.tabular import Layout, Sheet, TableFile, find_layout, is_blank, open_table
from observatory.store import Warehouse
from observatory.store.warehouse import sql_text

Progress = Callable[[str, int], None]


@dataclass
class SheetPlan:
    """How one sheet of a file will be staged."""

    sheet: Sheet
    layout: Layout
    mapping: Mapping


def plan_sheet(
    sheet: Sheet, source: str, user_map: dict[str, str], remembered: dict[str, dict[str, str]]
) -> SheetPlan | None:
    layout = find_layout(sheet, vocabulary())
    width = max(
        (
            len(r.fields)
            for r in sheet.records(layout.data_start, min(layout.data_stop, layout.data_start + 50))
        ),
        default=0,
    )
    signature = layout_signature(layout.header, width)
    chosen = user_map or remembered.get(signature, {})
    mapping = map_header(layout.header, chosen)
    if layout.position == "none" and not chosen:
        sample = _sample(sheet, layout)
        if not sample:
            return None  # an empty sheet
        raise layout_error(source, mapping, sample)
    if looks_like_supplier_totals(mapping):
        raise LoadError(
            f"{source}: this file holds supplier totals (one row per supplier: "
            f"{', '.join(h for h in layout.header if h.strip())}), not payments. The "
            "Transparency Code asks for each transaction with its date; this file cannot be "
            "loaded as spend lines."
        )
    if mapping.missing():
        if looks_like_contracts_register(layout.header):
            raise LoadError(
                f"{source}: this is a contracts register, not spend "
                "(it has contract titles, values and start/end dates). "
                "Load it with `observatory load contracts`."
            )
        raise layout_error(source, mapping, _sample(sheet, layout))
    return SheetPlan(sheet, layout, mapping)


def _sample(sheet: Sheet, layout: Layout) -> list[list[str]]:
    out = []
    for r in sheet.records(layout.data_start, layout.data_stop):
        if not is_blank(r.fields):
            out.append(r.fields)
        if len(out) >= 20:
            break
    return out


def _split_fields_sql(delimiter: str) -> str:
    """The SQL that splits a line of text into fields, honouring double quotes."""
    d = delimiter.replace("'", "''")
    rx = {"|": "\\|", "\t": "\\t"}.get(delimiter, d)
    quoted = f"""regexp_extract_all('{d}' || raw, '{rx}("(?:[^"]|"")*"|[^{rx}"]*)', 1)"""
    unquote = f"""[CASE WHEN starts_with(x, '"') THEN replace(x[2:-2], '""', '"') ELSE x END
                  FOR x IN {quoted}]"""
    return f"""CASE WHEN contains(raw, '"') THEN {unquote} ELSE string_split(raw, '{d}') END"""


# A line with no letter or digit carries nothing (Lambeth ends with ',†††††† ,,,,').
NOT_BLANK = "regexp_matches(raw, '[\\pL\\pN]')"


def _one_binary(data: bytes) -> pa.Array:
    """A one-value binary column over ``data`` without copying it (``pa.array`` copies a year's
    file byte by byte, which costs more than DuckDB's split of it into lines)."""
    offsets = pa.array([0, len(data)], pa.int64()).buffers()[1]
    return pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)]
    )


def stage_incoming(warehouse: Warehouse, plan: SheetPlan) -> str:
    """Create the temp table ``incoming`` (line, sheet, raw[, fields]) of the sheet's non-blank
    data rows, and return the SQL expression that gives each row's fields.

    DuckDB splits the text into lines and fields. Only when a quoted field spans lines (a line
    with an odd number of quotes) are the records walked in Python instead.
    """
    start, stop = plan.layout.data_start, plan.layout.data_stop
    sheet = plan.sheet
    if sheet.records_hint is None:
        if sheet.utf8 is not None:
            text = pa.table({"b": _one_binary(sheet.utf8)})
            whole = "decode(b)"
        else:
            text = pa.table({"b": pa.array([sheet.text], pa.large_string())})
            whole = "b"
        warehouse.register("incoming_text", text)
        # A CRLF file keeps its CRs until here (it has no others): split on the pair, which is
        # as quick as on LF, where trimming each line afterwards costs more than the split.
        newline = "chr(13) || chr(10)" if sheet.crlf else "chr(10)"
        warehouse.execute(
            "CREATE OR REPLACE TEMP TABLE incoming AS SELECT line, ? AS sheet, raw FROM ("
            " SELECT generate_subscripts(s, 1) AS line, unnest(s) AS raw"
            f" FROM (SELECT string_split({whole}, {newline}) AS s FROM incoming_text))"
            f" WHERE line > ? AND line <= ? AND {NOT_BLANK}",
            [sheet.name, start, stop],
        )
        warehouse.unregister("incoming_text")
        unbalanced = warehouse.fetch_value(
            "SELECT count(*) FROM incoming WHERE contains(raw, '\"')"
            " AND (length(raw) - length(replace(raw, '\"', ''))) % 2 = 1"
        )
        if not unbalanced:
            return _split_fields_sql(sheet.delimiter)
    records = [r for r in sheet.records(start, stop) if not is_blank(r.fields)]
    table = pa.table(
        {
            "line": pa.array([r.line for r in records], pa.int32()),
            "sheet": pa.array([sheet.name] * len(records), pa.string()),
            "raw": pa.array([r.raw for r in records], pa.string()),
            "fields": pa.array([r.fields for r in records], pa.list_(pa.string())),
        }
    )
    warehouse.register("incoming_records", table)
    warehouse.execute("CREATE OR REPLACE TEMP TABLE incoming AS SELECT * FROM incoming_records")
    warehouse.unregister("incoming_records")
    return "fields"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def stage_sql(plan: SheetPlan, fields_expr: str, target: str) -> str:
    columns = plan.mapping.columns
    cols = {f"col_{f}": "NULL::VARCHAR" for f in canonical_fields()}
    cols.update({f"col_{f}": f"c{i + 1}" for f, i in columns.items()})
    # Each mapped cell is read once into its own column (c1, c2 …): the parsing macros refer to
    # their argument several times, and a column is cheaper to repeat than an expression.
    cells = "".join(f", cell(f[{i + 1}]) AS c{i + 1}" for i in sorted(set(columns.values())))
    header = plan.layout.header
    ncols = max(len(header), max(columns.values()) + 1)
    date_col = next((columns[f] + 1 for f in DATE_FIELDS if f in columns), 0)
    # A header repeated inside the data (files pasted together) shows in the mapped columns.
    named = [i for i in sorted(columns.values()) if i < len(header) and header[i].strip()]
    repeats = (
        " AND ".join(f"coalesce(c{i + 1} = {_sql_string(header[i])}, false)" for i in named[:3])
        or "false"
    )
    return sql_text("stage_spend").format(
        fields=fields_expr,
        ncols=ncols,
        date_col=date_col,
        cells=cells,
        repeats_header=repeats,
        target=target,
        **cols,
    )


def _organisation_from_file(
    warehouse: Warehouse, source: str, known: list[orgs.Organisation]
) -> str:
    names = warehouse.fetch(
        "SELECT organisation_name, count(*) AS n FROM staged WHERE organisation_name IS NOT NULL "
        "GROUP BY 1 ORDER BY n DESC LIMIT 3"
    )
    for row in names:
        found = orgs.identify(row["organisation_name"], known)
        if found:
            return found.org_id
    named = f" (the file names {names[0]['organisation_name']!r})" if names else ""
    raise LoadError(
        f"{source}: which organisation published this file?{named} Pass --org with one of: "
        + ", ".join(o.org_id for o in known)
    )


def _remembered(warehouse: Warehouse, organisation: str | None) -> dict[str, dict[str, str]]:
    if organisation is None:
        return {}
    rows = warehouse.fetch(
        "SELECT layout, mapping FROM remembered_mappings WHERE organisation = ?", [organisation]
    )
    return {r["layout"]: json.loads(r["mapping"]) for r in rows}


def load_file(
    warehouse: Warehouse,
    item: InputFile,
    organisation: str | None,
    user_map: dict[str, str],
    known: list[orgs.Organisation],
) -> Receipt:
    table_file: TableFile = open_table(item.display, item.data)
    sha = hashlib.sha256(item.data).hexdigest()
    plans = []
    for sheet in table_file.sheets:
        plan = plan_sheet(sheet, item.display, user_map, _remembered(warehouse, organisation))
        if plan is not None:
            plans.append(plan)
    if not plans:
        raise LoadError(f"{item.display}: the file has no rows")
    receipt = Receipt(file=item.display, organisation=organisation, kind="spend")
    receipt.notes.extend(table_file.notes)
    load_id = warehouse.fetch_value("SELECT nextval('load_seq')")
    for n, plan in enumerate(plans):
        expr = stage_incoming(warehouse, plan)
        if n == 0:
            warehouse.execute(stage_sql(plan, expr, "staged"))
        else:
            warehouse.execute(stage_sql(plan, expr, "staged_sheet"))
            warehouse.execute("INSERT INTO staged BY NAME SELECT * FROM staged_sheet")
    warehouse.execute("DROP TABLE IF EXISTS incoming")
    if organisation is None:
        organisation = _organisation_from_file(warehouse, item.display, known)
        receipt.organisation = organisation
    first = plans[0]
    params = {
        "organisation": organisation,
        "load_id": load_id,
        "source_file": item.display,
        "sha256": sha,
        "header_first": first.layout.position == "first",
        "header_line": first.layout.header_line or 0,
    }
    _execute_with(warehouse, sql_text("insert_spend"), params)
    counts = warehouse.fetch(sql_text("receipt_spend"))[0]
    for name, value in counts.items():
        setattr(
            receipt,
            name,
            Decimal(value).quantize(Decimal("0.01")) if name.startswith("amount") else int(value),
        )
    receipt.reject_reasons = _reason_classes(warehouse)
    unfused = warehouse.fetch_value("SELECT count(*) FROM staged WHERE was_unfused")
    if unfused:
        receipt.notes.append(f"{unfused} rows had a date fused to a neighbouring field; split")
    _record(warehouse, receipt, sha, load_id, table_file, first, user_map)
    return receipt


def _execute_with(warehouse: Warehouse, script: str, params: dict[str, object]) -> None:
    from observatory.store.warehouse import split_statements

    for statement in split_statements(script):
        used = {k: v for k, v in params.items() if f"${k}" in statement}
        warehouse.execute(statement, used)


def reason_class(reason: str) -> str:
    """Reject reasons grouped for receipts: the text before any quoted value or count."""
    for marker in (": ", " fields"):
        if marker in reason:
            head = reason.split(marker)[0]
            return head if marker == ": " else "wrong number of fields"
    return reason


def _reason_classes(warehouse: Warehouse) -> dict[str, int]:
    rows = warehouse.fetch("SELECT reason FROM staged WHERE reason IS NOT NULL")
    return dict(Counter(reason_class(r["reason"]) for r in rows))


def _record(
    warehouse: Warehouse,
    receipt: Receipt,
    sha: str,
    load_id: int,
    table_file: TableFile,
    plan: SheetPlan,
    user_map: dict[str, str],
) -> None:
    layout = FileLayout(
        table_file.encoding,
        plan.sheet.delimiter,
        plan.layout.header_line,
        plan.layout.position,
        plan.mapping.as_json(),
    )
    record_load(warehouse, receipt, kind="spend", sha256=sha, load_id=load_id, layout=layout)
    if user_map:
        width = max(len(plan.layout.header), max(plan.mapping.columns.values()) + 1)
        signature = layout_signature(plan.layout.header, width)
        remember_mapping(warehouse, receipt.organisation or "", signature, user_map)


def load_spend(
    warehouse: Warehouse,
    inputs: list[str],
    organisation: str | None = None,
    field_map: list[str] | None = None,
    progress: Progress | None = None,
    errors: list[str] | None = None,
    commit_every: int = 0,
) -> list[Receipt]:
    """Load spend files, folders or zips in one transaction and return a receipt per file.

    A file that cannot be loaded at all is skipped and its error appended to ``errors`` (when
    given; otherwise the error is raised and nothing is loaded). ``commit_every``: commit after
    every so many files instead (DuckDB holds a transaction's staging until it commits, about a
    megabyte a file, so a national year in one transaction would not fit in memory); a load
    stopped half-way then keeps the files it committed, and a re-run skips them.
    """
    known = orgs.known(warehouse)
    org_id = orgs.resolve_org_option(organisation, known).org_id if organisation else None
    user_map = parse_user_map(field_map or [])
    warehouse.execute_script(sql_text("macros"))
    receipts: list[Receipt] = []
    total = count_inputs(inputs)
    items = expand_inputs(inputs)  # read one at a time: a national year is gigabytes
    while True:
        batch = list(islice(items, commit_every)) if commit_every else items
        with warehouse.transaction():
            for item in batch:
                if progress:
                    progress(item.display, total)
                try:
                    receipts.append(load_file(warehouse, item, org_id, user_map, known))
                except LoadError as exc:
                    if errors is None:
                        raise
                    errors.append(str(exc))
        if not commit_every or not batch:
            return receipts


def iter_staged_sheets(item: InputFile) -> Iterator[SheetPlan]:
    """Plans for every sheet of a file, for ``observatory inspect``."""
    table_file = open_table(item.display, item.data)
    for sheet in table_file.sheets:
        plan = plan_sheet(sheet, item.display, {}, {})
        if plan is not None:
            yield plan
