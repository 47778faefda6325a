"""What every loader writes about a file besides its rows: the file itself, its receipt, and a
column mapping a person supplied (remembered for the next file of that layout)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from observatory.sources.receipt import Receipt
from observatory.store import Warehouse


@dataclass(frozen=True)
class FileLayout:
    """How the file was read, as stored in source_files."""

    encoding: str
    delimiter: str
    header_line: int | None
    header_position: str
    mapping: dict[str, str]  # canonical field -> column as published


def record_load(
    warehouse: Warehouse,
    receipt: Receipt,
    *,
    kind: str,
    sha256: str,
    load_id: int,
    layout: FileLayout,
) -> None:
    org = receipt.organisation or ""
    warehouse.execute(
        "INSERT OR IGNORE INTO source_files (sha256, organisation, kind, path, encoding, delimiter,"
        " header_line, header_position, mapping) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            sha256,
            org,
            kind,
            receipt.file,
            layout.encoding,
            layout.delimiter,
            layout.header_line,
            layout.header_position,
            json.dumps(layout.mapping),
        ],
    )
    warehouse.execute(
        "INSERT INTO load_receipts VALUES "
        "(?, current_timestamp, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            kind,
            receipt.file,
            sha256,
            org,
            receipt.rows_read,
            receipt.rows_loaded,
            receipt.rows_rejected,
            receipt.rows_duplicate,
            receipt.amount_read,
            receipt.amount_loaded,
            receipt.amount_rejected,
            receipt.amount_duplicate,
        ],
    )


def remember_mapping(
    warehouse: Warehouse, organisation: str, layout: str, user_map: dict[str, str]
) -> None:
    warehouse.execute(
        "INSERT OR REPLACE INTO remembered_mappings (organisation, layout, mapping) "
        "VALUES (?, ?, ?)",
        [organisation, layout, json.dumps(user_map)],
    )
