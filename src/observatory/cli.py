"""The command line: a few lines around each library call."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from observatory import organisations as orgs
from observatory import reports
from observatory.commandline import (
    DbOption,
    JsonOption,
    OrgOption,
    ProgressBar,
    err,
    open_warehouse,
    out,
    print_json,
    print_receipts,
)
from observatory.sources.receipt import LoadError, totals
from observatory.store import default_db_path

app = typer.Typer(
    help="Procurement Observatory: load, resolve, classify and report public spend and contracts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
load_app = typer.Typer(
    help="Load spend files or contracts into the warehouse.", no_args_is_help=True
)
export_app = typer.Typer(help="Export warehouse tables.", no_args_is_help=True)
app.add_typer(load_app, name="load")
app.add_typer(export_app, name="export")


@load_app.command("spend")
def load_spend_cmd(
    paths: Annotated[list[str], typer.Argument(help="Spend files (CSV, XLSX), folders or zips.")],
    org: OrgOption = None,
    field_map: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="FIELD=COLUMN for a layout the loader cannot map (COLUMN: header or "
            "1-based number); remembered for the organisation.",
        ),
    ] = None,
    commit_every: Annotated[
        int,
        typer.Option(
            "--commit-every",
            min=0,
            help="Commit after every N files (0: the whole load is one transaction, and a load "
            "stopped half-way leaves nothing). For thousands of files: memory stays bounded, "
            "and a re-run after a stop loads only the files not yet committed.",
        ),
    ] = 0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load Transparency Code spend files. Every row is loaded, rejected with a reason, or
    counted as a duplicate; a re-run adds nothing."""
    from observatory.sources.spend import load_spend

    errors: list[str] = []
    with open_warehouse(db) as warehouse:
        try:
            with ProgressBar("loading spend") as bar:
                receipts = load_spend(
                    warehouse, paths, org, field_map or [], bar, errors, commit_every
                )
        except (LoadError, ValueError) as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
    print_receipts(receipts, errors, as_json)
    if errors:
        raise typer.Exit(1)


@load_app.command("contracts")
def load_contracts_cmd(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="OCDS release/record packages, JSON lines, contract-register CSV/XLSX, or folders."
        ),
    ],
    org: OrgOption = None,
    field_map: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN for a register layout the loader cannot map."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load contracts: OCDS notices (compiled per ocid) and council contract registers."""
    from observatory.sources.contracts import load_contracts

    errors: list[str] = []
    with open_warehouse(db) as warehouse:
        try:
            with ProgressBar("loading contracts") as bar:
                receipts = load_contracts(warehouse, paths, org, field_map or [], bar, errors)
        except (LoadError, ValueError) as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
    print_receipts(receipts, errors, as_json)
    if errors:
        raise typer.Exit(1)


@app.command()
def status(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Per organisation: months covered, spend lines, £, rejects and contracts."""
    with open_warehouse(db, read_only=True) as warehouse:
        rows = reports.status(warehouse)
    if as_json:
        print_json({"organisations": rows})
        return
    table = Table(title=f"Warehouse {db or default_db_path()}")
    for name in (
        "organisation",
        "months",
        "from",
        "to",
        "spend lines",
        "£",
        "rejects",
        "contracts",
    ):
        table.add_column(name, justify="left" if name == "organisation" else "right")
    for r in rows:
        table.add_row(
            r["organisation"],
            str(r["months"]),
            str(r["first_date"] or ""),
            str(r["last_date"] or ""),
            f"{r['spend_lines']:,}",
            f"{r['amount']:,.2f}",
            f"{r['rejects']:,}",
            f"{r['contracts']:,}",
        )
    out.print(table)
    if not rows:
        out.print(
            "Nothing loaded yet: try `observatory load spend FILES --org ORG` or "
            "`observatory demo`."
        )


@app.command()
def rejects(
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation.")] = None,
    file: Annotated[
        str | None, typer.Option("--file", help="Only files whose path contains this.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many rows.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every rejected row: file, line, raw text and the reason."""
    with open_warehouse(db, read_only=True) as warehouse:
        org_id = orgs.resolve_org_option(org, orgs.known(warehouse)).org_id if org else None
        rows = reports.rejects(warehouse, org_id, file, limit)
    if as_json:
        print_json({"rejects": rows})
        return
    table = Table(title=f"{len(rows)} rejected rows")
    for name in ("file", "line", "reason", "raw text"):
        table.add_column(name, overflow="fold")
    for r in rows:
        where = f"{r['sheet']}!{r['line']}" if r["sheet"] else str(r["line"])
        table.add_row(r["file"], where, r["reason"], r["raw_text"][:200])
    out.print(table)


@export_app.command("spend")
def export_spend_cmd(
    out_path: Annotated[Path, typer.Option("--out", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="csv, parquet or xlsx")] = "csv",
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export spend lines with their source file and row, supplier and category columns."""
    with open_warehouse(db, read_only=True) as warehouse:
        org_id = orgs.resolve_org_option(org, orgs.known(warehouse)).org_id if org else None
        try:
            n = reports.export_spend(warehouse, out_path, fmt, org_id)
        except ValueError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
    if as_json:
        print_json({"file": str(out_path), "format": fmt, "rows": n})
    else:
        out.print(f"wrote {n:,} spend lines to {out_path}")


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="Any CSV, TSV or XLSX file.")],
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write the parsed table as plain CSV (comma, header first, preamble dropped).",
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """How a file is read: encoding, dialect, header row, and column -> field mapping.
    (--db is accepted like everywhere else; inspecting reads no warehouse.)"""
    from observatory.inspection import inspect_file
    from observatory.sources.files import InputFile

    if not file.is_file():
        raise typer.BadParameter(f"{file}: no such file")
    report = inspect_file(InputFile(str(file), file.read_bytes()), out_path)
    if as_json:
        print_json(report)
        return
    out.print(
        f"[bold]{report['file']}[/bold]  encoding: {report['encoding']}  "
        f"line ending: {report['line_ending'] or '-'}"
    )
    for note in report["notes"]:
        out.print(f"  note: {note}")
    for s in report["sheets"]:
        label = f"sheet {s['sheet']!r}: " if s["sheet"] else ""
        out.print(
            f"{label}{s['kind']}; delimiter {s['delimiter']!r}; header "
            f"{s['header_position']} (line {s['header_line']}); "
            f"{s['preamble_lines']} preamble lines; {s['data_rows']:,} data rows"
        )
        table = Table()
        for name in ("column", "header", "field"):
            table.add_column(name)
        for c in s["columns"]:
            table.add_row(str(c["column"]), c["header"], c["field"] or "[dim]-[/dim]")
        out.print(table)
        if s["missing"]:
            out.print(f"[yellow]no column for {', '.join(s['missing'])}[/yellow]")
    if out_path:
        out.print(f"wrote the parsed table to {out_path}")


@app.command()
def harvest(
    source: Annotated[str, typer.Argument(help="find-a-tender or contracts-finder")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the pages (resumable).")],
    updated_from: Annotated[
        str | None,
        typer.Option(
            "--from", help="Only notices published or updated since this date (YYYY-MM-DD)."
        ),
    ] = None,
    max_pages: Annotated[
        int | None,
        typer.Option("--max-pages", help="Stop after this many pages (a later run carries on)."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Another address for the API (a mirror or a test server)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Fetch OCDS release packages from Find a Tender or Contracts Finder into a folder, page by
    page; a re-run resumes where the last stopped. Load the folder with `load contracts`."""
    from observatory.sources.harvest import HarvestError
    from observatory.sources.harvest import harvest as run_harvest

    try:
        result = run_harvest(
            source,
            out_dir,
            base_url=base_url,
            updated_from=updated_from,
            max_pages=max_pages,
            progress=lambda page: err.print(f"page {page.number}: {page.releases} releases"),
        )
    except (HarvestError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    summary = {
        "source": result.source,
        "out": str(result.out_dir),
        "pages": len(result.pages),
        "pages_fetched": result.pages_fetched,
        "releases_fetched": result.releases_fetched,
        "complete": result.complete,
    }
    if as_json:
        print_json(summary)
    else:
        state = "complete" if result.complete else "stopped early: run again to carry on"
        out.print(
            f"{result.pages_fetched} pages ({result.releases_fetched} releases) fetched "
            f"into {result.out_dir}; {state}."
        )


@app.command()
def organisations(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The network's members (from the organisations file)."""
    with open_warehouse(db) as warehouse:
        members = orgs.known(warehouse)
    rows = [m.__dict__ for m in members]
    if as_json:
        print_json({"organisations": rows})
        return
    table = Table(title="Members")
    for name in ("org_id", "name", "org_type", "ons_code", "identifier"):
        table.add_column(name)
    for m in members:
        table.add_row(m.org_id, m.name, m.org_type, m.ons_code or "", m.identifier or "")
    out.print(table)


@app.command()
def demo(
    real: Annotated[
        bool,
        typer.Option("--real", help="Load the real published files under ../shared/data instead."),
    ] = False,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Where the real data is [default: ../shared/data]."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load the demonstration network (generated, seeded) and print its status."""
    from observatory.demonstration import load_demo

    path = db or default_db_path()
    with open_warehouse(path) as warehouse:
        try:
            with ProgressBar("loading the demonstration network") as bar:
                receipts, errors = load_demo(warehouse, real=real, data_dir=data_dir, progress=bar)
        except LoadError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
        rows = reports.status(warehouse)
        classified = bool(warehouse.fetch_value("SELECT count(*) FROM line_categories"))
    if as_json:
        print_json(
            {
                "totals": totals(receipts),
                "errors": errors,
                "organisations": rows,
                "classified": classified,
            }
        )
        return
    t = totals(receipts)
    out.print(
        f"Loaded {t['files']} files: {t['rows_loaded']:,} rows loaded, "
        f"{t['rows_rejected']:,} rejected, {t['rows_duplicate']:,} duplicates."
    )
    for e in errors:
        err.print(f"[yellow]note:[/yellow] {e}")
    if not classified:
        err.print(
            "[yellow]note:[/yellow] spend lines are not classified: install ProClass "
            "(`observatory categories import proclass_17.csv`), then `observatory classify`."
        )
    status(db=path, as_json=False)


def _register_areas() -> None:
    """Each area of the product adds its own commands (they live next to their library code).
    Supplier resolution first: it creates the `suppliers` group that priority 1 adds to."""
    from observatory.classify.commands import register as register_classification
    from observatory.insight.commands import register_priority1
    from observatory.insight.outcomes_commands import register_priority2
    from observatory.publish.commands import load_payments_command
    from observatory.publish.commands import register as register_notices
    from observatory.resolve.commands import register as register_resolution
    from observatory.scale.commands import register as register_scale
    from observatory.store.commands import register as register_layout
    from observatory.web.commands import register as register_web

    register_resolution(app)
    register_classification(app)
    register_priority1(app)
    register_priority2(app)
    register_notices(app)
    load_app.command("payments")(load_payments_command)
    register_web(app)
    register_scale(app)
    register_layout(app)


_register_areas()


def main() -> None:  # pragma: no cover
    app()
