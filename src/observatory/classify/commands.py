"""Command line for categories: ``classify``, ``categories import|list|set`` and
``evaluate classification``. ``register(app)`` adds them to the main Typer app."""

from __future__ import annotations

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

SchemeOption = Annotated[str, typer.Option("--scheme", help="proclass, cpv, sic or sic_group.")]


def _pct(x: float | None) -> str:
    return "-" if x is None or x != x else f"{x:.1%}"


def _clean(data: Any) -> Any:
    """NaN (a score over no lines) becomes null in --json output."""
    if isinstance(data, float) and data != data:
        return None
    if isinstance(data, dict):
        return {k: _clean(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_clean(v) for v in data]
    return data


# -- classify ------------------------------------------------------------------------------------
def classify_cmd(
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Give every spend line and contract a ProClass category, and every contract a CPV code,
    with a calibrated confidence and a reason. Published codes and people's decisions are kept
    and learnt from. With --engine spark the model is fitted here and the lines are scored in
    parallel on Spark."""
    from observatory.classify.classification import ClassificationError, classify
    from observatory.store.engine import default_engine

    predict = None
    if (engine or default_engine()).lower() == "spark":
        from observatory.classify.spark_scoring import predictor
        from observatory.store.spark import spark_session

        predict = predictor(spark_session(spark_master))
    with open_warehouse(db) as warehouse, err.status("classifying") as status:
        try:
            result = classify(warehouse, progress=lambda step: status.update(step), predict=predict)
        except ClassificationError as exc:
            raise fail(exc) from exc
    if as_json:
        print_json(_clean(result.as_json()))
        return
    out.print(
        f"[bold]{result.lines:,} spend lines[/bold] classified in {result.seconds:.1f} s, "
        f"learning from {result.training_lines:,} labelled lines and "
        f"{result.training_contracts:,} labelled contracts."
    )
    out.print(
        "lines by source: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(result.lines_by_source.items()))
        + f"; {result.confident_share:.1%} of model-classified lines have confidence >= 0.9"
    )
    for scheme, counts in sorted(result.contracts_by_source.items()):
        out.print(
            f"contracts, {scheme}: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items()))
        )
    if result.extended_codes:
        out.print(
            f"{len(result.extended_codes)} ProClass codes seen in labelled data but not in the "
            "installed list were added (`observatory categories list --extended`)."
        )
    _print_reliability("Calibration hold-out (latest labelled lines)", result.calibration)
    for note in result.notes:
        out.print(f"[yellow]note:[/yellow] {note}")


def _print_reliability(title: str, bins: list[Any]) -> None:
    table = Table(title=title)
    for name in ("confidence", "lines", "mean confidence", "accuracy"):
        table.add_column(name, justify="right")
    for b in bins:
        table.add_row(
            f"{b.low:.2f}-{b.high:.2f}",
            f"{b.lines:,}",
            f"{b.mean_confidence:.3f}",
            f"{b.accuracy:.3f}",
        )
    out.print(table)


# -- categories ----------------------------------------------------------------------------------
def import_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Official code lists: ProClass (proclass_17.csv), CPV 2008 (cpv_codes.csv), "
            "Companies House SIC (CoSicCode.csv), DEFRA factor table (its SIC groups)."
        ),
    ],
    scheme: Annotated[
        str | None,
        typer.Option("--scheme", help="proclass, cpv, sic or sic_group [default: from the header]"),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Install category code lists from the official files (nothing is downloaded)."""
    from observatory.classify.categories import CodeListError, import_code_list

    results = []
    with open_warehouse(db) as warehouse:
        for f in files:
            if not f.is_file():
                raise fail(FileNotFoundError(f"{f}: no such file"))
            try:
                results.append(import_code_list(warehouse, f, scheme))
            except CodeListError as exc:
                raise fail(exc) from exc
    if as_json:
        print_json({"imported": [r.as_json() for r in results]})
        return
    for r in results:
        out.print(f"{r.file}: {r.codes:,} {r.scheme} codes installed")
        for note in r.notes:
            out.print(f"  [dim]{note}[/dim]")


def list_cmd(
    scheme: SchemeOption = "proclass",
    search: Annotated[
        str | None, typer.Option("--search", help="Only codes whose label or code contains this.")
    ] = None,
    extended: Annotated[
        bool, typer.Option("--extended", help="Only ProClass codes added from labelled data.")
    ] = False,
    show_decisions: Annotated[
        bool, typer.Option("--decisions", help="List people's decisions instead of codes.")
    ] = False,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many rows.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Codes of a scheme with the spend lines and £ classified to each (or, with --decisions,
    every decision people have made)."""
    from observatory.classify.corrections import decisions

    with open_warehouse(db) as warehouse:
        if show_decisions:
            rows = decisions(warehouse)
        else:
            sql = """
                SELECT c.code, c.label, c.level1, c.origin, c.note,
                       coalesce(s.sic_group, '') AS sic_group,
                       coalesce(n.lines, 0) AS lines, coalesce(n.amount, 0) AS amount
                FROM category_codes c
                LEFT JOIN proclass_sic_groups s ON c.scheme = 'proclass' AND s.code = c.code
                LEFT JOIN (
                    SELECT category_code AS code, count(*) AS lines, sum(amount) AS amount
                    FROM spend_lines WHERE category_scheme = ? GROUP BY 1
                ) n ON n.code = c.code
                WHERE c.scheme = ?
            """
            params: list[Any] = [scheme, scheme]
            if search:
                sql += (
                    " AND (c.code LIKE ? OR concat_ws(' ', c.label, c.level1, c.level2, c.level3)"
                    " ILIKE ?)"
                )
                params += [f"{search}%", f"%{search}%"]
            if extended:
                sql += " AND c.origin LIKE 'seen in labelled data%'"
            sql += " ORDER BY c.code"
            if limit:
                sql += f" LIMIT {int(limit)}"
            rows = warehouse.fetch(sql, params)
    if as_json:
        print_json({"decisions" if show_decisions else "codes": rows})
        return
    table = Table(title="Decisions" if show_decisions else f"{scheme} codes")
    columns = (
        (
            "decision_id",
            "decided_at",
            "target",
            "target_text",
            "scheme",
            "code",
            "label",
            "decided_by",
            "note",
        )
        if show_decisions
        else ("code", "label", "level1", "sic_group", "lines", "amount")
    )
    for name in columns:
        table.add_column(
            name, overflow="fold", justify="right" if name in ("lines", "amount") else "left"
        )
    for r in rows:
        table.add_row(
            *(
                f"{r[c]:,.2f}"
                if c == "amount"
                else f"{r[c]:,}"
                if c == "lines"
                else str(r[c] or "")
                for c in columns
            )
        )
    out.print(table)


def set_cmd(
    code: Annotated[
        str, typer.Argument(help="The category code (ProClass, or CPV with --scheme cpv).")
    ],
    line: Annotated[str | None, typer.Option("--line", help="A spend line's line_key.")] = None,
    supplier: Annotated[
        str | None,
        typer.Option("--supplier", help="A supplier_id, or a supplier name as published."),
    ] = None,
    contract: Annotated[
        str | None, typer.Option("--contract", help="A contract's contract_key.")
    ] = None,
    scheme: SchemeOption = "proclass",
    by: Annotated[
        str | None, typer.Option("--by", help="Who decided (kept with the decision).")
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="Why (kept with the decision).")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a person's category decision for a line, a supplier or a contract. It overrides the
    model now and is a training label on the next `observatory classify`."""
    from observatory.classify.corrections import DecisionError, set_category

    with open_warehouse(db) as warehouse:
        try:
            decision = set_category(
                warehouse,
                code,
                line=line,
                supplier=supplier,
                contract=contract,
                scheme=scheme,
                decided_by=by,
                note=note,
            )
        except DecisionError as exc:
            raise fail(exc) from exc
    if as_json:
        print_json(decision.as_json())
        return
    what = "lines" if decision.target in ("line", "supplier") else "contracts"
    out.print(
        f"decision {decision.decision_id}: {decision.target} {decision.target_key} -> "
        f"{decision.code} {decision.label}; {decision.lines:,} {what} changed now."
    )


# -- evaluate classification ---------------------------------------------------------------------
def evaluate_classification_cmd(
    org: Annotated[
        str, typer.Option("--org", help="Publisher whose own labels are the test.")
    ] = "trafford",
    train_year: Annotated[
        str, typer.Option("--train-year", help="Financial year to learn from.")
    ] = "2024-25",
    test_year: Annotated[
        str, typer.Option("--test-year", help="Following financial year to test on.")
    ] = "2025-26",
    cpv: Annotated[
        bool,
        typer.Option("--cpv/--no-cpv", help="Also measure CPV on notices (leave-one-out)."),
    ] = True,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Train on one year of a publisher's labelled lines, test on the next: exact and level-1
    accuracy, macro-F1, accuracy at 90% coverage, against the supplier's-usual-code baseline;
    cold-start suppliers apart; and CPV division accuracy on notices by leave-one-out."""
    from observatory.classify.evaluate import EvaluationError, evaluate_classification, evaluate_cpv

    with open_warehouse(db) as warehouse, err.status("evaluating classification"):
        try:
            result = evaluate_classification(warehouse, org, train_year, test_year)
            cpv_result = evaluate_cpv(warehouse) if cpv else None
        except EvaluationError as exc:
            raise fail(exc) from exc
    if as_json:
        data = result.as_json()
        data["cpv"] = cpv_result.as_json() if cpv_result else None
        print_json(_clean(data))
        return
    out.print(
        f"[bold]{org}[/bold]: trained on {result.training_lines:,} labelled lines of "
        f"{train_year} ({result.classes_in_training} codes) in {result.train_seconds:.1f} s; "
        f"tested on {result.test_lines:,} labelled lines of {test_year} "
        f"({result.lines_per_second:,.0f} lines/s)."
    )
    table = Table(title="Classification, forward in time")
    for name in ("lines", "method", "lines tested", "exact", "level 1", "macro-F1", "exact @90%"):
        table.add_column(name, justify="left" if name in ("lines", "method") else "right")
    rows = [
        ("all", "model", result.model),
        ("all", "supplier's usual code", result.baseline),
        ("cold start", "model", result.cold_model),
        ("cold start", "supplier's usual code", result.cold_baseline),
        ("other publishers' contracts", "model", result.other_publishers),
    ]
    for label, method, s in rows:
        if s.lines:
            table.add_row(
                label,
                method,
                f"{s.lines:,}",
                _pct(s.accuracy),
                _pct(s.level1_accuracy),
                f"{s.macro_f1:.3f}" if s.macro_f1 == s.macro_f1 else "-",
                _pct(s.accuracy_at_coverage),
            )
    out.print(table)
    _print_reliability(f"Reliability on {test_year}", result.reliability)
    _print_reliability(f"Reliability on {test_year}, cold start", result.cold_reliability)
    for note in result.notes:
        out.print(f"[dim]{note}[/dim]")
    if cpv_result:
        out.print(
            f"CPV on {cpv_result.notices} notices (leave-one-out): division "
            f"{_pct(cpv_result.division_accuracy)}, group {_pct(cpv_result.group_accuracy)}, "
            f"exact {_pct(cpv_result.exact_accuracy)}; always-the-commonest-division baseline "
            f"{_pct(cpv_result.majority_division_accuracy)}."
        )


def register(app: typer.Typer) -> None:
    """Add ``classify``, ``categories import|list|set`` and ``evaluate classification``."""
    app.command("classify")(classify_cmd)
    group = typer.Typer(
        help="Category code lists (ProClass, CPV, SIC) and people's category decisions.",
        no_args_is_help=True,
    )
    app.add_typer(group, name="categories")
    group.command("import")(import_cmd)
    group.command("list")(list_cmd)
    group.command("set")(set_cmd)
    evaluate = sub_app(app, "evaluate", "Measure the warehouse's derived data against labels.")
    evaluate.command("classification")(evaluate_classification_cmd)
