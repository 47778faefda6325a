"""`observatory wealth|carbon|slavery|social-value|payments`: the policy-outcome figures
(priority 2), a few lines around each library call. ``register_priority2(app)`` adds them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from observatory.commandline import (
    DbOption,
    EngineOption,
    JsonOption,
    SparkMasterOption,
    err,
    fail,
    open_engine,
    open_warehouse,
    out,
    print_json,
)
from observatory.store import Warehouse

if TYPE_CHECKING:
    from observatory.store.spark import SparkWarehouse

OrgFilter = Annotated[
    str | None, typer.Option("--org", help="One member (id, name or alias) [default: all].")
]
TopOption = Annotated[int, typer.Option("--top", help="How many rows to show.")]
BoundariesOption = Annotated[
    Path | None,
    typer.Option(
        "--boundaries",
        help="A boundaries TOML (regions as ONS district codes) "
        "[default: the shipped data/community_wealth_boundaries.toml].",
    ),
]
PublicBodiesOption = Annotated[
    bool,
    typer.Option(
        "--exclude-public-bodies",
        help="Leave out payments to public bodies and public funds (HMRC, NHS, councils, "
        "combined authorities, pension funds): a procurement-only view.",
    ),
]
SupplierArg = Annotated[
    str, typer.Argument(help="Supplier id, or its name (as published or canonical).")
]
ByUser = Annotated[str | None, typer.Option("--by-user", help="Who is recording this.")]


def _org(warehouse: Warehouse | SparkWarehouse, value: str | None) -> str | None:
    from observatory import organisations as orgs

    if value is None:
        return None
    try:
        return orgs.resolve_org_option(value, orgs.known(warehouse)).org_id
    except ValueError as exc:
        raise fail(str(exc)) from exc


def _gbp(x: float | Decimal) -> str:
    return f"{x:,.0f}"


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.1f}%"


def _date_option(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)", param_hint=option) from exc


# -- wealth ----------------------------------------------------------------------------------------
def wealth_shares_command(
    org: OrgFilter = None,
    boundaries: BoundariesOption = None,
    top: TopOption = 10,
    exclude_public_bodies: PublicBodiesOption = False,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Share of spend with suppliers in the member's own district, the rest of its region,
    elsewhere and unknown; why 'unknown' is unknown and the suppliers that would shrink it most."""
    from observatory.insight import wealth

    with open_engine(engine, db, spark_master) as warehouse:
        member = _org(warehouse, org)
        try:
            shares = wealth.location_shares(
                warehouse, boundaries, exclude_public_bodies=exclude_public_bodies
            )
        except ValueError as exc:
            raise fail(str(exc)) from exc
        if member:
            shares = [s for s in shares if s.organisation == member]
        reasons = wealth.unknown_reasons(warehouse, member)
        unlocated = wealth.top_unlocated(warehouse, member, top)
    if as_json:
        print_json(
            {
                "shares": [s.as_json() for s in shares],
                "unknown_reasons": [r.__dict__ for r in reasons],
                "top_unlocated_suppliers": [u.__dict__ for u in unlocated],
            }
        )
        return
    table = Table(title="Spend by supplier location (net of VAT)")
    for name in (
        "member",
        "region",
        "£ spend",
        "own district",
        "rest of region",
        "elsewhere",
        "unknown",
        "suppliers",
        "no location",
    ):
        table.add_column(name, justify="left" if name in ("member", "region") else "right")
    for s in shares:
        table.add_row(
            s.organisation,
            s.region or "",
            _gbp(s.spend),
            _pct(s.share("local")),
            _pct(s.share("region")),
            _pct(s.share("elsewhere")),
            _pct(s.share("unknown")),
            f"{s.suppliers:,}",
            f"{s.suppliers_unlocated:,}",
        )
    out.print(table)
    reasons_table = Table(title="What the unknown-location spend is, and what would locate it")
    for name in ("member", "reason", "£ spend", "suppliers", "remedy"):
        reasons_table.add_column(name)
    for r in reasons:
        reasons_table.add_row(r.organisation, r.reason, _gbp(r.spend), f"{r.suppliers:,}", r.remedy)
    out.print(reasons_table)
    top_table = Table(title=f"The {top} unlocated suppliers with most spend")
    for name in ("supplier", "£ spend", "cumulative share of unknown"):
        top_table.add_column(name, justify="left" if name == "supplier" else "right")
    for u in unlocated:
        top_table.add_row(u.supplier_name, _gbp(u.spend), _pct(u.cumulative_share_of_unknown))
    out.print(top_table)


def wealth_flags_command(
    org: OrgFilter = None,
    exclude_public_bodies: PublicBodiesOption = False,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """SME and VCSE share of spend, with how each flag was known (stated by a source, inferred
    from legal form, unknown)."""
    from observatory.insight import wealth

    with open_engine(engine, db, spark_master) as warehouse:
        member = _org(warehouse, org)
        wealth.build(warehouse, exclude_public_bodies=exclude_public_bodies)
        rows = wealth.flag_shares(warehouse, member)
    if as_json:
        print_json([r.__dict__ for r in rows])
        return
    table = Table(title="SME and VCSE share of spend")
    for name in ("member", "flag", "value", "how known", "£ spend", "share", "suppliers"):
        table.add_column(
            name, justify="right" if name in ("£ spend", "share", "suppliers") else "left"
        )
    for r in rows:
        table.add_row(
            r.organisation,
            r.flag.upper(),
            r.value,
            r.basis,
            _gbp(r.spend),
            _pct(r.share),
            f"{r.suppliers:,}",
        )
    out.print(table)


def wealth_leakage_command(
    org: OrgFilter = None,
    top: TopOption = 20,
    boundaries: BoundariesOption = None,
    exclude_public_bodies: PublicBodiesOption = False,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Categories where spend leaves the member's region although suppliers located in the region
    are paid for that category in the network's data."""
    from observatory.insight import wealth

    with open_engine(engine, db, spark_master) as warehouse:
        member = _org(warehouse, org)
        wealth.build(warehouse, boundaries, exclude_public_bodies)
        rows = wealth.leakage(warehouse, member, top)
        coverage = wealth.leakage_coverage(warehouse, member)
    if as_json:
        print_json(
            {"leakage": [r.__dict__ for r in rows], "coverage": [c.as_json() for c in coverage]}
        )
        return
    table = Table(title="Leakage: spend outside the region where regional suppliers exist")
    for name in (
        "member",
        "category",
        "£ outside region",
        "£ in region",
        "regional suppliers",
        "e.g.",
    ):
        table.add_column(name)
    for r in rows:
        table.add_row(
            r.organisation,
            f"{r.category} {r.category_label}",
            _gbp(r.spend_outside_region),
            _gbp(r.spend_in_region),
            str(r.regional_suppliers),
            "; ".join(r.example_suppliers),
        )
    out.print(table)
    # An empty table is an answer too: say how many categories were tested and what stopped them.
    tested = Table(title="Categories tested (a row above needs both tests passed)")
    for name in (
        "member",
        "categories",
        "£ leaves region",
        "regional supplier",
        "rows",
        "why none",
    ):
        tested.add_column(name)
    for c in coverage:
        tested.add_row(
            c.organisation,
            str(c.categories),
            str(c.with_spend_outside_region),
            str(c.with_regional_suppliers),
            str(c.qualifying),
            c.reason,
        )
    out.print(tested)
    if any(not c.qualifying for c in coverage):
        out.print(f"What would fill it: {wealth.LEAKAGE_REMEDY}.")


def wealth_lm3_command(
    local_respend: Annotated[
        float,
        typer.Option(
            "--local-respend",
            help="Share of a regional supplier's income it re-spends in the region (round 2), 0-1.",
        ),
    ],
    other_respend: Annotated[
        float,
        typer.Option(
            "--other-respend", help="The same share for suppliers outside the region, 0-1."
        ),
    ],
    round3: Annotated[
        float,
        typer.Option(
            "--round3",
            help="Share of round-2 income its recipients re-spend in the region (round 3), 0-1.",
        ),
    ],
    unknown_as_local: Annotated[
        bool,
        typer.Option("--unknown-as-local", help="Count unknown-location spend as regional."),
    ] = False,
    boundaries: BoundariesOption = None,
    exclude_public_bodies: PublicBodiesOption = False,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """An LM3-style local multiplier per member and for the network, from the assumptions you
    enter (no supplier survey data): printed with the figure."""
    from observatory.insight import wealth

    assumptions = wealth.Lm3Assumptions(local_respend, other_respend, round3, unknown_as_local)
    with open_engine(engine, db, spark_master) as warehouse:
        wealth.build(warehouse, boundaries, exclude_public_bodies)
        try:
            rows = wealth.lm3(warehouse, assumptions)
        except ValueError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json([r.as_json() for r in rows])
        return
    out.print(
        "LM3 estimate from your assumptions, not from supplier surveys: "
        f"regional suppliers re-spend {local_respend:.0%} in the region, "
        f"others {other_respend:.0%}, "
        f"round 3 re-spend {round3:.0%}; unknown-location spend counted as "
        f"{'regional' if unknown_as_local else 'not regional'}."
    )
    table = Table(title="LM3 (round 1 + round 2 + round 3) / round 1")
    for name in ("member", "boundary", "round 1 £", "round 2 £", "round 3 £", "LM3"):
        table.add_column(name, justify="left" if name in ("member", "boundary") else "right")
    for r in rows:
        table.add_row(
            r.organisation,
            r.boundary,
            _gbp(r.round1),
            _gbp(r.round2),
            _gbp(r.round3),
            "" if r.lm3 is None else f"{r.lm3:.2f}",
        )
    out.print(table)


# -- carbon ----------------------------------------------------------------------------------------
def carbon_estimate_command(
    by: Annotated[
        str,
        typer.Option(
            "--by", help="Group by member, year, member-year, category, sic-group or supplier."
        ),
    ] = "member",
    org: OrgFilter = None,
    year: Annotated[int | None, typer.Option("--year", help="One calendar year.")] = None,
    top: TopOption = 10,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Spend-based Scope 3 category 1 estimate (t CO2e) with its method and a low/high range;
    `--by category` or `--by supplier` gives the hotspots, `--by year` the trend."""
    from observatory.insight import carbon

    with open_engine(engine, db, spark_master) as warehouse:
        member = _org(warehouse, org)
        try:
            rows = carbon.figures(warehouse, by, member, year, top)
        except ValueError as exc:
            raise fail(str(exc)) from exc
        total = carbon.total(warehouse, member, rebuild=False)
    if as_json:
        print_json(
            {"total": total.as_json(), "rows": [r.as_json() for r in rows], "caveat": carbon.CAVEAT}
        )
        return
    table = Table(title=f"Estimated supply-chain emissions by {by} (t CO2e)")
    for name in (by, "label", "£ spend (net)", "t CO2e", "low", "high", "main method"):
        table.add_column(
            name, justify="right" if name in ("£ spend (net)", "t CO2e", "low", "high") else "left"
        )
    for r in [*rows, total]:
        table.add_row(
            r.key,
            r.label[:50],
            _gbp(r.spend),
            f"{r.tco2e:,.0f}",
            f"{r.tco2e_low:,.0f}",
            f"{r.tco2e_high:,.0f}",
            f"{r.main_method} ({_pct(r.method_shares.get(r.main_method))})",
        )
    out.print(table)
    out.print(carbon.CAVEAT)


def carbon_override_add_command(
    supplier: SupplierArg,
    intensity: Annotated[
        float, typer.Option("--intensity", help="kg CO2e per GBP of the supplier's revenue.")
    ],
    year: Annotated[int, typer.Option("--year", help="The year of the revenue (price year).")],
    source: Annotated[str, typer.Option("--source", help="Where the figure was published.")],
    low: Annotated[float | None, typer.Option("--low", help="Low end of the stated range.")] = None,
    high: Annotated[
        float | None, typer.Option("--high", help="High end of the stated range.")
    ] = None,
    by_user: ByUser = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a supplier's own reported emissions intensity; it replaces the spend-based figure."""
    from observatory.insight import carbon
    from observatory.insight.outcomes_reference import supplier_key

    with open_warehouse(db) as warehouse:
        try:
            key = supplier_key(warehouse, supplier)
            entry = carbon.CarbonOverride(
                key, supplier, intensity, year, source, low, high, by_user
            )
            carbon.set_override(warehouse, entry)
        except ValueError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json(entry.__dict__)
        return
    out.print(f"Recorded {intensity} kg CO2e/£ ({year}) for {supplier} as {key}.")


def carbon_override_remove_command(
    supplier: SupplierArg, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Remove a supplier's override (its lines return to the spend-based figure)."""
    from observatory.insight import carbon
    from observatory.insight.outcomes_reference import supplier_key

    with open_warehouse(db) as warehouse:
        key = supplier_key(warehouse, supplier)
        removed = carbon.remove_override(warehouse, key)
    if as_json:
        print_json({"supplier_key": key, "removed": removed})
        return
    out.print(f"{'Removed' if removed else 'No override for'} {key}.")


def carbon_override_list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Supplier-specific intensities recorded."""
    from observatory.insight import carbon

    with open_warehouse(db, read_only=True) as warehouse:
        rows = carbon.overrides(warehouse)
    if as_json:
        print_json([r.__dict__ for r in rows])
        return
    table = Table(title="Supplier-specific emissions intensities")
    for name in ("supplier", "key", "kg CO2e/£", "year", "range", "source"):
        table.add_column(name)
    for r in rows:
        rng = f"{r.low_kgco2e_per_gbp}–{r.high_kgco2e_per_gbp}" if r.low_kgco2e_per_gbp else "±20%"
        table.add_row(
            r.supplier_name, r.supplier_key, str(r.kgco2e_per_gbp), str(r.price_year), rng, r.source
        )
    out.print(table)


def carbon_plan_add_command(
    supplier: SupplierArg,
    no_plan: Annotated[
        bool, typer.Option("--no-plan", help="Record that the supplier has no plan.")
    ] = False,
    plan_date: Annotated[
        str | None, typer.Option("--date", help="Date of the plan (YYYY-MM-DD).")
    ] = None,
    net_zero_year: Annotated[
        int | None, typer.Option("--net-zero-year", help="The plan's net-zero year.")
    ] = None,
    scopes: Annotated[
        str | None,
        typer.Option(
            "--scopes", help="Scopes covered, comma-separated (e.g. 1,2,3.4,3.5,3.6,3.7,3.9)."
        ),
    ] = None,
    link: Annotated[str | None, typer.Option("--link", help="Where the plan is published.")] = None,
    by_user: ByUser = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a supplier's Carbon Reduction Plan (PPN 006) in the register."""
    from observatory.insight import carbon
    from observatory.insight.outcomes_reference import supplier_key

    with open_warehouse(db) as warehouse:
        try:
            key = supplier_key(warehouse, supplier)
            plan = carbon.ReductionPlan(
                key,
                supplier,
                not no_plan,
                _date_option(plan_date, "--date"),
                net_zero_year,
                tuple(s.strip() for s in (scopes or "").split(",") if s.strip()),
                link,
                by_user,
            )
            carbon.record_plan(warehouse, plan)
        except ValueError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json({**plan.__dict__, "covers_ppn006_scopes": plan.covers_ppn006_scopes})
        return
    out.print(f"Recorded the carbon reduction plan of {supplier} ({key}).")


def carbon_plan_list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The carbon-reduction-plan register."""
    from observatory.insight import carbon

    with open_warehouse(db, read_only=True) as warehouse:
        rows = carbon.plans(warehouse)
    if as_json:
        print_json([{**r.__dict__, "covers_ppn006_scopes": r.covers_ppn006_scopes} for r in rows])
        return
    table = Table(title="Carbon Reduction Plans")
    for name in ("supplier", "plan", "date", "net zero", "scopes", "PPN 006 scopes", "link"):
        table.add_column(name)
    for r in rows:
        table.add_row(
            r.supplier_name,
            "yes" if r.has_plan else "no",
            str(r.plan_date or ""),
            str(r.net_zero_year or ""),
            ", ".join(r.scopes),
            "yes" if r.covers_ppn006_scopes else "no",
            r.link or "",
        )
    out.print(table)


# -- modern slavery --------------------------------------------------------------------------------
def slavery_risk_command(
    by: Annotated[
        str, typer.Option("--by", help="Group by category, supplier or member.")
    ] = "category",
    org: OrgFilter = None,
    top: TopOption = 20,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Modern-slavery risk (0-5) by category, supplier or member: high- and medium-risk spend and
    the spend-weighted score, with the reason."""
    from observatory.insight import slavery

    with open_engine(engine, db, spark_master) as warehouse:
        member = _org(warehouse, org)
        try:
            rows = slavery.figures(warehouse, by, member, top)
        except ValueError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json([r.as_json() for r in rows])
        return
    table = Table(title=f"Modern-slavery risk by {by}")
    for name in (by, "label", "£ spend", "£ high risk", "£ medium risk", "score", "reason"):
        table.add_column(name)
    for r in rows:
        table.add_row(
            r.key,
            r.label[:45],
            _gbp(r.spend),
            _gbp(r.high_risk_spend),
            _gbp(r.medium_risk_spend),
            f"{r.weighted_score:.2f}",
            r.reasons[:80],
        )
    out.print(table)


def slavery_high_risk_command(
    org: OrgFilter = None,
    min_score: Annotated[int, typer.Option("--min-score", help="Lowest score listed (0-5).")] = 3,
    top: TopOption = 50,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """The high-risk spend list per member: supplier, category, spend, score and reason."""
    from observatory.insight import slavery

    with open_engine(engine, db, spark_master) as warehouse:
        member = _org(warehouse, org)
        rows = slavery.high_risk_spend(warehouse, member, min_score, top)
    if as_json:
        print_json([r.as_json() for r in rows])
        return
    table = Table(title="High-risk spend")
    for name in ("member", "supplier", "category", "£ spend", "score", "reason", "evidence"):
        table.add_column(name)
    for r in rows:
        table.add_row(
            r.organisation,
            r.supplier_name[:35],
            f"{r.category} {r.category_label}"[:40],
            _gbp(r.spend),
            str(r.score),
            r.reason[:70],
            "yes" if r.has_evidence else "",
        )
    out.print(table)


def slavery_evidence_add_command(
    supplier: SupplierArg,
    turnover: Annotated[
        str | None, typer.Option("--turnover", help="The supplier's turnover in GBP.")
    ] = None,
    statement_year: Annotated[
        int | None, typer.Option("--statement-year", help="Year of its latest s54 statement.")
    ] = None,
    statement_link: Annotated[
        str | None, typer.Option("--statement-link", help="Link to the statement.")
    ] = None,
    assessment: Annotated[
        bool | None,
        typer.Option(
            "--assessment/--no-assessment",
            help="Whether it completed the Modern Slavery Assessment Tool (or equivalent).",
        ),
    ] = None,
    assessment_date: Annotated[
        str | None, typer.Option("--assessment-date", help="When (YYYY-MM-DD).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Anything else.")] = None,
    by_user: ByUser = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record modern-slavery evidence for a supplier (statement, assessment, turnover)."""
    from observatory.insight import slavery
    from observatory.insight.outcomes_reference import supplier_key

    try:
        money = Decimal(turnover.replace(",", "").replace("£", "")) if turnover else None
    except InvalidOperation as exc:
        raise typer.BadParameter(f"{turnover!r} is not an amount", param_hint="--turnover") from exc
    with open_warehouse(db) as warehouse:
        try:
            key = supplier_key(warehouse, supplier)
        except ValueError as exc:
            raise fail(str(exc)) from exc
        entry = slavery.Evidence(
            key,
            supplier,
            money,
            statement_year,
            statement_link,
            assessment,
            _date_option(assessment_date, "--assessment-date"),
            note,
            by_user,
        )
        slavery.record_evidence(warehouse, entry)
    if as_json:
        print_json(entry.__dict__)
        return
    out.print(f"Recorded modern-slavery evidence for {supplier} ({key}).")


def slavery_evidence_list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The supplier evidence register."""
    from observatory.insight import slavery

    with open_warehouse(db, read_only=True) as warehouse:
        rows = slavery.evidence_register(warehouse)
    if as_json:
        print_json([r.__dict__ for r in rows])
        return
    table = Table(title="Modern-slavery evidence register")
    for name in ("supplier", "turnover £", "statement", "link", "assessment", "note"):
        table.add_column(name)
    for r in rows:
        table.add_row(
            r.supplier_name,
            "" if r.turnover_gbp is None else _gbp(r.turnover_gbp),
            str(r.statement_year or ""),
            r.statement_link or "",
            {True: "yes", False: "no", None: ""}[r.assessment_completed],
            r.note or "",
        )
    out.print(table)


# -- social value ----------------------------------------------------------------------------------
def sv_framework_import_command(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Framework CSV/XLSX (measure_id, theme, outcome, measure, "
            "unit, proxy_value, source)."
        ),
    ] = None,
    example: Annotated[
        bool, typer.Option("--example", help="Install the shipped example framework.")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Install a measures framework (replaces the current one)."""
    from observatory.insight import social_value as sv

    if (path is None) == (not example):
        raise fail("give a framework file, or --example for the shipped example")
    try:
        measures = sv.read_framework(None if example else path)
    except sv.SocialValueError as exc:
        raise fail(str(exc)) from exc
    with open_warehouse(db) as warehouse:
        n = sv.install_framework(warehouse, measures)
    if as_json:
        print_json({"measures": n, "example": example})
        return
    out.print(f"Installed {n} measures{' (the EXAMPLE framework)' if example else ''}.")


def sv_framework_list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The measures framework installed."""
    from observatory.insight import social_value as sv

    with open_warehouse(db, read_only=True) as warehouse:
        rows = sv.framework(warehouse)
    if as_json:
        print_json([r.__dict__ for r in rows])
        return
    example = any(r.is_example for r in rows)
    table = Table(title="Social value measures" + (" (EXAMPLE framework)" if example else ""))
    for name in ("id", "theme", "measure", "unit", "proxy £", "source"):
        table.add_column(name)
    for r in rows:
        table.add_row(
            r.measure_id, r.theme, r.measure[:60], r.unit, f"{r.proxy_value:,.2f}", r.source
        )
    out.print(table)


def sv_commit_command(
    contract: Annotated[str, typer.Argument(help="Contract reference (contract key or your own).")],
    measure: Annotated[str, typer.Argument(help="Measure id from the framework.")],
    quantity: Annotated[str, typer.Argument(help="Quantity committed, in the measure's unit.")],
    org: Annotated[str, typer.Option("--org", help="The member whose contract it is.")],
    supplier: Annotated[str | None, typer.Option("--supplier", help="The supplier.")] = None,
    by_user: ByUser = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a social value commitment on a contract."""
    from observatory.insight import social_value as sv

    try:
        amount = Decimal(quantity.replace(",", ""))
    except InvalidOperation as exc:
        raise typer.BadParameter(f"{quantity!r} is not a number", param_hint="QUANTITY") from exc
    with open_warehouse(db) as warehouse:
        member = _org(warehouse, org) or org
        try:
            cid = sv.add_commitment(warehouse, member, contract, measure, amount, supplier, by_user)
        except sv.SocialValueError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json({"commitment_id": cid})
        return
    out.print(f"Recorded commitment {cid}: {quantity} of {measure} on {contract}.")


def sv_import_returns_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="Delivery returns (CSV/XLSX: contract_ref, "
            "measure_id, period_end, quantity, evidence)."
        ),
    ],
    org: Annotated[str, typer.Option("--org", help="The member the returns are for.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import delivery returns: each row loaded or rejected with its reason; a corrected return
    for the same contract, measure and period replaces the earlier one."""
    from observatory.insight import social_value as sv

    with open_warehouse(db) as warehouse:
        member = _org(warehouse, org) or org
        try:
            result = sv.import_returns(warehouse, path, member)
        except sv.SocialValueError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json(result.as_json())
        return
    out.print(
        f"{result.file}: {result.rows_read} rows read, {result.rows_loaded} loaded "
        f"({result.rows_replaced} replacing earlier returns), {len(result.rejects)} rejected."
    )
    for line, reason in result.rejects:
        err.print(f"[yellow]line {line}:[/yellow] {reason}")
    for line, warning in result.warnings:
        err.print(f"line {line}: {warning}")


def sv_report_command(
    by: Annotated[
        str, typer.Option("--by", help="Group by contract, member, theme, measure or period.")
    ] = "contract",
    org: OrgFilter = None,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Committed vs delivered vs £ value (quantity x proxy value)."""
    from observatory.insight import social_value as sv

    with open_engine(engine, db, spark_master) as warehouse:
        member = _org(warehouse, org)
        try:
            rows = sv.report(warehouse, by, member)
        except ValueError as exc:
            raise fail(str(exc)) from exc
        example = any(m.is_example for m in sv.framework(warehouse))
    if as_json:
        print_json({"rows": [r.as_json() for r in rows], "example_framework": example})
        return
    table = Table(title=f"Social value by {by}" + (" (EXAMPLE proxy values)" if example else ""))
    for name in (
        by,
        "committed £",
        "delivered £",
        "delivered share",
        "committed qty",
        "delivered qty",
    ):
        table.add_column(name, justify="left" if name == by else "right")
    for r in rows:
        table.add_row(
            r.key,
            _gbp(r.committed_value),
            _gbp(r.delivered_value),
            _pct(r.delivered_share),
            "" if r.committed_quantity is None else f"{r.committed_quantity:,.2f}",
            "" if r.delivered_quantity is None else f"{r.delivered_quantity:,.2f}",
        )
    out.print(table)


# -- prompt payment --------------------------------------------------------------------------------
def payments_command(
    org: OrgFilter = None,
    db: DbOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Prompt payment from accounts-payable extracts: average days to pay and the share paid in
    1-30, 31-60 and 61+ days, per member and six-month period (the UK17 figures)."""
    from observatory.insight import prompt_payment

    with open_engine(engine, db, spark_master) as warehouse:
        member = _org(warehouse, org)
        rows = prompt_payment.payment_figures(warehouse, member)
    if as_json:
        print_json([r.as_json() for r in rows])
        return
    if not rows:
        out.print("No accounts-payable extracts loaded: see `observatory load payments`.")
        return
    table = Table(title="Payment times (invoices paid in the period)")
    for name in (
        "member",
        "period",
        "paid",
        "avg days",
        "1–30",
        "31–60",
        "61+",
        "payable, not paid",
        "data to period end",
    ):
        table.add_column(name, justify="left" if name in ("member", "period") else "right")
    for r in rows:
        f = r.figures
        table.add_row(
            r.organisation,
            f"{r.period_start} – {r.period_end}",
            f"{f.payments_made:,}",
            "" if f.average_days is None else str(f.average_days),
            f"{f.percent_within_30 or 0}%",
            f"{f.percent_31_60 or 0}%",
            f"{f.percent_over_60 or 0}%",
            f"{f.percent_not_paid or 0}%",
            "yes" if r.covered else "partial",
        )
    out.print(table)


def register_priority2(app: typer.Typer) -> None:
    """Add `wealth`, `carbon`, `slavery`, `social-value` and `payments` to the main app."""
    wealth = typer.Typer(
        help="Community wealth building: local spend, SME/VCSE, leakage, LM3.", no_args_is_help=True
    )
    wealth.command("shares")(wealth_shares_command)
    wealth.command("flags")(wealth_flags_command)
    wealth.command("leakage")(wealth_leakage_command)
    wealth.command("lm3")(wealth_lm3_command)
    app.add_typer(wealth, name="wealth")

    carbon = typer.Typer(
        help="Supply-chain carbon (Scope 3 category 1, spend-based).", no_args_is_help=True
    )
    carbon.command("estimate")(carbon_estimate_command)
    override = typer.Typer(help="Supplier-specific emissions intensities.", no_args_is_help=True)
    override.command("add")(carbon_override_add_command)
    override.command("remove")(carbon_override_remove_command)
    override.command("list")(carbon_override_list_command)
    carbon.add_typer(override, name="override")
    plan = typer.Typer(help="Carbon Reduction Plan register (PPN 006).", no_args_is_help=True)
    plan.command("add")(carbon_plan_add_command)
    plan.command("list")(carbon_plan_list_command)
    carbon.add_typer(plan, name="plan")
    app.add_typer(carbon, name="carbon")

    slavery = typer.Typer(
        help="Modern-slavery risk and the supplier evidence register.", no_args_is_help=True
    )
    slavery.command("risk")(slavery_risk_command)
    slavery.command("high-risk")(slavery_high_risk_command)
    evidence = typer.Typer(help="Supplier modern-slavery evidence.", no_args_is_help=True)
    evidence.command("add")(slavery_evidence_add_command)
    evidence.command("list")(slavery_evidence_list_command)
    slavery.add_typer(evidence, name="evidence")
    app.add_typer(slavery, name="slavery")

    social = typer.Typer(
        help="Social value: framework, commitments, delivery returns, report.", no_args_is_help=True
    )
    framework = typer.Typer(help="The measures framework.", no_args_is_help=True)
    framework.command("import")(sv_framework_import_command)
    framework.command("list")(sv_framework_list_command)
    social.add_typer(framework, name="framework")
    social.command("commit")(sv_commit_command)
    social.command("import-returns")(sv_import_returns_command)
    social.command("report")(sv_report_command)
    app.add_typer(social, name="social-value")

    app.command("payments")(payments_command)
