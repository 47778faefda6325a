"""Command line for supplier resolution: ``resolve``, ``evaluate suppliers``, ``suppliers …``
and ``reference import-postcodes``. ``register(app)`` adds them to the main Typer app."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from observatory.commandline import (
    DbOption,
    EngineOption,
    JsonOption,
    SparkMasterOption,
    err,
    fail,
    open_warehouse,
    out,
    print_json,
    sub_app,
)
from observatory.store import default_db_path

ThreadsOption = Annotated[
    int | None, typer.Option("--threads", help="DuckDB threads for splink [default: all cores].")
]


# -- resolve -------------------------------------------------------------------------------------
def resolve_cmd(
    retrain: Annotated[
        bool,
        typer.Option(
            "--retrain/--keep-model",
            help="Train the model on the names now in the warehouse (default), or score with "
            "the model of the last run.",
        ),
    ] = True,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", help="Match probability a model link needs [default: 0.8]."),
    ] = None,
    threads: ThreadsOption = None,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Link every supplier name in spend lines, contracts and notices into supplier entities
    (splink on DuckDB, or with --engine spark the same model scored by splink on Spark); keeps
    existing ids and people's merges and splits; fills spend_lines.supplier_id and
    contract_suppliers.supplier_id."""
    from observatory.resolve import linkage
    from observatory.resolve.entities import summary
    from observatory.resolve.suppliers import resolve
    from observatory.store.engine import default_engine

    scorer = None
    if (engine or default_engine()).lower() == "spark":
        from observatory.resolve.spark_linkage import scorer as spark_scorer
        from observatory.store.spark import spark_session

        scorer = spark_scorer(spark_session(spark_master))
    with open_warehouse(db) as warehouse, err.status("resolving suppliers") as status:
        result = resolve(
            warehouse,
            retrain=retrain,
            threshold=threshold if threshold is not None else linkage.LINK_THRESHOLD,
            threads=threads,
            progress=lambda step: status.update(step),
            scorer=scorer,
        )
        counts = summary(warehouse)
    if as_json:
        print_json({**result.as_json(), "summary": counts})
        return
    out.print(
        f"{result.records:,} supplier records ({counts['raw_names']:,} published names) -> "
        f"[bold]{result.entities:,} suppliers[/bold]; {counts['shared_entities']:,} used by two "
        f"or more members."
    )
    out.print(
        f"ids: {result.kept_ids:,} kept, {result.new_ids:,} new, {result.retired_ids:,} retired; "
        "links used: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(result.links_used.items()))
        + f"; {result.links_refused:,} refused for conflicting identifiers; "
        f"{result.identifiers_doubted:,} identifiers doubted (one publisher gave them to unrelated "
        "names)."
    )
    for note in result.model_notes:
        out.print(f"[dim]model: {note}[/dim]")
    out.print(f"[dim]{result.seconds['total']:.1f} s[/dim]")


# -- evaluate ------------------------------------------------------------------------------------
def evaluate_suppliers_cmd(
    gold: Annotated[
        Path | None,
        typer.Option(
            "--gold",
            help="Names with the company numbers their publishers gave "
            "(labels/supplier_company_numbers.csv).",
        ),
    ] = None,
    judgements: Annotated[
        Path | None,
        typer.Option("--judgements", help="A person's verdicts on --gold disagreements (CSV)."),
    ] = None,
    vat_gold: Annotated[
        bool,
        typer.Option(
            "--vat-gold", help="Also score on names that share a VAT number in the spend lines."
        ),
    ] = False,
    vat_judgements: Annotated[
        Path | None,
        typer.Option("--vat-judgements", help="Verdicts on the VAT set's disagreements (CSV)."),
    ] = None,
    retrain: Annotated[
        bool,
        typer.Option(
            "--retrain", help="Train on the gold names instead of using the network's model."
        ),
    ] = False,
    as_resolved: Annotated[
        bool,
        typer.Option(
            "--as-resolved",
            help="Score the warehouse's own resolution of the gold names (identifiers and all: "
            "how they are weighed, not a test of the names) instead of resolving the names alone.",
        ),
    ] = False,
    show: Annotated[
        int, typer.Option("--show", help="Disagreements to list per set (0: none, -1: all).")
    ] = 40,
    threads: ThreadsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Pairwise and per-cluster precision, recall and F1 of supplier resolution against
    published identifiers; the names are resolved without them (--as-resolved: as the
    warehouse resolved them). Lists the disagreements."""
    from observatory.resolve import evaluation as ev
    from observatory.resolve.suppliers import stored_model

    if gold is None and not vat_gold:
        raise typer.BadParameter("give --gold FILE and/or --vat-gold")
    path = db or default_db_path()
    if not path.exists() and (vat_gold or as_resolved):
        flag = "--vat-gold" if vat_gold else "--as-resolved"
        raise typer.BadParameter(f"{path} does not exist: {flag} needs a warehouse")
    if gold is not None and not gold.is_file():
        raise typer.BadParameter(f"{gold}: no such file", param_hint="--gold")
    results = []
    with contextlib.ExitStack() as stack:
        # One read-only connection: the model, the VAT set and (--as-resolved) the suppliers.
        warehouse = (
            stack.enter_context(open_warehouse(path, read_only=True)) if path.exists() else None
        )
        model = stored_model(warehouse) if warehouse is not None and not retrain else None
        sets: list[tuple[str, list[ev.GoldItem], Path | None]] = []
        if gold is not None:
            sets.append(
                (f"company numbers ({gold.name})", ev.company_number_gold(gold), judgements)
            )
        if warehouse is not None and vat_gold:
            sets.append(("VAT numbers (spend lines)", ev.vat_gold(warehouse), vat_judgements))
        if model is None and not retrain and not as_resolved:
            err.print(
                "[yellow]no trained model in the warehouse (run `observatory resolve`): training "
                "on the gold names themselves[/yellow]"
            )
        with err.status("resolving the gold names"):
            for name, items, judged in sets:
                try:
                    verdicts = ev.read_judgements(judged)
                except (OSError, ValueError) as exc:
                    raise fail(exc) from exc
                network = warehouse if as_resolved else None
                results.append(
                    ev.evaluate(name, items, model, verdicts, threads=threads, network=network)
                )
    pooled = ev.pooled_pairs(r.judged for r in results) if len(results) > 1 else None
    if as_json:
        print_json(
            {"evaluations": [r.as_json() for r in results]}
            | ({"pooled_judged_pairs": pooled} if pooled else {})
        )
        return
    for r in results:
        _print_evaluation(r, show)
    if pooled:
        out.print(
            f"\n[bold]judged sets together[/bold]: {pooled['pairs_correct']} of "
            f"{pooled['pairs_true']} judged pairs found, {pooled['pairs_predicted']} predicted: "
            f"pairs P {pooled['precision']:.3f}, R {pooled['recall']:.3f}, F1 {pooled['f1']:.3f}"
        )


def _print_evaluation(r: Any, show: int) -> None:
    out.print(f"\n[bold]{r.gold}[/bold]: {r.items:,} names ({r.model})")
    table = Table()
    for col in ("", "pairs P", "pairs R", "pairs F1", "B³ P", "B³ R", "B³ F1", "clusters"):
        table.add_column(col, justify="left" if not col else "right")
    for label, s in (("as published", r.raw), ("judged", r.judged)):
        table.add_row(
            label,
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            f"{s.f1:.3f}",
            f"{s.bcubed_precision:.3f}",
            f"{s.bcubed_recall:.3f}",
            f"{s.bcubed_f1:.3f}",
            f"{s.clusters_exact}/{s.clusters_true} exact, {s.clusters_pure}/"
            f"{s.clusters_predicted} pure",
        )
    out.print(table)
    listed = r.disagreements if show < 0 else r.disagreements[:show]
    unjudged = sum(1 for d in r.disagreements if d["verdict"] is None)
    out.print(f"{len(r.disagreements)} disagreements ({unjudged} not judged)")
    for d in listed:
        verdict = f"judged {d['verdict']}: {d['judged_reason']}" if d["verdict"] else "not judged"
        out.print(
            f"  {d['kind']}: {d['name_a']!r} ({d['gold_a']}) / {d['name_b']!r} ({d['gold_b']})"
            f"\n    {d['link']}\n    [dim]{verdict}[/dim]"
        )


# -- suppliers -----------------------------------------------------------------------------------
def merge_cmd(
    keep: Annotated[str, typer.Argument(help="The supplier id to keep.")],
    other: Annotated[str, typer.Argument(help="The supplier id merged into it.")],
    note: Annotated[str | None, typer.Option("--note", help="Why (kept with the merge).")] = None,
    made_by: Annotated[str | None, typer.Option("--by", help="Who decided.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Merge two suppliers into one; the decision is stored and replayed by every resolve."""
    from observatory.resolve.corrections import CorrectionError, merge

    with open_warehouse(db) as warehouse:
        try:
            c = merge(warehouse, keep, other, note, made_by)
        except CorrectionError as exc:
            raise fail(exc) from exc
    if as_json:
        print_json(c.__dict__)
    else:
        out.print(
            f"merged {c.other_id} into {c.supplier_id} ({c.records_moved} records); "
            f"correction {c.override_id} is kept for every later `observatory resolve`."
        )


def split_cmd(
    supplier: Annotated[str, typer.Argument(help="The supplier id to split.")],
    alias: Annotated[
        list[str],
        typer.Option("--alias", help="A name as published to move out (repeat for several)."),
    ],
    org: Annotated[
        str | None, typer.Option("--org", help="Only that member's records of those names.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Why (kept with the split).")] = None,
    made_by: Annotated[str | None, typer.Option("--by", help="Who decided.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move names out of a supplier into a new one; stored and replayed by every resolve."""
    from observatory.resolve.corrections import CorrectionError, split

    with open_warehouse(db) as warehouse:
        try:
            c = split(warehouse, supplier, alias, org, note, made_by)
        except CorrectionError as exc:
            raise fail(exc) from exc
    if as_json:
        print_json(c.__dict__)
    else:
        out.print(
            f"moved {c.records_moved} records out of {c.supplier_id} into {c.other_id}; "
            f"correction {c.override_id} is kept for every later `observatory resolve`."
        )


def show_cmd(
    supplier: Annotated[str, typer.Argument(help="Supplier id (an old, merged id also works).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """A supplier: its identifiers, legal form, flags and location with their evidence, and
    every alias with the members that used it and why it belongs (the match weights)."""
    from observatory.resolve.corrections import CorrectionError
    from observatory.resolve.entities import describe

    with open_warehouse(db, read_only=True) as warehouse:
        try:
            d = describe(warehouse, supplier)
        except CorrectionError as exc:
            raise fail(exc) from exc
    if as_json:
        print_json(d)
        return
    s = d["supplier"]
    if d["asked_for"].upper() != s["supplier_id"]:
        out.print(f"[yellow]{d['asked_for']} was merged into {s['supplier_id']}[/yellow]")
    flag = {True: "yes", False: "no", None: "not stated"}
    out.print(f"[bold]{s['supplier_id']}  {s['canonical_name']}[/bold]")
    out.print(
        f"legal form: {s['legal_form']}; identifiers: {', '.join(s['identifiers'] or []) or '-'};"
        f" VAT: {', '.join(s['vat_numbers'] or []) or '-'}"
    )
    out.print(
        f"SME: {flag[s['is_sme']]}; VCSE: {flag[s['is_vcse']]}; postcode: {s['postcode'] or '-'}"
        f" ({s['district_name'] or s['district_code'] or 'district unknown'});"
        f" SIC: {', '.join(s['sic_codes'] or []) or '-'}"
    )
    spend = f"£{s['spend_amount']:,.2f}" if s["spend_amount"] is not None else "-"
    out.print(
        f"used by: {', '.join(s['buyers'] or []) or '-'}; spend lines: {s['spend_lines'] or 0:,};"
        f" spend: {spend}"
    )
    table = Table(title="aliases and why each is here")
    for col in ("name as published", "used by", "source", "lines", "why"):
        table.add_column(col, overflow="fold")
    for a in d["aliases"]:
        ids = ", ".join(
            x for x in (a["company_number"], a["charity_number"], a["vat_number"], a["ppon"]) if x
        )
        table.add_row(
            a["supplier_name"] + (f" [{ids}]" if ids else ""),
            a["organisation"] or "",
            a["source"],
            f"{a['lines']:,}",
            a["why"],
        )
    out.print(table)
    if d["evidence"]:
        ev = Table(title="evidence")
        for col in ("attribute", "value", "source"):
            ev.add_column(col, overflow="fold")
        for e in d["evidence"]:
            ev.add_row(e["attribute"], str(e["value"]), e["source"])
        out.print(ev)
    for r in d["refused_links"]:
        out.print(
            f"[dim]kept apart from {r['other_id']} ({r['name_there']!r}): {r['refused']}; "
            f"{r['detail']}[/dim]"
        )
    for c in d["corrections"]:
        out.print(
            f"[dim]correction {c['override_id']}: {c['action']} {c['supplier_id']} / "
            f"{c['other_id']} ({c['records']} records) {c['note'] or ''}[/dim]"
        )
    for f in d["former_ids"]:
        out.print(f"[dim]former id {f['old_id']}: {f['reason']}[/dim]")


def list_cmd(
    search: Annotated[
        str | None, typer.Option("--search", help="Name (or alias) contains this.")
    ] = None,
    member: Annotated[str | None, typer.Option("--member", help="Used by this member.")] = None,
    shared: Annotated[
        bool, typer.Option("--shared", help="Only suppliers used by two or more members.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many (0: all).")] = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Suppliers by spend, with their legal form, identifiers and the members that use them."""
    from observatory.resolve.entities import listing

    with open_warehouse(db, read_only=True) as warehouse:
        rows = listing(warehouse, search, member, shared, limit or None)
    if as_json:
        print_json({"suppliers": rows})
        return
    table = Table(title=f"{len(rows)} suppliers")
    for col in ("id", "name", "legal form", "identifiers", "members", "aliases", "£ spend"):
        table.add_column(col, overflow="fold", justify="right" if col == "£ spend" else "left")
    for r in rows:
        table.add_row(
            r["supplier_id"],
            r["canonical_name"],
            r["legal_form"],
            ", ".join(r["identifiers"] or []),
            ", ".join(r["organisations"] or []),
            str(r["aliases"]),
            f"{r['spend_amount']:,.2f}" if r["spend_amount"] is not None else "",
        )
    out.print(table)


def summary_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Published supplier names, records and suppliers across all loaded data."""
    from observatory.resolve.entities import summary

    with open_warehouse(db, read_only=True) as warehouse:
        counts = summary(warehouse)
    if as_json:
        print_json(counts)
        return
    for k, v in counts.items():
        out.print(f"{k}: {v:,}" if isinstance(v, int | Decimal) else f"{k}: {v}")


def match_cmd(
    file: Annotated[Path, typer.Argument(help="A CSV with a column of supplier names.")],
    column: Annotated[str, typer.Option("--column", help="The column holding the names.")],
    out_path: Annotated[Path, typer.Option("--out", help="CSV to write.")],
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", help="Match probability needed [default: 0.8]."),
    ] = None,
    threads: ThreadsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Match your own supplier list against the network's suppliers: adds supplier_id,
    canonical_name, match_probability and match_reason to every row."""
    from observatory.resolve import linkage
    from observatory.resolve.matching import MatchError, match_file

    if not file.is_file():
        raise typer.BadParameter(f"{file}: no such file")
    with open_warehouse(db) as warehouse:
        try:
            report = match_file(
                warehouse,
                file,
                column,
                out_path,
                threshold if threshold is not None else linkage.LINK_THRESHOLD,
                threads,
            )
        except MatchError as exc:
            raise fail(exc) from exc
    if as_json:
        print_json({"file": str(out_path), **report.__dict__})
    else:
        out.print(
            f"matched {report.matched_rows:,} of {report.rows:,} rows ({report.names:,} distinct "
            f"names) -> {out_path}"
        )


def _import(kind: str, paths: list[Path], db: Path | None, as_json: bool, **extra: Any) -> None:
    from observatory.resolve import registers

    for p in paths:
        if not p.is_file():
            raise typer.BadParameter(f"{p}: no such file")
    action = {
        "companies": registers.import_companies,
        "charities": registers.import_charities,
        "postcodes": registers.import_postcodes,
    }[kind]
    with open_warehouse(db) as warehouse, err.status(f"importing {kind}"):
        try:
            n = action(warehouse, paths, **extra)
        except (registers.RegisterError, OSError) as exc:
            raise fail(exc) from exc
    if as_json:
        print_json({"register": kind, "rows": n, "files": [str(p) for p in paths]})
    else:
        out.print(f"imported {n:,} {kind}; run `observatory resolve` to attach them to suppliers.")


def import_companies_cmd(
    files: Annotated[
        list[Path], typer.Argument(help="BasicCompanyData CSV files (or the zips they come in).")
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import Companies House "Basic Company Data": number, name, status, category,
    registered-office postcode, SIC codes, incorporation date, previous names."""
    _import("companies", files, db, as_json)


def import_charities_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(help="publicextract.charity.txt or .json (or the zip it comes in)."),
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import the Charity Commission register extract (main charities): number, name, status,
    type, CIO, company number, contact postcode, registration dates, latest income."""
    _import("charities", files, db, as_json)


def import_postcodes_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="ONS postcode directory (ONSPD/NSPL) CSV, or any CSV with a postcode "
            "and a local-authority district code."
        ),
    ],
    names: Annotated[
        Path | None,
        typer.Option("--names", help="CSV of district codes and names (LADnnCD, LADnnNM)."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a postcode -> local-authority district lookup (used for suppliers' districts)."""
    _import("postcodes", files, db, as_json, names=names)


def register(app: typer.Typer) -> None:
    """Add ``resolve``, ``evaluate suppliers``, ``suppliers …`` and
    ``reference import-postcodes`` to the main app."""
    app.command("resolve")(resolve_cmd)
    evaluate = sub_app(app, "evaluate", "Measure the warehouse's derived data against labels.")
    evaluate.command("suppliers")(evaluate_suppliers_cmd)
    suppliers = typer.Typer(
        help="Supplier entities: show, list, match, correct, and import registers.",
        no_args_is_help=True,
    )
    app.add_typer(suppliers, name="suppliers")
    suppliers.command("show")(show_cmd)
    suppliers.command("list")(list_cmd)
    suppliers.command("summary")(summary_cmd)
    suppliers.command("match")(match_cmd)
    suppliers.command("merge")(merge_cmd)
    suppliers.command("split")(split_cmd)
    suppliers.command("import-companies-house")(import_companies_cmd)
    suppliers.command("import-charities")(import_charities_cmd)
    reference = sub_app(app, "reference", "Reference data the user installs from official files.")
    reference.command("import-postcodes")(import_postcodes_cmd)
