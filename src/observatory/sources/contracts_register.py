"""Load council contract registers (the Transparency Code's contracts over £5,000 list).

Layout detection is the spend loader's: the same reading layer and header aliases kept as data
(``data/contract_fields.csv``). Values such as 'TBC', 'X' or 'Various' are kept as published, with
the typed field empty and the reason recorded.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pyarrow as pa

from observatory.sources.bookkeeping import FileLayout, record_load
from observatory.sources.files import InputFile
from observatory.sources.receipt import LoadError, Receipt
from observatory.sources.spend_layout import (
    canonical_fields,
    map_header,
    parse_user_map,
    vocabulary,
)
from observatory.sources.tabular import find_layout, is_blank, open_table
from observatory.store import Warehouse
from observatory.store.warehouse import split_statements, sql_text

TABLE = "contract_fields"
YES = ("YES", "Y", "TRUE")
NO = ("NO", "N", "FALSE")


def is_register(item: InputFile) -> bool:
    """Whether a CSV/XLSX file reads as a contracts register (for `load contracts` dispatch)."""
    table_file = open_table(item.display, item.data)
    return any(find_layout(s, vocabulary(TABLE)).header for s in table_file.sheets)


def load_register(
    warehouse: Warehouse, item: InputFile, organisation: str, field_map: list[str] | None = None
) -> Receipt:
    table_file = open_table(item.display, item.data)
    sheet = table_file.sheets[0]
    layout = find_layout(sheet, vocabulary(TABLE))
    mapping = map_header(layout.header, parse_user_map(field_map or [], TABLE), TABLE)
    if not {"title", "supplier_name"} & set(mapping.columns):
        found = ", ".join(h for h in layout.header if h.strip()) or "(no header row)"
        raise LoadError(
            f"{item.display}: not a contracts register this loader can map: no contract title "
            f"or supplier column. Columns found: {found}. Try --map title=COLUMN "
            "--map supplier_name=COLUMN."
        )
    records = [
        r for r in sheet.records(layout.data_start, layout.data_stop) if not is_blank(r.fields)
    ]
    incoming = pa.table(
        {
            "line": pa.array([r.line for r in records], pa.int32()),
            "raw": pa.array([r.raw for r in records], pa.string()),
            "fields": pa.array([r.fields for r in records], pa.list_(pa.string())),
        }
    )
    cols = {f"col_{f}": "NULL::VARCHAR" for f in canonical_fields(TABLE)}
    cols.update({f"col_{f}": f"g[{i + 1}]" for f, i in mapping.columns.items()})
    warehouse.register("incoming", incoming)
    warehouse.execute(sql_text("stage_register").format(**cols))
    warehouse.unregister("incoming")
    sha = hashlib.sha256(item.data).hexdigest()
    load_id = warehouse.fetch_value("SELECT nextval('load_seq')")
    params = {
        "organisation": organisation,
        "source_file": item.display,
        "sha256": sha,
        "load_id": load_id,
    }
    for statement in split_statements(sql_text("insert_register")):
        warehouse.execute(statement, {k: v for k, v in params.items() if f"${k}" in statement})
    counts = warehouse.fetch(sql_text("receipt_register"))[0]
    receipt = Receipt(file=item.display, organisation=organisation, kind="contracts")
    for name, value in counts.items():
        setattr(
            receipt,
            name,
            Decimal(value).quantize(Decimal("0.01")) if name.startswith("amount") else int(value),
        )
    receipt.notes.extend(table_file.notes)
    notes = warehouse.fetch_value(
        "SELECT count(*) FROM register_staged WHERE reason IS NULL AND len(parse_notes) > 0"
    )
    if notes:
        receipt.notes.append(
            f"{notes} contracts keep a published value that is not typed "
            "(TBC, X, Various…): see contracts.parse_notes"
        )
    for row in warehouse.fetch(
        "SELECT reason, count(*) AS n FROM register_staged WHERE reason IS NOT NULL GROUP BY 1"
    ):
        receipt.reject_reasons[row["reason"]] = row["n"]
    file_layout = FileLayout(
        table_file.encoding, sheet.delimiter, layout.header_line, layout.position, mapping.as_json()
    )
    record_load(
        warehouse, receipt, kind="contracts", sha256=sha, load_id=load_id, layout=file_layout
    )
    return receipt
