"""Command line for priority 1 (co-commissioning, contracts, suppliers, red flags, savings).

``register_priority1(app)`` adds ``collaborate``, ``contracts …``, ``suppliers concentration``,
``suppliers dependency``, ``red-flags`` and ``savings …``. Each command is a few lines around a
library call in ``observatory.insight``; ``--json`` prints what the library returns.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, is_dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from observatory import organisations as orgs
from observatory.commandline import (
    DbOption,
    EngineOption,
    JsonOption,
    SparkMasterOption,
    fail,
    open_engine,
    open_warehouse,
    out,
    sub_app,
)
from observatory.insight import collaboration, contracts, red_flags, savings, suppliers_insight
from observatory.insight.assumptions import savings_assumptions
from observatory.insight.scope import Scope, make_scope
from observatory.store import Warehouse
from observatory.store.engine import default_engine

OrgsOption = Annotated[
    list[str] | None,
    typer.Option("--org", help="Only these members (repeat the option); default: every member."),
]
YearOption = Annotated[
    str,
    typer.Option("--year", help="Financial year (2021-22) or 'all' loaded years."),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Treat this date (YYYY-MM-DD) as today [default: latest payment date in scope].",
    ),
]
TopOption = Annotated[int, typer.Option("--top", help="Rows to show per list.")]


# -- shared plumbing ------------------------------------------------------------------------------


def _open(
    db: Path | None,
    engine: str | None = None,
    master: str | None = None,
    *,
    read_only: bool = True,
) -> Warehouse:
    """The analyses only read: open read-only so they run beside the web server. With
    ``--engine spark`` the same analysis runs on Spark (docs/spark.md)."""
    if not read_only or (engine is None and master is None and default_engine() == "duckdb"):
        return open_warehouse(db, read_only=read_only)
    # The Spark warehouse takes the same calls as Warehouse (the engine seam).
    return open_engine(engine, db, master)  # type: ignore[return-value]


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "as_json"):
            return _plain(value.as_json())
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(_plain(data), indent=2, default=str) + "\n")


def _scope(w: Warehouse, org: list[str] | None, year: str, as_of: str | None) -> Scope:
    # Read the members without registering them: the warehouse is usually open read-only.
    members = [
        orgs.Organisation(
            org_id=r["org_id"],
            name=r["name"],
            org_type=r["org_type"],
            ons_code=r["ons_code"],
            identifier=r["identifier"],
            aliases=tuple(r["aliases"] or ()),
        )
        for r in w.fetch("SELECT * FROM organisations ORDER BY org_id")
    ] or orgs.read_config()
    try:
        ids = [orgs.resolve_org_option(o, members).org_id for o in org or []]
        day = date.fromisoformat(as_of) if as_of else None
        return make_scope(w, ids, year, day)
    except ValueError as exc:
        raise fail(str(exc)) from exc


def _money(value: Any) -> str:
    return "" if value is None else f"£{Decimal(value):,.0f}"


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title)
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*["" if v is None else str(v) for v in r])
    out.print(table)


# -- collaborate ----------------------------------------------------------------------------------


def collaborate_cmd(
    org: OrgsOption = None,
    year: YearOption = "all",
    as_of: AsOfOption = None,
    kind: Annotated[
        str, typer.Option("--kind", help="Opportunities by category, supplier or both.")
    ] = "both",
    top: TopOption = 10,
    min_members: Annotated[
        int, typer.Option("--min-members", help="Members that make a supplier 'shared'.")
    ] = 2,
    drill: Annotated[
        str | None,
        typer.Option("--drill", help="Show one opportunity's lines and contracts (its id)."),
    ] = None,
    lines: Annotated[int, typer.Option("--lines", help="Lines to show with --drill.")] = 50,
    assumptions_file: Annotated[
        Path | None,
        typer.Option("--assumptions", help="Another collaboration.toml (bands, price method)."),
    ] = None,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Co-commissioning: shared suppliers and categories, the share of spend with shared
    suppliers, and ranked opportunities with a savings range and its assumptions."""
    try:
        a = savings_assumptions(assumptions_file)
    except (OSError, ValueError, KeyError) as exc:
        raise fail(f"--assumptions: {exc}") from exc
    with _open(db, engine, spark_master) as w:
        scope = _scope(w, org, year, as_of)
        if drill:
            try:
                detail = collaboration.opportunity_detail(w, scope, drill, a, line_limit=None)
            except (KeyError, ValueError) as exc:
                raise fail(str(exc).strip("'\"")) from exc
            _print_drill(detail, lines, as_json)
            return
        try:
            overview = collaboration.shared_overview(w, scope, min_members)
            suppliers = collaboration.shared_suppliers(w, scope, min_members, top)
            categories = collaboration.shared_categories(w, scope, min_members, top)
            ranked = collaboration.opportunities(w, scope, kind, a, top)
        except ValueError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        _print_json(
            {
                "scope": scope.as_json(),
                "overview": overview,
                "shared_suppliers": suppliers,
                "shared_categories": categories,
                "opportunities": ranked,
                "assumptions": a.as_json(),
            }
        )
        return
    o = overview
    out.print(f"[bold]Co-commissioning[/bold] — {scope.describe()}; suppliers: {o.supplier_basis}")
    out.print(
        f"{o.shared_suppliers:,} of {o.suppliers:,} suppliers are used by {min_members}+ members; "
        f"they take {_money(o.shared_supplier_amount)} of {_money(o.named_amount)} named spend "
        f"({o.shared_supplier_pct}%; a published 70-body analysis found 47%). "
        f"{o.shared_categories:,} of {o.categories:,} categories are bought by {min_members}+ "
        f"members ({_money(o.categorised_amount)} of named spend has a category)."
    )
    _table(
        "Per member (spend in scope, net of VAT where published net)",
        ["member", "years", "months", "named spend", "with shared suppliers", "%", "suppliers",
         "shared"],
        [[m.organisation, ", ".join(m.financial_years), m.months, _money(m.named_amount),
          _money(m.shared_supplier_amount), m.shared_supplier_pct, m.suppliers, m.shared_suppliers]
         for m in o.members],
    )  # fmt: skip
    _table(
        f"Top shared suppliers ({scope.period.label})",
        ["supplier", "members", "spend", "a year", "per member (spend)"],
        [[s.supplier, s.members, _money(s.amount), _money(s.annual_amount),
          "; ".join(f"{p.organisation} {_money(p.amount)}" for p in s.per_member)]
         for s in suppliers],
    )  # fmt: skip
    _table(
        f"Top shared categories ({scope.period.label})",
        ["code", "category", "members", "spend", "per member (spend)"],
        [[c.category_code, c.category, c.members, _money(c.amount),
          "; ".join(f"{p.organisation} {_money(p.amount)}" for p in c.per_member)]
         for c in categories],
    )  # fmt: skip
    _table(
        f"Opportunities, ranked (as of {scope.as_of}; drill down with --drill ID)",
        ["#", "id", "what", "members (why)", "a year", "savings a year"],
        [[op.rank, op.opportunity_id, op.label,
          "; ".join(f"{m.organisation} ({m.reason})" for m in op.per_member),
          _money(op.combined_annual), f"{_money(op.savings_low)}-{_money(op.savings_high)}"]
         for op in ranked],
    )  # fmt: skip
    for op in ranked[:3]:
        out.print(f"[dim]#{op.rank} assumptions: " + " ".join(op.assumptions) + "[/dim]")


def _print_drill(detail: collaboration.OpportunityDetail, limit: int, as_json: bool) -> None:
    op = detail.opportunity
    if as_json:
        _print_json(
            {
                "scope": detail.scope.as_json(),
                "opportunity": op,
                "lines_total": detail.lines_total,
                "lines": detail.lines,
                "contracts": detail.contracts,
            }
        )
        return
    out.print(
        f"[bold]{op.opportunity_id}[/bold] {op.label} — {detail.scope.describe()}\n"
        f"combined {_money(op.combined_annual)} a year; savings "
        f"{_money(op.savings_low)}-{_money(op.savings_high)} a year"
    )
    for text in op.assumptions:
        out.print(f"  {text}")
    _table(
        "Members",
        ["member", "why", "a year", "basis", "off-contract a year", "spend", "lines", "next end"],
        [[m.organisation, m.reason, _money(m.annual_amount), m.annual_basis,
          _money(m.off_contract_annual), _money(m.amount), m.lines, m.next_end]
         for m in op.per_member],
    )  # fmt: skip
    _table(
        f"Contracts ({len(detail.contracts)})",
        ["member", "reference", "title", "supplier", "value", "start", "end", "file:line"],
        [[c["organisation"], c["reference"], c["title"], c["supplier_name"],
          _money(c["value_amount"]), c["start_date"], c["end_date"],
          f"{Path(c['source_file']).name}:{c['source_line']}"] for c in detail.contracts],
    )  # fmt: skip
    _table(
        f"Spend lines ({len(detail.lines):,}, total {_money(detail.lines_total)}; first {limit})",
        ["member", "date", "amount", "supplier", "on contract", "transaction", "file:row"],
        [[r["organisation"], r["payment_date"], f"£{r['amount']:,.2f}", r["supplier_name"],
          "yes" if r["on_contract"] else "no", r["transaction_id"],
          f"{Path(r['source_file']).name}:{r['source_row']}"] for r in detail.lines[:limit]],
    )  # fmt: skip


# -- contracts ------------------------------------------------------------------------------------


def pipeline_cmd(
    org: OrgsOption = None,
    as_of: AsOfOption = None,
    horizon: Annotated[
        int, typer.Option("--horizon", help="Months ahead: 6, 12 or 18 (or any number).")
    ] = 18,
    decision_lead: Annotated[
        int,
        typer.Option("--decision-lead", help="Months before an end that a decision is due."),
    ] = 6,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Contracts ending or reaching a decision within 6/12/18 months, and UK1 pipeline-notice
    candidates (contracts >= £2m incl. VAT, for members expecting >= £100m spend)."""
    with _open(db, engine, spark_master) as w:
        scope = _scope(w, org, "all", as_of)
        result = contracts.pipeline(w, scope, horizon, decision_lead)
    if as_json:
        _print_json(result)
        return
    _table(
        f"Contract pipeline — {scope.describe()}; next {horizon} months",
        ["member", "reference", "title", "supplier", "value incl. VAT", "ends", "decide by",
         "band", "UK1"],
        [[c.organisation, c.reference, c.title, c.suppliers, _money(c.value_incl_vat), c.end_date,
          c.decide_by, c.band, "yes" if c.uk1_candidate else ""] for c in result.contracts],
    )  # fmt: skip
    _table(
        "Pipeline-notice duty (UK1): expected relevant spend in the coming year",
        ["member", "last 12 months (as published)", "expected incl. VAT", "duty", "note"],
        [[m.organisation, _money(m.last_12_months), _money(m.expected_incl_vat),
          "applies" if m.duty_applies else "below £100m", m.note] for m in result.members],
    )  # fmt: skip
    for text in result.assumptions:
        out.print(f"[dim]{text}[/dim]")


def off_contract_cmd(
    org: OrgsOption = None,
    year: YearOption = "all",
    as_of: AsOfOption = None,
    by: Annotated[str, typer.Option("--by", help="List by supplier or category.")] = "supplier",
    top: TopOption = 10,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Spend with suppliers that had no live contract with the member on the payment date."""
    with _open(db, engine, spark_master) as w:
        scope = _scope(w, org, year, as_of)
        try:
            result = contracts.off_contract(w, scope, by, top)
        except ValueError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        _print_json(result)
        return
    _table(
        f"Off-contract spend — {scope.describe()}",
        ["member", "named spend", "on contract", "public bodies", "off contract", "%",
         "contracts loaded"],
        [[m.organisation, _money(m.named_amount), _money(m.on_contract_amount),
          _money(m.public_body_amount), _money(m.off_contract_amount), m.off_contract_pct,
          m.contracts_loaded or "none: all spend counts as off-contract"]
         for m in result.members],
    )  # fmt: skip
    _table(
        f"Largest off-contract {by} per member",
        ["member", by, "off-contract spend", "lines", "from", "to"],
        [[i.organisation, i.item, _money(i.off_contract_amount), i.lines, i.first_date,
          i.last_date] for i in result.items],
    )  # fmt: skip


def spend_vs_contract_cmd(
    org: OrgsOption = None,
    year: YearOption = "all",
    as_of: AsOfOption = None,
    over_only: Annotated[
        bool, typer.Option("--over-only", help="Only contracts whose spend exceeds the value.")
    ] = False,
    top: TopOption = 20,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Spend to date under each contract against its value; contracts running over."""
    with _open(db, engine, spark_master) as w:
        scope = _scope(w, org, year, as_of)
        rows = contracts.spend_vs_contract(w, scope, over_only)
    if as_json:
        _print_json({"scope": scope.as_json(), "contracts": rows})
        return
    _table(
        f"Spend against contract — {scope.describe()} "
        f"({sum(r.over_value for r in rows)} of the {len(rows)} listed over their value)",
        ["member", "reference", "title", "supplier", "value", "spent", "x value", "start", "end"],
        [[r.organisation, r.reference, r.title, r.suppliers, _money(r.value_amount),
          _money(r.spent), r.spent_ratio, r.start_date, r.end_date] for r in rows[:top]],
    )  # fmt: skip


# -- suppliers ------------------------------------------------------------------------------------


def concentration_cmd(
    org: OrgsOption = None,
    year: YearOption = "all",
    as_of: AsOfOption = None,
    top: TopOption = 10,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Each member's top suppliers, their share of its spend, and its concentration (HHI)."""
    with _open(db, engine, spark_master) as w:
        scope = _scope(w, org, year, as_of)
        rows = suppliers_insight.concentration(w, scope, top)
    if as_json:
        _print_json({"scope": scope.as_json(), "suppliers": rows})
        return
    _table(
        f"Supplier concentration — {scope.describe()}",
        ["member", "#", "supplier", "spend", "share", "cumulative", "HHI", "public body"],
        [[r.organisation, r.rank, r.supplier, _money(r.amount), f"{r.share:.1%}",
          f"{r.cumulative_share:.1%}", r.hhi, "yes" if r.public_body else ""] for r in rows],
    )  # fmt: skip


def dependency_cmd(
    org: OrgsOption = None,
    year: YearOption = "all",
    as_of: AsOfOption = None,
    min_annual: Annotated[
        float, typer.Option("--min-annual", help="Least network spend a year to list (£).")
    ] = 100000,
    share: Annotated[
        float, typer.Option("--share", help="Network share of observed public income to flag.")
    ] = 0.8,
    top: TopOption = 20,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Suppliers whose observed public income comes mostly from the network's members."""
    with _open(db, engine, spark_master) as w:
        scope = _scope(w, org, year, as_of)
        rows = suppliers_insight.dependency(w, scope, Decimal(str(min_annual)), share)
    if as_json:
        _print_json({"scope": scope.as_json(), "suppliers": rows})
        return
    flagged = [r for r in rows if r.depends_on_network]
    _table(
        f"Supplier dependency — {scope.describe()}: {len(flagged)} of {len(rows)} suppliers "
        f"with >= {_money(min_annual)} a year take >= {share:.0%} of their observed public "
        "income from members",
        ["supplier", "members", "largest member (share)", "network a year", "other public a year",
         "network share", "SME"],
        [[r.supplier, r.members, f"{r.largest_member} ({r.largest_member_share:.0%})",
          _money(r.network_annual), _money(r.other_public_annual), f"{r.network_share:.0%}",
          r.is_sme] for r in rows[:top]],
    )  # fmt: skip
    out.print(
        "[dim]Observed public income is only what this warehouse holds (members, other loaded "
        "publishers, notices): a share near 100% often means the supplier's other buyers are "
        "not loaded.[/dim]"
    )


# -- red flags ------------------------------------------------------------------------------------


def red_flags_cmd(
    org: OrgsOption = None,
    year: YearOption = "all",
    as_of: AsOfOption = None,
    rule: Annotated[
        list[str] | None,
        typer.Option(
            "--rule", help="Only these rules: " + ", ".join(red_flags.RULES) + " (repeatable)."
        ),
    ] = None,
    rules_file: Annotated[
        Path | None, typer.Option("--rules", help="Another red_flags.toml (thresholds, windows).")
    ] = None,
    top: TopOption = 10,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Possible split orders, duplicate payments, and suppliers paid above a notice threshold
    with no notice — each rule stated, with the thresholds in force on each payment's date."""
    try:
        r = red_flags.flag_rules(rules_file)
    except (OSError, ValueError, KeyError) as exc:
        raise fail(f"--rules: {exc}") from exc
    with _open(db, engine, spark_master) as w:
        scope = _scope(w, org, year, as_of)
        try:
            result = red_flags.red_flags(w, scope, r, rule)
        except ValueError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        _print_json(result)
        return
    out.print(f"[bold]Red flags[/bold] — {scope.describe()}. A flag is a question, not a finding.")
    for name, statement in result.rules.items():
        flags = [f for f in result.flags if _rule_id(f.rule) == name]
        _table(
            f"{name}: {result.counts[name]:,} flags (top {top} by amount). Rule: {statement}",
            ["member", "supplier", "amount", "lines", "from", "to", "detail"],
            [[f.organisation, f.supplier, _money(f.amount), f.lines, f.first_date, f.last_date,
              f.detail] for f in flags[:top]],
        )  # fmt: skip


def _rule_id(label: str) -> str:
    return {
        "duplicate invoice": "duplicate-invoice",
        "same amount, nearby": "duplicate-amount",
        "possible split order": "split-orders",
        "above notice threshold, no notice": "no-notice",
    }[label]


# -- savings --------------------------------------------------------------------------------------


def savings_add_cmd(
    title: Annotated[str, typer.Option("--title", help="What the initiative is called.")],
    member: Annotated[list[str], typer.Option("--member", help="A member taking part (repeat).")],
    benefit_type: Annotated[
        str, typer.Option("--type", help="; ".join(savings.BENEFIT_TYPES) + ".")
    ],
    status: Annotated[str, typer.Option("--status", help=", ".join(savings.STATUSES))] = "planned",
    category: Annotated[str | None, typer.Option("--category", help="ProClass/CPV code.")] = None,
    category_label: Annotated[
        str | None, typer.Option("--category-label", help="The category in words.")
    ] = None,
    priority: Annotated[
        str | None, typer.Option("--priority", help="CPC priority it serves (1, 1.2 …).")
    ] = None,
    baseline: Annotated[
        float | None, typer.Option("--baseline", help="Annual cost before (£, net of VAT).")
    ] = None,
    baseline_note: Annotated[
        str | None, typer.Option("--baseline-note", help="How the baseline was set.")
    ] = None,
    amount: Annotated[
        list[str] | None,
        typer.Option(
            "--amount",
            help="YEAR=AMOUNT[@member][:forecast|actual], e.g. 2024-25=12000@salford (repeat).",
        ),
    ] = None,
    outcome: Annotated[
        str | None, typer.Option("--outcome", help=", ".join(savings.OUTCOMES))
    ] = None,
    evidence: Annotated[
        str | None, typer.Option("--evidence", help="What shows the benefit is real.")
    ] = None,
    summary: Annotated[str | None, typer.Option("--summary", help="What was done.")] = None,
    route: Annotated[str | None, typer.Option("--route", help="Procurement route.")] = None,
    lessons: Annotated[str | None, typer.Option("--lessons", help="Lessons learnt.")] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="Who to ask.")] = None,
    document: Annotated[
        list[str] | None, typer.Option("--document", help="A link or file name (repeat).")
    ] = None,
    opportunity: Annotated[
        str | None, typer.Option("--opportunity", help="The collaborate opportunity id.")
    ] = None,
    recorded_by: Annotated[str | None, typer.Option("--by", help="Who is recording it.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record an initiative (joint procurement, renegotiation …) with its write-up."""
    with _open(db, read_only=False) as w:
        try:
            members = [orgs.resolve_org_option(m, orgs.known(w)).org_id for m in member]
            initiative = savings.Initiative(
                title=title,
                members=members,
                benefit_type=benefit_type.strip().lower(),
                status=status.strip().lower(),
                category_code=category,
                category_label=category_label,
                priority=priority,
                baseline=Decimal(str(baseline)) if baseline is not None else None,
                baseline_note=baseline_note,
                outcome=outcome.strip().lower() if outcome else None,
                evidence=evidence,
                summary=summary,
                route=route,
                lessons=lessons,
                contact=contact,
                documents=document or [],
                opportunity_id=opportunity,
                recorded_by=recorded_by,
                amounts=[savings.parse_year_amount(a) for a in amount or []],
            )
            new_id = savings.add_initiative(w, initiative)
        except ValueError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        _print_json({"initiative_id": new_id})
    else:
        out.print(f"recorded initiative {new_id}: {title}")


def _print_initiatives(rows: list[savings.Initiative], title: str) -> None:
    _table(
        title,
        ["id", "title", "members", "type", "status", "outcome", "category", "amounts"],
        [[i.initiative_id, i.title, ", ".join(i.members), i.benefit_type, i.status, i.outcome,
          i.category_label or i.category_code,
          "; ".join(f"{a.financial_year} {_money(a.amount)} {a.basis}"
                    + (f" ({a.organisation})" if a.organisation else "") for a in i.amounts)]
         for i in rows],
    )  # fmt: skip


def savings_list_cmd(
    member: Annotated[str | None, typer.Option("--member", help="Only this member's.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    benefit_type: Annotated[str | None, typer.Option("--type", help="Only this type.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The register's initiatives with their amounts."""
    with _open(db) as w:
        rows = savings.list_initiatives(w, member, status, benefit_type)
    if as_json:
        _print_json({"initiatives": rows})
    else:
        _print_initiatives(rows, f"{len(rows)} initiatives")


def savings_report_cmd(
    member: Annotated[str | None, typer.Option("--member", help="Only this member.")] = None,
    year: Annotated[str | None, typer.Option("--year", help="Only this financial year.")] = None,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Benefits per member and network-wide, by financial year, type and forecast/actual."""
    with _open(db, engine, spark_master) as w:
        rows = savings.report(w, member, year)
    if as_json:
        _print_json({"lines": rows})
        return
    _table(
        "Savings and benefits (whole-initiative amounts split equally among members)",
        ["member", "year", "type", "basis", "amount", "initiatives"],
        [[r.organisation, r.financial_year, r.benefit_type, r.basis, _money(r.amount),
          r.initiatives] for r in rows],
    )  # fmt: skip


def savings_export_cmd(
    out_path: Annotated[Path, typer.Option("--out", help="File to write (.csv or .xlsx).")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or xlsx [default: from --out].")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export the register to CSV (a row per amount) or XLSX (initiatives and amounts sheets)."""
    with _open(db) as w:
        try:
            n = savings.export(w, out_path, fmt)
        except ValueError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        _print_json({"file": str(out_path), "initiatives": n})
    else:
        out.print(f"wrote {n} initiatives to {out_path}")


def library_search_cmd(
    query: Annotated[str, typer.Argument(help="Words to look for (any of them).")] = "",
    category: Annotated[
        str | None, typer.Option("--category", help="Category code or words in its label.")
    ] = None,
    member: Annotated[
        str | None, typer.Option("--member", help="Initiatives of this member.")
    ] = None,
    priority: Annotated[
        str | None, typer.Option("--priority", help="CPC priority (1 also finds 1.1, 1.2 …).")
    ] = None,
    outcome: Annotated[str | None, typer.Option("--outcome", help="achieved, …")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Search the practice library: initiatives' write-ups, best match first."""
    with _open(db) as w:
        rows = savings.search_library(w, query, category, member, priority, outcome)
    if as_json:
        _print_json({"initiatives": rows})
        return
    for i in rows:
        out.print(
            f"[bold]{i.initiative_id}. {i.title}[/bold] (score {i.score}) — "
            f"{', '.join(i.members)}; {i.category_label or i.category_code or 'no category'}; "
            f"priority {i.priority or '-'}; {i.status}, {i.outcome or 'no outcome yet'}\n"
            f"  What was done: {i.summary or '-'}\n  Route: {i.route or '-'}\n"
            f"  Lessons: {i.lessons or '-'}\n  Contact: {i.contact or '-'}; documents: "
            f"{', '.join(i.documents) or '-'}"
        )
    if not rows:
        out.print("no initiative matches")


# -- registration ---------------------------------------------------------------------------------


def register_priority1(app: typer.Typer) -> None:
    """Add the priority-1 commands. Call it after the supplier-resolution area has registered its
    ``suppliers`` group, so that ``concentration`` and ``dependency`` join that group."""
    app.command("collaborate")(collaborate_cmd)
    app.command("red-flags")(red_flags_cmd)
    contracts_app = sub_app(
        app, "contracts", "Contract pipeline, off-contract spend, spend vs value."
    )
    contracts_app.command("pipeline")(pipeline_cmd)
    contracts_app.command("off-contract")(off_contract_cmd)
    contracts_app.command("spend-vs-contract")(spend_vs_contract_cmd)
    suppliers_app = sub_app(app, "suppliers", "Supplier entities and supplier analyses.")
    suppliers_app.command("concentration")(concentration_cmd)
    suppliers_app.command("dependency")(dependency_cmd)
    savings_app = sub_app(
        app, "savings", "Savings and benefits register, and the practice library."
    )
    savings_app.command("add")(savings_add_cmd)
    savings_app.command("list")(savings_list_cmd)
    savings_app.command("report")(savings_report_cmd)
    savings_app.command("export")(savings_export_cmd)
    library = typer.Typer(
        help="The practice library (initiatives' write-ups).", no_args_is_help=True
    )
    savings_app.add_typer(library, name="library")
    library.command("search")(library_search_cmd)
