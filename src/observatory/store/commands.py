"""Command line for the Parquet layout: ``observatory export warehouse --out DIR`` writes the
warehouse as Parquet (for Spark, or another machine) and ``observatory load warehouse DIR``
loads such a layout back into a DuckDB warehouse. ``register(app)`` adds both."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from observatory.commandline import (
    DbOption,
    JsonOption,
    fail,
    open_warehouse,
    out,
    print_json,
    sub_app,
)
from observatory.store import Warehouse
from observatory.store.parquet_layout import LayoutError, read_layout, write_layout


def _print_counts(title: str, counts: dict[str, int]) -> None:
    table = Table(title=title)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in counts.items():
        if rows:
            table.add_row(name, f"{rows:,}")
    out.print(table)
    empty = sorted(name for name, rows in counts.items() if not rows)
    if empty:
        out.print(f"[dim]empty (schema kept): {', '.join(empty)}[/dim]")


def _move(
    action: Callable[[Warehouse, Path], dict[str, int]],
    db: Path | None,
    layout: Path,
    verb: str,
    as_json: bool,
    read_only: bool,
) -> None:
    """Write the warehouse to a layout or read one into it, and report the rows per table."""
    with open_warehouse(db, read_only=read_only) as warehouse:
        try:
            counts = action(warehouse, layout)
        except LayoutError as exc:
            raise fail(exc) from exc
    if as_json:
        print_json({"layout": str(layout), "tables": counts})
    else:
        _print_counts(f"{verb} {layout}", counts)


def export_warehouse_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the layout to.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write every warehouse table as Parquet: spend lines partitioned by member and payment
    month, other tables one file each, and manifest.json (row counts and columns)."""
    _move(write_layout, db, out_dir, "Wrote", as_json, read_only=True)


def load_warehouse_cmd(
    layout: Annotated[Path, typer.Argument(help="A folder written by `export warehouse`.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load a Parquet layout (written by DuckDB or Spark) into the warehouse, replacing the rows
    of every table the layout holds."""
    _move(read_layout, db, layout, "Loaded", as_json, read_only=False)


def register(app: typer.Typer) -> None:
    sub_app(app, "export", "Export warehouse tables.").command("warehouse")(export_warehouse_cmd)
    sub_app(app, "load", "Load spend files or contracts into the warehouse.").command("warehouse")(
        load_warehouse_cmd
    )
