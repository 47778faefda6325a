"""Load accounts-payable extracts (invoice number, supplier, invoice date, invoice received date,
payment date, amount, disputed) into ``invoice_payments``.

These are what payment-time figures need (the UK17 payments compliance notice, prompt payment):
spend files give the payment date only. Reading is the spend loader's: the same reading layer and
header aliases kept as data (``data/payment_fields.csv``); parsing and keying run as SQL
(``store/sql/stage_payments.sql``, ``insert_payments.sql``). Every row is loaded, rejected with its
reason, or counted as a duplicate; a re-load adds nothing, and a later extract in which an unpaid
invoice has been paid fills in its payment date. See docs/methods/payments.md.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pyarrow as pa

from observatory import organisations as orgs
from observatory.sources.bookkeeping import FileLayout, record_load, remember_mapping
from observatory.sources.files import InputFile, expand_inputs
from observatory.sources.receipt import LoadError, Receipt
from observatory.sources.spend import reason_class
from observatory.sources.spend_layout import (
    canonical_fields,
    layout_signature,
    map_header,
    parse_user_map,
    vocabulary,
)
from observatory.sources.tabular import Layout, Sheet, find_layout, is_blank, open_table
from observatory.store import Warehouse
from observatory.store.warehouse import split_statements, sql_text

TABLE = "payment_fields"
KIND = "payments"
Progress = Callable[[str, int], None]

# What a row cannot do without: the clock needs a start and the figures need a sum.
REQUIRED = {
    "an invoice received date or invoice date": ("received_date", "invoice_date"),
    "an amount": ("amount",),
    "a payment date column (blank cells mean unpaid)": ("payment_date",),
}


def _layout_error(source: str, header: list[str], columns: dict[str, int]) -> LoadError:
    missing = [what for what, fields in REQUIRED.items() if not any(f in columns for f in fields)]
    found = "; ".join(h.strip() or f"(column {i + 1})" for i, h in enumerate(header)) or "(none)"
    hints = " ".join(f"--map {REQUIRED[what][0]}=COLUMN" for what in missing)
    return LoadError(
        f"{source}: not an accounts-payable extract this loader can map: no column for "
        f"{', '.join(missing)}.\n  columns found: {found}\n  try: {hints}   (COLUMN is a header "
        "name or a 1-based number; fields: " + ", ".join(canonical_fields(TABLE)) + ")"
    )


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _stage(
    warehouse: Warehouse,
    sheet: Sheet,
    layout: Layout,
    columns: dict[str, int],
    organisation: str,
) -> None:
    """Stage the sheet's rows (``payments_staged``) and decide each one's outcome
    (``payments_outcome``: new, paid now, duplicate)."""
    records = [
        r for r in sheet.records(layout.data_start, layout.data_stop) if not is_blank(r.fields)
    ]
    incoming = pa.table(
        {
            "line": pa.array([r.line for r in records], pa.int32()),
            "sheet": pa.array([sheet.name] * len(records), pa.string()),
            "raw": pa.array([r.raw for r in records], pa.string()),
            "fields": pa.array([r.fields for r in records], pa.list_(pa.string())),
        }
    )
    header = layout.header
    cols = {f"col_{f}": "NULL::VARCHAR" for f in canonical_fields(TABLE)}
    cols.update({f"col_{f}": f"g[{i + 1}]" for f, i in columns.items()})
    # A header repeated inside the data (extracts pasted together) shows in the mapped columns.
    named = [i for i in sorted(columns.values()) if i < len(header) and header[i].strip()]
    repeats = " AND ".join(
        f"coalesce(g[{i + 1}] = {_sql_string(header[i].strip())}, false)" for i in named[:3]
    )
    ncols = max(len(header), max(columns.values()) + 1)
    script = sql_text("stage_payments").format(
        ncols=ncols, repeats_header=repeats or "false", **cols
    )
    warehouse.register("incoming", incoming)
    try:
        _run(warehouse, script, {"organisation": organisation})
    finally:
        warehouse.unregister("incoming")


def _first_word(statement: str) -> str:
    """The statement's first SQL word, past blank and comment lines."""
    for line in statement.splitlines():
        text = line.strip()
        if text and not text.startswith("--"):
            return text.split()[0].upper()
    return ""


def _run(warehouse: Warehouse, script: str, params: dict[str, object]) -> list[dict[str, object]]:
    """Run a script's statements with the parameters each uses; the last one's rows."""
    rows: list[dict[str, object]] = []
    for statement in split_statements(script):
        used = {k: v for k, v in params.items() if f"${k}" in statement}
        if _first_word(statement) == "SELECT":
            rows = warehouse.fetch(statement, used)
        else:
            warehouse.execute(statement, used)
    return rows


def load_payments_file(
    warehouse: Warehouse, item: InputFile, organisation: str, user_map: dict[str, str]
) -> Receipt:
    """Load one extract (every sheet of a workbook) and return its receipt."""
    table_file = open_table(item.display, item.data)
    sha = hashlib.sha256(item.data).hexdigest()
    receipt = Receipt(file=item.display, organisation=organisation, kind=KIND)
    receipt.notes.extend(table_file.notes)
    load_id = int(warehouse.fetch_value("SELECT nextval('load_seq')"))
    first: tuple[Sheet, Layout, dict[str, int]] | None = None
    remembered = _remembered(warehouse, organisation)
    for sheet in table_file.sheets:
        layout = find_layout(sheet, vocabulary(TABLE))
        signature = layout_signature(layout.header, len(layout.header))
        mapping = map_header(layout.header, user_map or remembered.get(signature, {}), TABLE)
        if layout.position == "none" and not any(
            not is_blank(r.fields) for r in sheet.records(0, 5)
        ):
            continue  # an empty sheet
        if any(not any(f in mapping.columns for f in fields) for fields in REQUIRED.values()):
            raise _layout_error(item.display, layout.header, mapping.columns)
        _stage(warehouse, sheet, layout, mapping.columns, organisation)
        counts = _run(
            warehouse,
            sql_text("insert_payments"),
            {
                "organisation": organisation,
                "load_id": load_id,
                "source_file": item.display,
                "sha256": sha,
            },
        )[0]
        _add_counts(receipt, counts)
        for row in warehouse.fetch("SELECT reason FROM payments_staged WHERE reason IS NOT NULL"):
            key = reason_class(str(row["reason"]))
            receipt.reject_reasons[key] = receipt.reject_reasons.get(key, 0) + 1
        paid_now = int(counts["paid_now"] or 0)
        if paid_now:
            receipt.notes.append(
                f"{paid_now} invoices stored as unpaid are now paid: payment date filled in"
            )
        unknown = warehouse.fetch_value(
            "SELECT count(*) FROM payments_staged WHERE reason IS NULL AND disputed IS NULL"
        )
        if unknown:
            receipt.notes.append(
                f"{unknown} rows have a disputed flag that is neither yes nor no: kept as published"
            )
        first = first or (sheet, layout, mapping.columns)
    if first is None:
        raise LoadError(f"{item.display}: the file has no rows")
    _record(warehouse, receipt, sha, load_id, table_file.encoding, first, user_map)
    return receipt


def _remembered(warehouse: Warehouse, organisation: str) -> dict[str, dict[str, str]]:
    """Mappings that worked for this member's extracts, by header signature."""
    rows = warehouse.fetch(
        "SELECT layout, mapping FROM remembered_mappings WHERE organisation = ? "
        "AND starts_with(layout, ?)",
        [organisation, f"{KIND}:"],
    )
    return {str(r["layout"])[len(KIND) + 1 :]: json.loads(r["mapping"]) for r in rows}


def _add_counts(receipt: Receipt, counts: dict[str, object]) -> None:
    for name in (
        "rows_read",
        "rows_loaded",
        "rows_rejected",
        "rows_duplicate",
        "amount_read",
        "amount_loaded",
        "amount_rejected",
        "amount_duplicate",
    ):
        value = counts[name]
        if name.startswith("amount"):
            total = getattr(receipt, name) + Decimal(str(value)).quantize(Decimal("0.01"))
            setattr(receipt, name, total)
        else:
            setattr(receipt, name, getattr(receipt, name) + int(str(value)))


def _record(
    warehouse: Warehouse,
    receipt: Receipt,
    sha: str,
    load_id: int,
    encoding: str,
    first: tuple[Sheet, Layout, dict[str, int]],
    user_map: dict[str, str],
) -> None:
    sheet, layout, columns = first
    org = receipt.organisation or ""
    mapping = {
        f: (layout.header[i].strip() if i < len(layout.header) else "") or f"column {i + 1}"
        for f, i in columns.items()
    }
    file_layout = FileLayout(
        encoding, sheet.delimiter, layout.header_line, layout.position, mapping
    )
    record_load(warehouse, receipt, kind=KIND, sha256=sha, load_id=load_id, layout=file_layout)
    if user_map:
        signature = layout_signature(layout.header, len(layout.header))
        remember_mapping(warehouse, org, f"{KIND}:{signature}", user_map)


def load_payments(
    warehouse: Warehouse,
    inputs: list[str],
    organisation: str,
    field_map: list[str] | None = None,
    progress: Progress | None = None,
    errors: list[str] | None = None,
) -> list[Receipt]:
    """Load accounts-payable extracts (CSV, XLSX, folders, zips) for one member, in one
    transaction; a receipt per file. A file that cannot be loaded at all is skipped and its error
    appended to ``errors`` (when given; otherwise raised, and nothing is loaded)."""
    known = orgs.known(warehouse)
    org_id = orgs.resolve_org_option(organisation, known).org_id
    user_map = parse_user_map(field_map or [], TABLE)
    warehouse.execute_script(sql_text("macros"))
    items = list(expand_inputs(inputs))
    receipts: list[Receipt] = []
    with warehouse.transaction():
        for item in items:
            if progress:
                progress(item.display, len(items))
            try:
                receipts.append(load_payments_file(warehouse, item, org_id, user_map))
            except LoadError as exc:
                if errors is None:
                    raise
                errors.append(str(exc))
    return receipts


def reject_summary(receipts: list[Receipt]) -> dict[str, int]:
    """Rejected rows by reason over several receipts."""
    total: Counter[str] = Counter()
    for r in receipts:
        total.update(r.reject_reasons)
    return dict(sorted(total.items()))
