"""`observatory inspect`: how the reading layer reads a file, and the table it reads."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from observatory.sources.files import InputFile
from observatory.sources.spend_layout import (
    looks_like_contracts_register,
    looks_like_supplier_totals,
    map_header,
    vocabulary,
)
from observatory.sources.tabular import find_layout, is_blank, open_table


def inspect_file(item: InputFile, out: Path | None = None) -> dict[str, Any]:
    table_file = open_table(item.display, item.data)
    known = vocabulary() | vocabulary("contract_fields")
    sheets = []
    writer = None
    handle = None
    if out is not None:
        handle = out.open("w", newline="", encoding="utf-8")
        writer = csv.writer(handle)
    try:
        for sheet in table_file.sheets:
            layout = find_layout(sheet, known)
            register = looks_like_contracts_register(layout.header)
            mapping = map_header(
                layout.header, table="contract_fields" if register else "spend_fields"
            )
            rows = [
                r
                for r in sheet.records(layout.data_start, layout.data_stop)
                if not is_blank(r.fields)
            ]
            kind = (
                "contracts register"
                if register
                else "supplier totals"
                if looks_like_supplier_totals(mapping)
                else "spend"
                if not mapping.missing()
                else "unknown"
            )
            sheets.append(
                {
                    "sheet": sheet.name or None,
                    "kind": kind,
                    "delimiter": sheet.delimiter,
                    "header_line": layout.header_line,
                    "header_position": layout.position,
                    "preamble_lines": len(layout.preamble),
                    "data_rows": len(rows),
                    "columns": [
                        {
                            "column": i + 1,
                            "header": h,
                            "field": next((f for f, c in mapping.columns.items() if c == i), None),
                        }
                        for i, h in enumerate(layout.header)
                    ],
                    "missing": mapping.missing() if kind in ("spend", "unknown") else [],
                }
            )
            if writer is not None:
                width = max([len(layout.header), *(len(r.fields) for r in rows)])
                header = [h.strip() or f"column_{i + 1}" for i, h in enumerate(layout.header)]
                header += [f"column_{i + 1}" for i in range(len(header), width)]
                if len(table_file.sheets) > 1:
                    header = ["sheet", *header]
                writer.writerow(header)
                for r in rows:
                    cells = r.fields + [""] * (width - len(r.fields))
                    writer.writerow([sheet.name, *cells] if len(table_file.sheets) > 1 else cells)
    finally:
        if handle is not None:
            handle.close()
    return {
        "file": item.display,
        "encoding": table_file.encoding,
        "line_ending": table_file.line_ending,
        "notes": table_file.notes,
        "sheets": sheets,
    }
