"""Layouts seen in the wild that the real files here show only partly: no header at all, and
duplicate header names. Built from real rows so the values are real."""

from __future__ import annotations

from pathlib import Path

import pytest
from independent import DATA, need, read

from observatory.sources.receipt import LoadError
from observatory.sources.spend import load_spend
from observatory.store import Warehouse


def test_headerless_file_loads_with_column_numbers_then_by_memory(tmp_path: Path) -> None:
    source = need(DATA / "manchester" / "2021-04.csv")
    lines = source.read_text("utf-8").splitlines()
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("\n".join(lines[1:1001]) + "\n", encoding="utf-8")
    second.write_text("\n".join(lines[1001:]) + "\n", encoding="utf-8")
    warehouse = Warehouse.memory()
    with pytest.raises(LoadError) as caught:
        load_spend(warehouse, [str(first)], organisation="manchester")
    # The error suggests columns from the values: Manchester's date is column 4, net amount 6.
    assert "--map payment_date=4" in str(caught.value)
    assert "--map net_amount=6" in str(caught.value)
    mapping = ["payment_date=4", "net_amount=6", "supplier_name=7", "transaction_id=5"]
    receipt = load_spend(warehouse, [str(first)], organisation="manchester", field_map=mapping)[0]
    assert receipt.rows_read == receipt.rows_loaded == 1000
    remembered = load_spend(warehouse, [str(second)], organisation="manchester")[0]
    assert remembered.rows_loaded == len(lines) - 1001
    total = warehouse.fetch_value("SELECT sum(amount) FROM spend_lines")
    assert total == read(source).amount


def test_duplicate_header_names_take_the_first(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(
        "Date,Supplier,Amount,Amount,Description\n"
        "01/04/2024,Acme Ltd,100.00,120.00,net then gross\n",
        encoding="utf-8",
    )
    warehouse = Warehouse.memory()
    receipt = load_spend(warehouse, [str(path)], organisation="trafford")[0]
    assert receipt.amount_loaded == 100
    assert warehouse.fetch_value("SELECT purpose FROM spend_lines") == "net then gross"


def test_line_endings_do_not_change_what_loads(tmp_path: Path) -> None:
    """The same real rows with LF, CRLF and bare-CR line ends, and as an Excel export writes them
    (rows end CRLF, a line break inside a quoted cell is a lone LF), load the same rows with the
    same row numbers; no CR is left in a value or in the kept raw line."""
    source = need(DATA / "manchester" / "2021-04.csv")
    lines = source.read_text("utf-8").splitlines()[:41]  # the header and 40 rows
    rows = [line.split(",") for line in lines]
    name = rows[0].index("Supplier Name")
    broken = [list(r) for r in rows]
    broken[5][name] = f'"{broken[5][name]}\nTrading"'  # a cell with a line break in it
    variants = {
        "lf": "\n".join(lines) + "\n",
        "crlf": "\r\n".join(lines) + "\r\n",
        "cr": "\r".join(lines) + "\r",
        "excel": "\r\n".join(",".join(r) for r in broken) + "\r\n",
    }
    loaded = {}
    for key, text in variants.items():
        path = tmp_path / f"{key}.csv"
        path.write_bytes(text.encode("utf-8"))
        warehouse = Warehouse.memory()
        receipt = load_spend(warehouse, [str(path)], organisation="manchester")[0]
        assert receipt.rows_read == receipt.rows_loaded == 40, key
        loaded[key] = warehouse.fetch(
            "SELECT source_row, supplier_name, raw_text FROM spend_lines ORDER BY source_row"
        )
        assert not any("\r" in (r["raw_text"] + (r["supplier_name"] or "")) for r in loaded[key])
    assert loaded["lf"] == loaded["crlf"] == loaded["cr"]
    # A row is numbered by the physical line it starts on: the cell's line break is a line.
    assert [r["source_row"] for r in loaded["excel"]] == [*range(1, 6), *range(7, 42)]
    assert loaded["excel"][4]["supplier_name"] == rows[5][name].strip() + "\nTrading"
