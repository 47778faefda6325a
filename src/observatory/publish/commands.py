"""`observatory notices …`, `observatory reference …` and `observatory load payments`: a few lines
around each library call. ``register(app)`` adds the sub-apps; ``load_payments_command`` is wired
under the existing ``load`` group by cli.py.

The shared pieces (options, opening the warehouse, JSON output, receipts, progress) come from
observatory.commandline.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from observatory.commandline import (
    DbOption,
    JsonOption,
    ProgressBar,
    err,
    fail,
    open_warehouse,
    out,
    print_json,
    print_receipts,
)

AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="The date to judge by (YYYY-MM-DD) [default: today].")
]


def _date(text: str | None, option: str, default: date | None = None) -> date:
    if text is None:
        if default is None:
            raise typer.BadParameter("a date is required", param_hint=option)
        return default
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)", param_hint=option) from exc


# -- load payments -------------------------------------------------------------------------------


def load_payments_command(
    paths: Annotated[
        list[str], typer.Argument(help="Accounts-payable extracts (CSV, XLSX), folders or zips.")
    ],
    org: Annotated[str, typer.Option("--org", help="The member whose invoices these are.")],
    field_map: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="FIELD=COLUMN for a layout the loader cannot map (COLUMN: header or 1-based "
            "number); remembered for the member.",
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load accounts-payable extracts (invoice number, supplier, invoice date, invoice received
    date, payment date, amount, disputed). Every row is loaded, rejected with a reason, or counted
    as a duplicate; a re-run adds nothing; a later extract fills in payment dates."""
    from observatory.sources.payments import load_payments
    from observatory.sources.receipt import LoadError

    errors: list[str] = []
    with open_warehouse(db) as warehouse:
        try:
            with ProgressBar("loading payments") as bar:
                receipts = load_payments(warehouse, paths, org, field_map or [], bar, errors)
        except (LoadError, ValueError) as exc:
            raise fail(str(exc)) from exc
    print_receipts(receipts, errors, as_json)
    if errors:
        raise typer.Exit(1)


# -- notices -------------------------------------------------------------------------------------


def _report_table(reports: list[Any], title: str) -> Table:
    table = Table(title=title)
    for name in ("notice", "ocid / release", "result", "errors and warnings"):
        table.add_column(name, overflow="fold")
    for r in reports:
        lines = [f"[red]error[/red] {f.message}  [dim]{f.path}[/dim]" for f in r.errors]
        warnings = r.warnings
        lines += [
            f"[yellow]warning[/yellow] {f.message}  [dim]{f.path}[/dim]" for f in warnings[:8]
        ]
        if len(warnings) > 8:
            lines.append(f"[dim]… {len(warnings) - 8} more warnings (see --json)[/dim]")
        result = "[green]passed[/green]" if r.passed else "[red]failed[/red]"
        table.add_row(r.notice_type or "-", f"{r.ocid}\n{r.release_id}", result, "\n".join(lines))
    return table


def draft_command(
    notice: Annotated[str, typer.Argument(help="UK1, UK7, UK9 or UK17.")],
    org: Annotated[str, typer.Option("--org", help="The member (id, name or alias).")],
    as_of: AsOfOption = None,
    out_path: Annotated[
        Path | None,
        typer.Option("--out", help="Write the release package here [default: stdout]."),
    ] = None,
    contract: Annotated[
        list[str] | None,
        typer.Option(
            "--contract", help="UK7/UK9: draft for this contract key (repeat for several)."
        ),
    ] = None,
    lead_months: Annotated[
        int | None,
        typer.Option(
            "--lead-months",
            help="UK1: months before a contract ends that its "
            "re-procurement is advertised [default: from the Act's data file].",
        ),
    ] = None,
    period_end: Annotated[
        str | None,
        typer.Option(
            "--period-end",
            help="UK17: the reporting period's last day (31 March or 30 "
            "September) [default: the latest ended by --as-of].",
        ),
    ] = None,
    approver: Annotated[
        str | None,
        typer.Option(
            "--approver",
            help="UK17: 'NAME, JOB TITLE' of the finance officer who approves the notice.",
        ),
    ] = None,
    save: Annotated[
        bool, typer.Option("--save/--no-save", help="Keep the draft in the warehouse.")
    ] = True,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Draft a notice from the warehouse as an OCDS 1.1 release package with the UK extension's
    fields, and validate it (schema and the Act's rules). Exit status 1 when it has errors."""
    from observatory.publish.notices import DraftError, draft_notice, save_draft
    from observatory.publish.schemas import SchemasMissing

    day = _date(as_of, "--as-of", date.today())
    end = _date(period_end, "--period-end") if period_end else None
    signer = None
    if approver:
        name, _, title = approver.partition(",")
        if not title.strip():
            raise typer.BadParameter("give 'NAME, JOB TITLE'", param_hint="--approver")
        signer = (name.strip(), title.strip())
    with open_warehouse(db) as warehouse:
        try:
            draft = draft_notice(
                warehouse,
                notice,
                org,
                day,
                contract_keys=contract or None,
                lead_months=lead_months,
                period_end=end,
                approver=signer,
            )
        except (DraftError, SchemasMissing, ValueError) as exc:
            raise fail(str(exc)) from exc
        if save:
            save_draft(warehouse, draft)
    text = json.dumps(draft.package, indent=2, ensure_ascii=False) + "\n"
    if out_path:
        out_path.write_text(text, encoding="utf-8")
    if as_json:
        print_json(
            {
                **draft.as_json(),
                "file": str(out_path) if out_path else None,
                **({} if out_path else {"package": draft.package}),
            }
        )
    else:
        if not out_path:
            sys.stdout.write(text)
        console = out if out_path else err
        for note in draft.notes:
            console.print(f"[dim]{note}[/dim]")
        console.print(_report_table(draft.reports, f"{draft.notice_type} draft: validation"))
        if out_path:
            console.print(f"wrote {len(draft.releases)} release(s) to {out_path}")
    if not draft.passed:
        raise typer.Exit(1)


def validate_command(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Release package files (JSON).")
    ] = None,
    loaded: Annotated[
        bool, typer.Option("--loaded", help="Also validate every release loaded in the warehouse.")
    ] = False,
    org: Annotated[
        str | None, typer.Option("--org", help="With --loaded: only this member's releases.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Validate notices offline against the OCDS 1.1.5 release schema with the UK extension, the
    codelists and the Act's rules; one report per notice. Exit status 1 when any has errors."""
    from observatory.publish.schemas import SchemasMissing, load_schemas
    from observatory.publish.validation import validate_file, validate_releases

    if not files and not loaded:
        raise typer.BadParameter("give release package files, or --loaded")
    try:
        schemas = load_schemas()
    except SchemasMissing as exc:
        raise fail(str(exc)) from exc
    reports = []
    for path in files or []:
        if not path.is_file():
            raise typer.BadParameter(f"{path}: no such file")
        reports += validate_file(path, schemas)
    if loaded:
        with open_warehouse(db, read_only=True) as warehouse:
            sql = "SELECT source_file, data FROM releases"
            params: list[Any] = []
            if org:
                sql += " WHERE organisation = ?"
                params.append(org)
            for row in warehouse.fetch(sql + " ORDER BY source_file, source_line", params):
                release = json.loads(row["data"])
                reports += validate_releases([release], str(row["source_file"]), schemas)
    failed = [r for r in reports if not r.passed]
    if as_json:
        print_json(
            {
                "notices": len(reports),
                "passed": len(reports) - len(failed),
                "failed": len(failed),
                "reports": [r.as_json() for r in reports],
            }
        )
    else:
        shown = failed if len(reports) > 20 else reports
        if shown:
            out.print(
                _report_table(
                    shown, "Notice validation" + (" (failures)" if shown is failed else "")
                )
            )
        out.print(
            f"{len(reports)} notices: {len(reports) - len(failed)} passed, {len(failed)} failed"
        )
    if failed:
        raise typer.Exit(1)


def duties_command(
    org: Annotated[str | None, typer.Option("--org", help="Only this member.")] = None,
    as_of: AsOfOption = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            help="Only these statuses (overdue, due, done, old regime, not required, unknown).",
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Which notices are due, overdue or done, per member and contract, as of a date."""
    from observatory.publish.duties import duties, summary

    day = _date(as_of, "--as-of", date.today())
    with open_warehouse(db) as warehouse:
        try:
            rows = duties(warehouse, org, day)
        except ValueError as exc:
            raise fail(str(exc)) from exc
    counts = summary(rows)
    if status:
        rows = [r for r in rows if r.status in status]
    if as_json:
        print_json(
            {"as_of": day.isoformat(), "summary": counts, "duties": [r.as_json() for r in rows]}
        )
        return
    table = Table(title=f"Procurement Act duties as of {day:%d %B %Y}")
    for name in ("organisation", "notice", "subject", "status", "due", "why"):
        table.add_column(name, overflow="fold")
    colour = {"overdue": "red", "due": "yellow", "done": "green"}
    for r in rows:
        shade = colour.get(r.status)
        state = f"[{shade}]{r.status}[/{shade}]" if shade else r.status
        why = r.reason + (f" [dim](draft {r.draft})[/dim]" if r.draft else "")
        table.add_row(
            r.organisation, r.notice, r.subject[:70], state, r.due.isoformat() if r.due else "", why
        )
    out.print(table)
    out.print(
        f"{counts['total']} duties: "
        + ", ".join(f"{n} {s}" for s, n in counts["by_status"].items())
    )


def quality_command(
    org: Annotated[
        str | None, typer.Option("--org", help="Only releases loaded for this member.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Data-quality checks on loaded notices, counted per publisher: suppliers without
    identifiers, values without currency, dates out of order, notices without a code."""
    from observatory.publish.quality import CHECKS, notice_quality, totals

    with open_warehouse(db, read_only=True) as warehouse:
        rows = notice_quality(warehouse, org)
    if as_json:
        print_json({"totals": totals(rows), "publishers": [r.as_json() for r in rows]})
        return
    table = Table(title="Notice data quality by publisher")
    table.add_column("publisher", overflow="fold")
    table.add_column("releases", justify="right")
    for check in CHECKS:
        table.add_column(check, justify="right")
    for r in rows:
        table.add_row(r.publisher, str(r.releases), *(str(r.counts[c]) for c in CHECKS))
    t = totals(rows)
    table.add_row("total", str(t["releases"]), *(str(t[c]) for c in CHECKS))
    out.print(table)


# -- member-entered records ---------------------------------------------------------------------


def pipeline_add_command(
    org: Annotated[str, typer.Option("--org", help="The member.")],
    title: Annotated[str, typer.Option("--title", help="What will be procured.")],
    value: Annotated[str, typer.Option("--value", help="Estimated value in pounds.")],
    advert: Annotated[
        str, typer.Option("--advert", help="Expected date of the tender or transparency notice.")
    ],
    includes_vat: Annotated[
        bool, typer.Option("--includes-vat/--net", help="Whether --value includes VAT.")
    ] = False,
    start: Annotated[str | None, typer.Option("--start", help="Expected contract start.")] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="goods, services or works.")
    ] = None,
    cpv: Annotated[str | None, typer.Option("--cpv", help="Main CPV code.")] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a procurement the member expects to advertise (for the UK1 pipeline notice)."""
    from observatory.publish import facts
    from observatory.publish.records import add_pipeline_entry

    try:
        amount = Decimal(value.replace(",", "").replace("£", ""))
    except ArithmeticError as exc:
        raise typer.BadParameter(f"{value!r} is not an amount", param_hint="--value") from exc
    with open_warehouse(db) as warehouse:
        try:
            member = facts.member(warehouse, org)
            entry = add_pipeline_entry(
                warehouse,
                member.org_id,
                title,
                amount,
                _date(advert, "--advert"),
                includes_vat=includes_vat,
                description=description,
                expected_start=_date(start, "--start") if start else None,
                category=category,
                cpv_code=cpv,
            )
        except ValueError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json({"entry_id": entry, "organisation": member.org_id})
    else:
        out.print(f"pipeline entry {entry} added for {member.org_id}")


def pipeline_list_command(
    org: Annotated[str | None, typer.Option("--org", help="Only this member.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The pipeline entries members have added."""

    with open_warehouse(db, read_only=True) as warehouse:
        sql = "SELECT * FROM pipeline_entries"
        rows = warehouse.fetch(
            sql + (" WHERE organisation = ?" if org else "") + " ORDER BY organisation, entry_id",
            [org] if org else [],
        )
    if as_json:
        print_json({"entries": rows})
        return
    table = Table(title="Pipeline entries")
    for name in ("id", "organisation", "title", "value", "incl. VAT", "advert", "start"):
        table.add_column(name)
    for r in rows:
        table.add_row(
            str(r["entry_id"]),
            r["organisation"],
            r["title"],
            f"{r['value_amount']:,.2f}",
            "yes" if r["value_includes_vat"] else "no",
            str(r["expected_advert"]),
            str(r["expected_start"] or ""),
        )
    out.print(table)


def kpi_add_command(
    contract: Annotated[str, typer.Option("--contract", help="The contract key.")],
    title: Annotated[str, typer.Option("--title", help="The KPI.")],
    description: Annotated[str | None, typer.Option("--description")] = None,
    target: Annotated[str | None, typer.Option("--target", help="The level agreed.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a KPI set for a contract (at least three for a contract of £5m or more)."""
    from observatory.publish.records import add_kpi

    with open_warehouse(db) as warehouse:
        try:
            kpi_id = add_kpi(warehouse, contract, title, description=description, target=target)
        except ValueError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json({"kpi_id": kpi_id, "contract_key": contract})
    else:
        out.print(f"KPI {kpi_id} added to {contract}")


def kpi_rate_command(
    kpi_id: Annotated[int, typer.Argument(help="The KPI's id (see `notices kpi list`).")],
    rating: Annotated[
        str,
        typer.Option(
            "--rating",
            help="met, slightlyBelow, below, "
            "significantlyBelow, other (or good, approaching target, requires "
            "improvement, inadequate).",
        ),
    ],
    period_from: Annotated[str, typer.Option("--from", help="First day the rating covers.")],
    period_to: Annotated[str, typer.Option("--to", help="Last day the rating covers.")],
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a KPI's rating for a period (for the UK9 contract performance notice)."""
    from observatory.publish.records import add_rating

    with open_warehouse(db) as warehouse:
        try:
            code = add_rating(
                warehouse,
                kpi_id,
                _date(period_from, "--from"),
                _date(period_to, "--to"),
                rating,
                notes,
            )
        except ValueError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json({"kpi_id": kpi_id, "rating": code})
    else:
        out.print(f"KPI {kpi_id} rated {code}")


def kpi_list_command(
    org: Annotated[str | None, typer.Option("--org", help="Only this member's contracts.")] = None,
    contract: Annotated[str | None, typer.Option("--contract", help="Only this contract.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """KPIs and their latest ratings."""

    where, params = [], []
    if org:
        where.append("k.organisation = ?")
        params.append(org)
    if contract:
        where.append("k.contract_key = ?")
        params.append(contract)
    sql = (
        "SELECT k.kpi_id, k.contract_key, k.title, k.target, r.period_end, r.rating "
        "FROM contract_kpis k LEFT JOIN (SELECT * FROM kpi_ratings QUALIFY row_number() OVER "
        "(PARTITION BY kpi_id ORDER BY period_end DESC) = 1) r USING (kpi_id)"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY k.contract_key, k.kpi_id"
    )
    with open_warehouse(db, read_only=True) as warehouse:
        rows = warehouse.fetch(sql, params)
    if as_json:
        print_json({"kpis": rows})
        return
    table = Table(title="KPIs")
    for name in ("id", "contract", "title", "target", "latest rating", "period end"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(
            str(r["kpi_id"]),
            r["contract_key"],
            r["title"],
            r["target"] or "",
            r["rating"] or "",
            str(r["period_end"] or ""),
        )
    out.print(table)


# -- reference -------------------------------------------------------------------------------------


def fetch_command(
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            help="Install here [default: $OBSERVATORY_SCHEMAS or the per-user data folder].",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Download the OCDS 1.1.5 schemas and the UK extension (with the extensions it depends on)
    into the schema folder. The only command that goes online; nothing else downloads."""
    from observatory.publish.reference import FetchError, fetch_reference
    from observatory.publish.schemas import schema_dir

    target = directory or schema_dir()
    try:
        result = fetch_reference(target)
    except (FetchError, OSError) as exc:
        raise fail(f"{exc} (is this machine online?)") from exc
    if as_json:
        print_json(
            {
                "directory": str(result.directory),
                "files": result.files,
                "extensions": result.extensions,
            }
        )
    else:
        out.print(
            f"installed {result.files} files in {result.directory}: OCDS 1.1.5 and "
            f"{', '.join(result.extensions)}"
        )
        if directory and directory != schema_dir():
            out.print(f"set OBSERVATORY_SCHEMAS={directory} so that validation reads them")


def status_command(as_json: JsonOption = False) -> None:
    """Where the schemas are read from, and whether they are installed."""
    from observatory.publish.schemas import SchemasMissing, load_schemas, schema_dir

    try:
        schemas = load_schemas()
        installed, detail = True, ", ".join(schemas.extensions)
    except SchemasMissing as exc:
        installed, detail = False, str(exc)
    if as_json:
        print_json({"directory": str(schema_dir()), "installed": installed, "detail": detail})
    else:
        state = "installed" if installed else "[red]not installed[/red]"
        out.print(f"schema folder {schema_dir()}: {state}\n{detail}")
    if not installed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `notices` and `reference` to the main app."""
    notices = typer.Typer(
        help="Procurement Act 2023 notices: draft, validate, track duties, check quality.",
        no_args_is_help=True,
    )
    notices.command("draft")(draft_command)
    notices.command("validate")(validate_command)
    notices.command("duties")(duties_command)
    notices.command("quality")(quality_command)
    pipeline = typer.Typer(
        help="Procurements a member expects to advertise (UK1).", no_args_is_help=True
    )
    pipeline.command("add")(pipeline_add_command)
    pipeline.command("list")(pipeline_list_command)
    notices.add_typer(pipeline, name="pipeline")
    kpi = typer.Typer(help="Contract KPIs and their ratings (UK7, UK9).", no_args_is_help=True)
    kpi.command("add")(kpi_add_command)
    kpi.command("rate")(kpi_rate_command)
    kpi.command("list")(kpi_list_command)
    notices.add_typer(kpi, name="kpi")
    app.add_typer(notices, name="notices")
    reference = typer.Typer(
        help="Reference material installed once by the user (OCDS schemas).", no_args_is_help=True
    )
    reference.command("fetch")(fetch_command)
    reference.command("status")(status_command)
    app.add_typer(reference, name="reference")
