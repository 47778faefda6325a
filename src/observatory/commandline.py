"""What every command shares: the --db/--json/--org options, opening the warehouse, JSON output,
progress bars on stderr, receipts and errors. Each area's commands import from here."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from observatory.sources.receipt import Receipt, totals
from observatory.store import Warehouse, WarehouseLocked, default_db_path

if TYPE_CHECKING:
    from observatory.store.spark import SparkWarehouse

# Off a terminal rich would wrap tables at 80 columns; receipts are wider than that.
out = Console() if sys.stdout.isatty() else Console(width=160)
err = Console(stderr=True)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Warehouse file [default: $OBSERVATORY_DB or ./observatory.duckdb]"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")]
EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="duckdb (the warehouse file) or spark (the same SQL on Apache Spark, over a Parquet "
        "layout of the warehouse) [default: $OBSERVATORY_ENGINE or duckdb]",
    ),
]
SparkMasterOption = Annotated[
    str | None,
    typer.Option(
        "--spark-master",
        help="Spark master URL with --engine spark: local[N], spark://host:7077, or sc://host "
        "for Spark Connect [default: $OBSERVATORY_SPARK_MASTER or local[*]]",
    ),
]
OrgOption = Annotated[
    str | None,
    typer.Option(
        "--org",
        help="Publishing organisation (id, name or alias); optional when the "
        "file names it in a column.",
    ),
]


def open_warehouse(db: Path | None, read_only: bool = False) -> Warehouse:
    path = db or default_db_path()
    if read_only and not path.exists():
        raise typer.BadParameter(
            f"{path} does not exist yet: load something first", param_hint="--db"
        )
    try:
        return Warehouse.open(path, read_only=read_only)
    except WarehouseLocked as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(3) from exc


def open_engine(
    engine: str | None, db: Path | None, master: str | None = None
) -> Warehouse | SparkWarehouse:
    """The warehouse on the chosen engine, read-only (what the analysis commands need)."""
    from observatory.store.engine import open_engine as open_on

    path = db or default_db_path()
    if not path.exists():
        raise typer.BadParameter(
            f"{path} does not exist yet: load something first", param_hint="--db"
        )
    try:
        return open_on(engine, path, master, read_only=True)
    except WarehouseLocked as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(3) from exc
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--engine") from exc


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, default=json_default, indent=2) + "\n")


class ProgressBar:
    """A progress bar on stderr, so --json output stays clean."""

    def __init__(self, label: str) -> None:
        self.progress = Progress(
            TextColumn(label),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[current]}"),
            console=err,
            transient=True,
        )
        self.task: Any = None

    def __enter__(self) -> ProgressBar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[0].total)
        self.progress.__exit__(None, None, None)

    def __call__(self, current: str, total: int) -> None:
        if self.task is None:
            self.task = self.progress.add_task("load", total=total, current="")
        else:
            self.progress.advance(self.task)
        self.progress.update(self.task, current=Path(current.split("!")[-1]).name)


def print_receipts(receipts: list[Receipt], errors: list[str], as_json: bool) -> None:
    if as_json:
        if len(receipts) == 1 and not errors:
            print_json(receipts[0].as_json())
        else:
            print_json(
                {
                    "files": [r.as_json() for r in receipts],
                    "totals": totals(receipts),
                    "errors": errors,
                }
            )
        return
    table = Table(title="Load receipt")
    for name in ("file", "organisation", "read", "loaded", "rejected", "duplicate", "£ loaded"):
        table.add_column(name, justify="left" if name in ("file", "organisation") else "right")
    for r in receipts:
        table.add_row(
            r.file,
            r.organisation or "",
            f"{r.rows_read:,}",
            f"{r.rows_loaded:,}",
            f"{r.rows_rejected:,}",
            f"{r.rows_duplicate:,}",
            f"{r.amount_loaded:,.2f}",
        )
    if len(receipts) > 1:
        t = totals(receipts)
        table.add_row(
            "total",
            "",
            f"{t['rows_read']:,}",
            f"{t['rows_loaded']:,}",
            f"{t['rows_rejected']:,}",
            f"{t['rows_duplicate']:,}",
            f"{Decimal(t['amount_loaded']):,.2f}",
        )
    out.print(table)
    reasons: dict[str, int] = {}
    for r in receipts:
        for reason, n in r.reject_reasons.items():
            reasons[reason] = reasons.get(reason, 0) + n
        for note in r.notes:
            out.print(f"[dim]{r.file}: {note}[/dim]")
    if reasons:
        out.print(
            "Rejected rows by reason (see `observatory rejects`): "
            + "; ".join(f"{k}: {v}" for k, v in sorted(reasons.items()))
        )
    for e in errors:
        err.print(f"[red]not loaded:[/red] {e}")


def sub_app(app: typer.Typer, name: str, help_text: str) -> typer.Typer:
    """The app's sub-app ``name``, created when no other area of the CLI made it yet (several
    areas add commands to ``evaluate``, ``reference`` or ``suppliers``)."""
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    created = typer.Typer(help=help_text, no_args_is_help=True)
    app.add_typer(created, name=name)
    return created


def fail(message: object, code: int = 2) -> typer.Exit:
    """Print an error on stderr and return the Exit to raise."""
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)
