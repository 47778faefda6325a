"""What each priority page shows: headline figures, scope and assumptions, and its tables, from
the analyses in ``observatory.insight`` and ``observatory.publish.duties``.

A page is built once per state of the data (and, where member-entered records are involved, per
viewer's organisation) through the server's cache. Every table is a ``RowsTable``: it sorts,
filters, pages and exports like every other table, and its rows link to the lines, suppliers and
contracts behind them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from observatory.insight import (
    carbon,
    prompt_payment,
    red_flags,
    savings,
    slavery,
    social_value,
    suppliers_insight,
    wealth,
)
from observatory.insight import collaboration as collab
from observatory.insight import contracts as contracts_insight
from observatory.insight.scope import Scope, make_scope
from observatory.publish import duties
from observatory.store import Warehouse
from observatory.web import links
from observatory.web.auth import Viewer
from observatory.web.records import visible_records
from observatory.web.render import money, pct
from observatory.web.rows_tables import RowsTable, as_row, rows_spec
from observatory.web.tables import Column, Filter, TableSpec, contains


@dataclass
class Figure:
    value: str
    label: str
    href: str | None = None
    method: str | None = None


@dataclass
class PageTable:
    spec: TableSpec
    rows: RowsTable
    intro: str = ""

    def __post_init__(self) -> None:
        # No rows: the table still needs the columns the page shows, sorts and filters on.
        if not self.rows.columns:
            names = [c.name for c in self.spec.columns] + list(self.spec.tiebreak)
            self.rows = RowsTable([], list(dict.fromkeys(names)))


@dataclass
class PageData:
    scope: str
    figures: list[Figure] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # what is not there, and what would fill it
    tables: list[PageTable] = field(default_factory=list)  # the first is the page's main table

    def table(self, key: str) -> PageTable | None:
        return next((t for t in self.tables if t.spec.key == key), None)


# -- links ------------------------------------------------------------------------------------


def name_key(name: str | None) -> str | None:
    """The web's published-name key (as sql/supplier_names.sql computes it)."""
    if not name or not name.strip():
        return None
    text = re.sub(r"\s+", " ", name.strip()).upper()
    return "n-" + hashlib.md5(text.encode("utf-8")).hexdigest()[:16]


def supplier_href(key: str | None, name: str | None) -> str | None:
    """The supplier page for an analysis's supplier key: a resolved supplier's own page, or the
    page of the name the analysis shows (published names, until supplier resolution runs)."""
    if key and not key.lower().startswith("name:"):
        return links.supplier(key)
    found = name_key(name)
    return links.supplier(found) if found else None


def supplier_lines_href(key: str | None, name: str | None, organisation: str | None = None) -> str:
    if key and not key.lower().startswith("name:"):
        return links.spend(supplier_key=key, organisation=organisation)
    return links.spend(supplier_key=name_key(name), organisation=organisation)


def _member_filter() -> Filter:
    return Filter(
        "organisation",
        "Member",
        "organisation = $organisation",
        kind="text",
        hint="org id",
    )


def _members_filter() -> Filter:
    return Filter("member", "Member takes part", "member_ids ILIKE $member", value=contains)


def _text_filter(column: str, label: str) -> Filter:
    return Filter("text", label, f"{column} ILIKE $text", value=contains)


def _money(value: Any) -> str:
    return money(value, False)


def _scope_text(scope: Scope) -> str:
    who = ", ".join(scope.organisations) if scope.organisations else "all members"
    return (
        f"{who}; {scope.period.label} (every financial year loaded, not one year); as of "
        f"{scope.as_of.isoformat()} (the latest payment date loaded)"
    )


def network_scope(warehouse: Warehouse) -> Scope:
    return make_scope(warehouse)


# -- priority 1 -------------------------------------------------------------------------------


def collaboration_page(warehouse: Warehouse) -> PageData:
    scope = network_scope(warehouse)
    ov = collab.shared_overview(warehouse, scope)
    shared = collab.shared_suppliers(warehouse, scope)
    categories = collab.shared_categories(warehouse, scope)
    opps = collab.opportunities(warehouse, scope)
    data = PageData(_scope_text(scope))
    data.figures = [
        Figure(
            pct(ov.shared_supplier_pct),
            f"of named spend ({_money(ov.shared_supplier_amount)} of "
            f"{_money(ov.named_amount)}) went to {ov.shared_suppliers:,} suppliers used by two "
            "or more members",
            "#table-suppliers",
            "collaboration",
        ),
        Figure(
            f"{len(opps):,}",
            "co-commissioning opportunities (shared categories and suppliers), ranked",
            "/priorities/collaboration/opportunities",
            "collaboration",
        ),
        Figure(
            _money(sum((o.savings_low for o in opps), Decimal(0)))
            + "–"
            + _money(sum((o.savings_high for o in opps), Decimal(0))),
            "indicative yearly savings range across the opportunities (assumptions below)",
            "/priorities/collaboration/opportunities",
            "savings",
        ),
        Figure(
            _money(ov.shared_category_amount),
            f"of categorised spend ({_money(ov.categorised_amount)}) is in "
            f"{ov.shared_categories:,} categories two or more members buy",
            "/priorities/collaboration/categories",
            "collaboration",
        ),
    ]
    data.assumptions = [
        f"Suppliers are matched on {ov.supplier_basis}.",
        f"Shares are of named spend: redacted payees ({_money(ov.redacted_amount)}) are left out.",
        "Amounts are net of VAT where the publisher gives net; annual amounts are a member's "
        "spend × 12 / its months covered.",
    ]
    if opps:
        data.assumptions += opps[0].assumptions[1:]
    if not ov.categorised_amount:
        data.missing.append(
            "No spend is categorised, so no shared categories: load ProClass codes with the spend "
            "or run `observatory classify`."
        )
    supplier_rows = [
        {
            "supplier_key": s.supplier_key,
            "name": s.supplier,
            "members": s.members,
            "member_ids": ", ".join(s.member_ids),
            "amount": s.amount,
            "annual_amount": s.annual_amount,
            "per_member": "; ".join(
                f"{m.organisation}: {m.name or s.supplier} £{m.amount:,.2f}" for m in s.per_member
            ),
        }
        for s in shared
    ]
    data.tables.append(
        PageTable(
            rows_spec(
                key="suppliers",
                title="Suppliers used by at least two members",
                columns=(
                    Column(
                        "name",
                        "Supplier",
                        link=lambda r: supplier_href(r["supplier_key"], r["name"]),
                    ),
                    Column("members", "Members", "int"),
                    Column("member_ids", "Used by", sortable=False),
                    Column(
                        "amount",
                        "Spend",
                        "money",
                        link=lambda r: supplier_lines_href(r["supplier_key"], r["name"]),
                    ),
                    Column("annual_amount", "A year", "money"),
                ),
                filters=(_text_filter("name", "Supplier contains"), _members_filter()),
                default_sort="amount",
                default_descending=True,
                tiebreak=("supplier_key",),
                method="collaboration",
            ),
            RowsTable(supplier_rows),
            "Each supplier links to its page (spend per member, names as published, contracts); "
            "each amount to the spend lines.",
        )
    )
    opp_rows = [
        {
            "opportunity_id": o.opportunity_id,
            "rank": o.rank,
            "kind": o.kind,
            "label": o.label or o.unit_key,
            "members": o.members,
            "member_ids": ", ".join(o.member_ids),
            "combined_annual": o.combined_annual,
            "off_contract_annual": o.off_contract_annual,
            "first_end": o.first_end,
            "last_end": o.last_end,
            "savings_low": o.savings_low,
            "savings_high": o.savings_high,
            "price_variation": o.price_variation,
            "per_member": "; ".join(
                f"{m.organisation}: {m.reason}, £{m.annual_amount:,.0f} a year"
                for m in o.per_member
            ),
        }
        for o in opps
    ]
    data.tables.append(
        PageTable(
            rows_spec(
                key="opportunities",
                title="Co-commissioning opportunities",
                columns=(
                    Column("rank", "Rank", "int"),
                    Column("label", "Category or supplier", link=lambda r: opportunity_href(r)),
                    Column("kind", "Kind", "code"),
                    Column("members", "Members", "int"),
                    Column("member_ids", "Members taking part", sortable=False),
                    Column("combined_annual", "Combined a year", "money"),
                    Column("off_contract_annual", "Off contract a year", "money"),
                    Column("first_end", "First contract end", "date"),
                    Column("savings_low", "Savings low", "money"),
                    Column("savings_high", "Savings high", "money"),
                ),
                filters=(
                    _text_filter("label", "Category or supplier contains"),
                    _members_filter(),
                    Filter(
                        "kind",
                        "Kind",
                        "kind = $kind",
                        kind="select",
                        choices=lambda w: [("category", "category"), ("supplier", "supplier")],
                    ),
                ),
                default_sort="rank",
                tiebreak=("opportunity_id",),
                method="collaboration",
            ),
            RowsTable(opp_rows),
            "Each opportunity links to the lines and contracts behind it.",
        )
    )
    category_rows = [
        {
            "category_code": c.category_code,
            "category": c.category or c.category_code,
            "members": c.members,
            "member_ids": ", ".join(c.member_ids),
            "amount": c.amount,
            "annual_amount": c.annual_amount,
        }
        for c in categories
    ]
    data.tables.append(
        PageTable(
            rows_spec(
                key="shared_categories",
                title="Categories bought by at least two members",
                columns=(
                    Column(
                        "category",
                        "Category",
                        link=lambda r: links.spend(category=r["category_code"]),
                    ),
                    Column("category_code", "Code", "code"),
                    Column("members", "Members", "int"),
                    Column("member_ids", "Used by", sortable=False),
                    Column("amount", "Spend", "money"),
                    Column("annual_amount", "A year", "money"),
                ),
                filters=(_text_filter("category", "Category contains"), _members_filter()),
                default_sort="amount",
                default_descending=True,
                tiebreak=("category_code",),
                method="collaboration",
            ),
            RowsTable(category_rows, list(category_rows[0]) if category_rows else _CAT_COLUMNS),
        )
    )
    return data


_CAT_COLUMNS = ["category_code", "category", "members", "member_ids", "amount", "annual_amount"]


def opportunity_href(row: dict[str, Any]) -> str:
    return "/priorities/collaboration/opportunities/" + quote(row["opportunity_id"], safe="")


def opportunity_page(warehouse: Warehouse, opportunity_id: str) -> dict[str, Any] | None:
    scope = network_scope(warehouse)
    try:
        detail = collab.opportunity_detail(warehouse, scope, opportunity_id)
    except (KeyError, ValueError, LookupError):
        return None
    if detail is None:
        return None
    lines = [as_row(r) for r in detail.lines]
    columns = (
        list(lines[0])
        if lines
        else ["organisation", "payment_date", "amount", "supplier_name", "source_file"]
    )
    spec = rows_spec(
        key="opportunity_lines",
        title="The spend lines behind this opportunity",
        columns=(
            Column("payment_date", "Date", "date"),
            Column("organisation", "Member", "code"),
            Column(
                "supplier_name",
                "Supplier (as published)",
                link=lambda r: supplier_href(r.get("supplier_key"), r.get("supplier_name")),
            ),
            Column("amount", "Amount", "money"),
            Column("category_code", "Category", "code"),
            Column("on_contract", "On contract", "bool"),
            Column("source_row", "Source row", "int"),
        ),
        filters=(
            _member_filter(),
            _text_filter("supplier_name", "Supplier contains"),
        ),
        default_sort="payment_date",
        default_descending=True,
        tiebreak=("line_key",) if "line_key" in columns else (),
        method="collaboration",
    )
    o = detail.opportunity
    if o.kind == "category":
        all_lines = links.spend(category=o.unit_key)
    else:
        name = detail.lines[0].get("supplier_name") if detail.lines else o.label
        all_lines = supplier_lines_href(o.unit_key, name)
    return {
        "opportunity": o,
        "contracts": detail.contracts,
        "lines_total": detail.lines_total,
        "all_lines": all_lines,
        "scope": _scope_text(scope),
        "table": PageTable(spec, RowsTable(lines, columns)),
    }


def contracts_page(warehouse: Warehouse) -> PageData:
    scope = network_scope(warehouse)
    p = contracts_insight.pipeline(warehouse, scope)
    off = contracts_insight.off_contract(warehouse, scope, limit=None)
    vs = contracts_insight.spend_vs_contract(warehouse, scope)
    data = PageData(_scope_text(scope))
    named = sum((m.named_amount for m in off.members), Decimal(0))
    off_amount = sum((m.off_contract_amount for m in off.members), Decimal(0))
    data.figures = [
        Figure(
            f"{len(p.contracts):,}",
            f"contracts end, or must be decided, within {p.horizon_months} months",
            "#table-pipeline",
            "contracts-pipeline",
        ),
        Figure(
            pct(100.0 * float(off_amount) / float(named) if named else None),
            f"of named spend ({_money(off_amount)} of {_money(named)}) is with suppliers no live "
            "contract covers",
            "/priorities/contracts/off-contract",
            "contracts-pipeline",
        ),
        Figure(
            f"{sum(1 for c in vs if c.over_value):,}",
            "contracts where spend has passed the contract value",
            "/priorities/contracts/spend-vs-contract?over=yes",
            "contracts-pipeline",
        ),
    ]
    data.assumptions = list(p.assumptions)
    no_contracts = [m.organisation for m in off.members if not m.contracts_loaded]
    if no_contracts:
        data.missing.append(
            f"No contracts register or notices loaded for {', '.join(no_contracts)}: all of its "
            "spend counts as off-contract and it has no pipeline. Upload its contracts register "
            "or OCDS notices (/upload) to fill it."
        )
    pipeline_rows = [as_row(c) for c in p.contracts]
    data.tables.append(
        PageTable(
            rows_spec(
                key="pipeline",
                title="Contracts ending or to be decided",
                columns=(
                    Column("organisation", "Member", "code"),
                    Column("title", "Title", link=lambda r: links.contract(r["contract_key"])),
                    Column("suppliers", "Suppliers"),
                    Column("value_incl_vat", "Value incl. VAT", "money"),
                    Column("end_date", "Ends", "date"),
                    Column("decide_by", "Decide by", "date"),
                    Column("band", "Band"),
                    Column("extended", "Extended", "bool"),
                    Column("category", "Category"),
                ),
                filters=(
                    _member_filter(),
                    _text_filter("title", "Title contains"),
                    Filter("band", "Band contains", "band ILIKE $band", value=contains),
                ),
                default_sort="end_date",
                tiebreak=("contract_key",),
                method="contracts-pipeline",
            ),
            RowsTable(pipeline_rows),
            "Each contract links to its page (values as published, suppliers, releases).",
        )
    )
    duty_rows = [as_row(m) for m in p.members]
    data.tables.append(
        PageTable(
            rows_spec(
                key="pipeline_duty",
                title="Pipeline notice duty (UK1) per member",
                columns=(
                    Column(
                        "organisation",
                        "Member",
                        "code",
                        link=lambda r: links.spend(organisation=r["organisation"]),
                    ),
                    Column("last_12_months", "Last 12 months", "money"),
                    Column("expected_incl_vat", "Expected incl. VAT", "money"),
                    Column("duty_applies", "Duty applies", "bool"),
                    Column("note", "Note"),
                ),
                default_sort="organisation",
                tiebreak=("organisation",),
                method="contracts-pipeline",
            ),
            RowsTable(duty_rows),
        )
    )
    item_rows = [as_row(i) for i in off.items]
    data.tables.append(
        PageTable(
            rows_spec(
                key="off_contract",
                title="Spend with no live contract, by supplier",
                columns=tuple(_auto_columns(item_rows, money_hint=("amount",))),
                filters=(_member_filter(),) if item_rows and "organisation" in item_rows[0] else (),
                default_sort="amount" if item_rows and "amount" in item_rows[0] else "",
                default_descending=True,
                method="contracts-pipeline",
            ),
            RowsTable(item_rows),
        )
    )
    vs_rows = [as_row(c) for c in vs]
    data.tables.append(
        PageTable(
            rows_spec(
                key="spend_vs_contract",
                title="Spend against each contract",
                columns=(
                    Column("organisation", "Member", "code"),
                    Column("title", "Title", link=lambda r: links.contract(r["contract_key"])),
                    Column("suppliers", "Suppliers"),
                    Column("value_amount", "Value", "money"),
                    Column("spent", "Spent", "money"),
                    Column("lines", "Lines", "int"),
                    Column("spent_ratio", "Spent / value", numeric=True),
                    Column("over_value", "Over value", "bool"),
                    Column("end_date", "Ends", "date"),
                ),
                filters=(
                    _member_filter(),
                    _text_filter("title", "Title contains"),
                    Filter("over", "Over value", "over_value = $over", kind="flag", value=_flag),
                ),
                default_sort="spent_ratio",
                default_descending=True,
                tiebreak=("contract_key",),
                method="contracts-pipeline",
            ),
            RowsTable(vs_rows),
        )
    )
    return data


def _flag(text: str) -> bool:
    from observatory.web.tables import flag

    return flag(text)


def _auto_columns(rows: list[dict[str, Any]], money_hint: tuple[str, ...] = ()) -> list[Column]:
    if not rows:
        return [Column("organisation", "Member", "code")]
    out = []
    for name, value in rows[0].items():
        if name in ("supplier_key", "contract_key", "line_key", "source_file"):
            continue
        label = name.replace("_", " ").capitalize()
        if name in ("supplier", "supplier_name"):
            out.append(
                Column(
                    name,
                    "Supplier",
                    link=lambda r, n=name: supplier_href(r.get("supplier_key"), r.get(n)),
                )
            )
        elif isinstance(value, Decimal) or any(h in name for h in money_hint):
            out.append(Column(name, label, "money"))
        elif isinstance(value, bool):
            out.append(Column(name, label, "bool"))
        elif isinstance(value, int):
            out.append(Column(name, label, "int"))
        elif isinstance(value, float):
            out.append(Column(name, label, numeric=True))
        elif hasattr(value, "isoformat"):
            out.append(Column(name, label, "date"))
        else:
            out.append(Column(name, label))
    return out


def suppliers_page(warehouse: Warehouse) -> PageData:
    scope = network_scope(warehouse)
    top = suppliers_insight.concentration(warehouse, scope)
    deps = suppliers_insight.dependency(warehouse, scope)
    flags = red_flags.red_flags(warehouse, scope)
    data = PageData(_scope_text(scope))
    hhi = {t.organisation: t.hhi for t in top}
    data.figures = [
        Figure(
            f"{max(hhi.values()):,.0f}" if hhi else "–",
            "highest supplier concentration (HHI, 0–10,000) of any member: "
            + ", ".join(f"{k} {v:,.0f}" for k, v in sorted(hhi.items())),
            "#table-concentration",
            "suppliers-concentration",
        ),
        Figure(
            f"{sum(1 for d in deps if d.depends_on_network):,}",
            "suppliers that take most of their observed public income from the network",
            "/priorities/suppliers/dependency",
            "suppliers-concentration",
        ),
        Figure(
            f"{len(flags.flags):,}",
            "red flags to look at: "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(flags.counts.items())),
            "/priorities/suppliers/red-flags",
            "red-flags",
        ),
    ]
    data.assumptions = [
        "Concentration: each member's top 10 suppliers by positive supplier spend in scope, with "
        "the Herfindahl-Hirschman index over all its suppliers.",
        "Dependency: suppliers paid at least £100,000 a year by the network; the network's share "
        "of their observed public income (loaded non-members and notices of other buyers).",
        *[f"Red flag {k}: {v}" for k, v in flags.rules.items()],
    ]
    data.tables.append(
        PageTable(
            rows_spec(
                key="concentration",
                title="Each member's largest suppliers",
                columns=(
                    Column("organisation", "Member", "code"),
                    Column("rank", "Rank", "int"),
                    Column(
                        "supplier",
                        "Supplier",
                        link=lambda r: supplier_href(r["supplier_key"], r["supplier"]),
                    ),
                    Column(
                        "amount",
                        "Spend",
                        "money",
                        link=lambda r: supplier_lines_href(
                            r["supplier_key"], r["supplier"], r["organisation"]
                        ),
                    ),
                    Column("share", "Share", numeric=True),
                    Column("cumulative_share", "Cumulative share", numeric=True),
                    Column("hhi", "Member HHI", numeric=True),
                    Column("public_body", "Public body", "bool"),
                ),
                filters=(_member_filter(), _text_filter("supplier", "Supplier contains")),
                default_sort="organisation",
                tiebreak=("organisation", "rank"),
                method="suppliers-concentration",
            ),
            RowsTable([as_row(t) for t in top]),
            "Each supplier links to its page, each amount to the member's lines with it.",
        )
    )
    data.tables.append(
        PageTable(
            rows_spec(
                key="dependency",
                title="Suppliers' dependency on the network",
                columns=(
                    Column(
                        "supplier",
                        "Supplier",
                        link=lambda r: supplier_href(r["supplier_key"], r["supplier"]),
                    ),
                    Column("members", "Members", "int"),
                    Column("largest_member", "Largest member", "code"),
                    Column("largest_member_share", "Largest member's share", numeric=True),
                    Column(
                        "network_annual",
                        "Network a year",
                        "money",
                        link=lambda r: supplier_lines_href(r["supplier_key"], r["supplier"]),
                    ),
                    Column("other_public_annual", "Other public a year", "money"),
                    Column("network_share", "Network share", numeric=True),
                    Column("depends_on_network", "Depends on network", "bool"),
                ),
                filters=(_text_filter("supplier", "Supplier contains"),),
                default_sort="network_annual",
                default_descending=True,
                tiebreak=("supplier_key",),
                method="suppliers-concentration",
            ),
            RowsTable([as_row(d) for d in deps]),
        )
    )
    flag_rows = [
        {
            **as_row(f),
            "evidence_lines": "; ".join(
                f"{e.get('payment_date')} £{e.get('amount')} {e.get('source_file', '')} "
                f"row {e.get('source_row', '')}"
                for e in f.evidence
            ),
        }
        for f in flags.flags
    ]
    data.tables.append(
        PageTable(
            rows_spec(
                key="red_flags",
                title="Red flags",
                columns=(
                    Column("rule", "Rule", "code"),
                    Column("organisation", "Member", "code"),
                    Column(
                        "supplier",
                        "Supplier",
                        link=lambda r: supplier_lines_href(
                            r["supplier_key"], r["supplier"], r["organisation"]
                        ),
                    ),
                    Column("amount", "Amount", "money"),
                    Column("lines", "Lines", "int"),
                    Column("first_date", "First", "date"),
                    Column("last_date", "Last", "date"),
                    Column("detail", "Detail"),
                ),
                filters=(
                    _member_filter(),
                    Filter("rule", "Rule", "rule = $rule", kind="text"),
                    _text_filter("supplier", "Supplier contains"),
                ),
                default_sort="amount",
                default_descending=True,
                method="red-flags",
            ),
            RowsTable(flag_rows),
            "Each supplier links to the member's lines with it; exports list every line behind "
            "a flag (date, amount, file and row).",
        )
    )
    return data


def savings_page(warehouse: Warehouse, viewer: Viewer) -> PageData:
    """The savings register: a member sees the initiatives it takes part in; the rest of the
    network sees what members share (member records marked shared)."""
    data = PageData("savings recorded by members, every financial year recorded")
    own = viewer.organisation if viewer.is_member else None
    initiatives = savings.list_initiatives(warehouse, member=own) if own else []
    report = savings.report(warehouse, member=own) if own else []
    records = visible_records(warehouse, viewer, "savings")
    total = sum((line.amount for line in report), Decimal(0))
    data.figures = [
        Figure(
            _money(total),
            f"savings and cost avoidance recorded for {own} (all years, all bases)"
            if own
            else "the savings register is private to each member",
            "#table-savings_initiatives",
            "savings",
        ),
        Figure(
            f"{len(records):,}",
            "savings records you can see (your member's, and those other members share)",
            "/records?kind=savings",
            "member-records",
        ),
    ]
    data.assumptions = [
        "A joint initiative's whole-initiative amounts are split equally among its members.",
        "Only the members taking part see an initiative; network staff see savings only as "
        "member records a member admin shares.",
    ]
    if own and not initiatives:
        data.missing.append(
            f"No savings initiatives are recorded for {own}: add them with "
            "`observatory savings add` or as member records (/records)."
        )
    init_rows = [
        {
            **as_row(i),
            "amount": sum((a.amount for a in i.amounts), Decimal(0)),
        }
        for i in initiatives
    ]
    data.tables.append(
        PageTable(
            rows_spec(
                key="savings_initiatives",
                title="Savings initiatives",
                columns=(
                    Column("initiative_id", "Id", "int"),
                    Column("title", "Title"),
                    Column("members", "Members"),
                    Column("benefit_type", "Benefit"),
                    Column("status", "Status", "code"),
                    Column("category_label", "Category"),
                    Column("amount", "Amount (all years)", "money"),
                ),
                filters=(_text_filter("title", "Title contains"),),
                default_sort="initiative_id",
                method="savings",
            ),
            RowsTable(init_rows, list(init_rows[0]) if init_rows else _SAVINGS_COLUMNS),
        )
    )
    report_rows = [as_row(line) for line in report]
    data.tables.append(
        PageTable(
            rows_spec(
                key="savings_report",
                title="Savings by year, type and basis",
                columns=(
                    Column("organisation", "Member", "code"),
                    Column("financial_year", "Year", "code"),
                    Column("benefit_type", "Benefit"),
                    Column("basis", "Basis"),
                    Column("amount", "Amount", "money"),
                    Column("initiatives", "Initiatives", "int"),
                ),
                default_sort="financial_year",
                method="savings",
            ),
            RowsTable(
                report_rows,
                list(report_rows[0])
                if report_rows
                else [
                    "organisation",
                    "financial_year",
                    "benefit_type",
                    "basis",
                    "amount",
                    "initiatives",
                ],
            ),
        )
    )
    return data


_SAVINGS_COLUMNS = [
    "initiative_id",
    "title",
    "members",
    "benefit_type",
    "status",
    "category_label",
    "amount",
]


# -- priority 2 -------------------------------------------------------------------------------


def wealth_page(warehouse: Warehouse) -> PageData:
    shares = wealth.location_shares(warehouse)
    reasons = wealth.unknown_reasons(warehouse)
    flags = wealth.flag_shares(warehouse)
    data = PageData("all members; every loaded year (the spend loaded)")
    # The analyses add a 'network' row (all members) to the members' rows.
    network = [s for s in shares if s.organisation == "network"]
    members = network or shares
    spend = sum(s.spend for s in members)
    local = sum(s.local for s in members)
    unknown = sum(s.unknown for s in members)
    flag_rows = [f for f in flags if f.organisation == "network"] or flags
    sme = sum(f.spend for f in flag_rows if f.flag == "sme" and f.value == "yes")
    vcse = sum(f.spend for f in flag_rows if f.flag == "vcse" and f.value == "yes")
    data.figures = [
        Figure(
            pct(100 * local / spend if spend else None),
            f"of spend ({_money(local)} of {_money(spend)}) with suppliers in the member's own "
            "district",
            "#table-location_shares",
            "community-wealth",
        ),
        Figure(
            pct(100 * unknown / spend if spend else None),
            f"of spend ({_money(unknown)}) with suppliers whose location is not known",
            "/priorities/community-wealth/unknown",
            "community-wealth",
        ),
        Figure(
            _money(sme),
            "with suppliers known to be SMEs",
            "/priorities/community-wealth/sme-vcse",
            "community-wealth",
        ),
        Figure(
            _money(vcse),
            "with suppliers known to be voluntary, community or social enterprises",
            "/priorities/community-wealth/sme-vcse",
            "community-wealth",
        ),
    ]
    data.assumptions = [
        "Local: the supplier's postcode is in the member's own district; region: in its region "
        "but outside the district; a supplier with no postcode is 'unknown', never counted "
        "local.",
        "SME and VCSE status as a contract register, notice or the supplier register states it; "
        "otherwise unknown.",
        "The tables have a row per member and a 'network' row for all members together.",
    ]
    if spend and unknown >= 0.99 * spend:
        data.missing.append(
            "Almost no supplier has a known location, so local spend cannot be measured yet."
            + " What would fill it: "
            + "; ".join(dict.fromkeys(r.remedy for r in sorted(reasons, key=lambda r: -r.spend)))
            + "."
        )
    data.tables.append(
        PageTable(
            rows_spec(
                key="location_shares",
                title="Where each member's spend goes",
                columns=(
                    Column(
                        "organisation",
                        "Member",
                        "code",
                        link=lambda r: links.spend(organisation=r["organisation"]),
                    ),
                    Column("region", "Region"),
                    Column("spend", "Spend", "money"),
                    Column("local", "Local", "money"),
                    Column("region_spend", "Rest of region", "money"),
                    Column("elsewhere", "Elsewhere", "money"),
                    Column("unknown", "Unknown", "money"),
                    Column("suppliers_unlocated", "Suppliers not located", "int"),
                ),
                filters=(_member_filter(),),
                default_sort="organisation",
                tiebreak=("organisation",),
                method="community-wealth",
            ),
            RowsTable([as_row(s) for s in shares]),
        )
    )
    data.tables.append(
        PageTable(
            rows_spec(
                key="unknown",
                title="Why locations are unknown, and what would fill them",
                columns=(
                    Column("organisation", "Member", "code"),
                    Column("reason", "Reason"),
                    Column("remedy", "What would fill it"),
                    Column("spend", "Spend", "money"),
                    Column("suppliers", "Suppliers", "int"),
                ),
                filters=(_member_filter(),),
                default_sort="spend",
                default_descending=True,
                method="community-wealth",
            ),
            RowsTable([as_row(r) for r in reasons]),
        )
    )
    data.tables.append(
        PageTable(
            rows_spec(
                key="sme_vcse",
                title="SME and VCSE spend",
                columns=(
                    Column("organisation", "Member", "code"),
                    Column("flag", "Flag", "code"),
                    Column("value", "Value", "code"),
                    Column("basis", "Basis"),
                    Column("spend", "Spend", "money"),
                    Column("share", "Share", numeric=True),
                    Column("suppliers", "Suppliers", "int"),
                ),
                filters=(
                    _member_filter(),
                    Filter("flag", "Flag", "flag = $flag", kind="text", hint="sme or vcse"),
                ),
                default_sort="organisation",
                method="community-wealth",
            ),
            RowsTable([as_row(f) for f in flags]),
        )
    )
    return data


def carbon_page(warehouse: Warehouse) -> PageData:
    total = carbon.total(warehouse)
    by_member = carbon.figures(warehouse, by="member", rebuild=False)
    by_category = carbon.figures(warehouse, by="category", rebuild=False)
    by_supplier = carbon.figures(warehouse, by="supplier", rebuild=False)
    data = PageData("all members; every loaded year, each year's pounds deflated to 2022 prices")
    data.figures = [
        Figure(
            f"{total.tco2e:,.1f}",
            f"tonnes CO2e (range {total.tco2e_low:,.1f}–{total.tco2e_high:,.1f}) estimated in "
            f"{_money(total.spend)} of spend over {total.lines:,} lines",
            "#table-carbon_categories",
            "carbon",
        ),
        Figure(
            f"{100 * total.method_shares.get(total.main_method, 0):.0f}%",
            f"of the tonnes come from the method “{total.main_method}”",
            "/methods/carbon",
            "carbon",
        ),
    ]
    data.assumptions = [
        "kg CO2e = spend net of VAT × CPI(2022) / CPI(year paid) × DEFRA factor for the line's "
        "SIC group (spend-based: an estimate for finding hot spots, not a footprint).",
        "Supplier-specific factors entered with `observatory carbon override` replace the "
        "average for that supplier.",
    ]
    if not total.tco2e:
        data.missing.append(
            "No line could be given an emission factor, so the estimate is zero: no line maps "
            "to a SIC group, by its supplier's SIC code or by its category, and the average "
            "factor is taken from the lines that do (method: “" + total.main_method + "”). "
            "Supplier SIC codes (import the Companies House register and run `observatory "
            "resolve`), categories ProClass maps to SIC groups (`observatory classify`) or "
            "supplier-specific factors (`observatory carbon override`) would fill it."
        )

    def table(key: str, title: str, figures: list[Any], link: Callable[..., str | None]) -> None:
        rows = [as_row(f) for f in figures]
        data.tables.append(
            PageTable(
                rows_spec(
                    key=key,
                    title=title,
                    columns=(
                        Column("label", "Group", link=link),
                        Column("tco2e", "t CO2e", numeric=True),
                        Column("tco2e_low", "Low", numeric=True),
                        Column("tco2e_high", "High", numeric=True),
                        Column("spend", "Spend (net)", "money"),
                        Column("lines", "Lines", "int"),
                        Column("main_method", "Main method"),
                    ),
                    filters=(_text_filter("label", "Group contains"),),
                    default_sort="tco2e",
                    default_descending=True,
                    tiebreak=("key",),
                    method="carbon",
                ),
                RowsTable(rows),
            )
        )

    table(
        "carbon_categories",
        "Carbon by category",
        by_category,
        lambda r: links.spend(category=r["key"]) if r["key"] != "none" else None,
    )
    table(
        "carbon_members",
        "Carbon by member",
        by_member,
        lambda r: links.spend(organisation=r["key"]),
    )
    table(
        "carbon_suppliers",
        "Carbon by supplier",
        by_supplier,
        lambda r: supplier_href(r["key"], r["label"]),
    )
    return data


def slavery_page(warehouse: Warehouse) -> PageData:
    by_category = slavery.figures(warehouse, by="category", top=None)
    by_member = slavery.figures(warehouse, by="member", top=None, rebuild=False)
    high = slavery.high_risk_spend(warehouse, top=1000, rebuild=False)
    data = PageData("all members; every loaded year")
    spend = sum(f.spend for f in by_member)
    high_spend = sum(f.high_risk_spend for f in by_member)
    data.figures = [
        Figure(
            pct(100 * high_spend / spend if spend else None),
            f"of spend ({_money(high_spend)} of {_money(spend)}) is in categories or with "
            "suppliers the guidance treats as high risk",
            "#table-slavery_categories",
            "modern-slavery",
        ),
        Figure(
            f"{sum(1 for h in high if not h.has_evidence):,}",
            "high-risk supplier relationships with no evidence recorded (statement, assessment)",
            "/priorities/modern-slavery/high-risk",
            "modern-slavery",
        ),
    ]
    data.assumptions = [
        "Risk scores from the government guidance's list of higher-risk industries and goods, "
        "matched by SIC group or by words in the line; high risk is score 3 or more.",
        "Evidence (s54 statements, assessments) comes from `observatory slavery evidence`.",
    ]
    data.tables.append(
        PageTable(
            rows_spec(
                key="slavery_categories",
                title="Risk by category",
                columns=(
                    Column(
                        "label",
                        "Category",
                        link=lambda r: (
                            links.spend(category=r["key"]) if r["key"] != "none" else None
                        ),
                    ),
                    Column("spend", "Spend", "money"),
                    Column("high_risk_spend", "High risk", "money"),
                    Column("medium_risk_spend", "Medium risk", "money"),
                    Column("weighted_score", "Weighted score", numeric=True),
                    Column("reasons", "Why"),
                ),
                filters=(_text_filter("label", "Category contains"),),
                default_sort="high_risk_spend",
                default_descending=True,
                tiebreak=("key",),
                method="modern-slavery",
            ),
            RowsTable([as_row(f) for f in by_category]),
        )
    )
    data.tables.append(
        PageTable(
            rows_spec(
                key="high_risk",
                title="High-risk spend by member and supplier",
                columns=(
                    Column("organisation", "Member", "code"),
                    Column(
                        "supplier_name",
                        "Supplier",
                        link=lambda r: supplier_href(r["supplier_key"], r["supplier_name"]),
                    ),
                    Column("category_label", "Category"),
                    Column(
                        "spend",
                        "Spend",
                        "money",
                        link=lambda r: supplier_lines_href(
                            r["supplier_key"], r["supplier_name"], r["organisation"]
                        ),
                    ),
                    Column("lines", "Lines", "int"),
                    Column("score", "Score", "int"),
                    Column("reason", "Why"),
                    Column("has_evidence", "Evidence", "bool"),
                ),
                filters=(_member_filter(), _text_filter("supplier_name", "Supplier contains")),
                default_sort="spend",
                default_descending=True,
                method="modern-slavery",
            ),
            RowsTable([as_row(h) for h in high]),
        )
    )
    return data


def social_value_page(warehouse: Warehouse, viewer: Viewer) -> PageData:
    """Commitments and returns are a member's own: its people see them; others see only the
    social value member records a member shares."""
    own = viewer.organisation if viewer.is_member else None
    figures = social_value.report(warehouse, by="contract", organisation=own) if own else []
    records = visible_records(warehouse, viewer, "social_value")
    data = PageData(
        f"{own}'s commitments and returns, every period recorded"
        if own
        else "members' shared social value records"
    )
    committed = sum((f.committed_value for f in figures), Decimal(0))
    delivered = sum((f.delivered_value for f in figures), Decimal(0))
    data.figures = [
        Figure(
            _money(delivered),
            f"social value delivered (proxy values), against {_money(committed)} committed"
            + (f" for {own}" if own else ""),
            "#table-social_value",
            "social-value",
        ),
        Figure(
            f"{len(records):,}",
            "social value records you can see (your member's, and those other members share)",
            "/records?kind=social_value",
            "member-records",
        ),
    ]
    data.assumptions = [
        "Value = quantity × the measure's proxy value (the framework installed with "
        "`observatory social-value framework`).",
        "Commitments and returns are private to their member; network staff see only shared "
        "member records.",
    ]
    if own and not figures:
        data.missing.append(
            f"No social value commitments or returns recorded for {own}: add them with "
            "`observatory social-value commit` / `import-returns`, or as member records."
        )
    rows = [as_row(f) for f in figures]
    data.tables.append(
        PageTable(
            rows_spec(
                key="social_value",
                title="Social value by contract",
                columns=(
                    Column("key", "Contract"),
                    Column("committed_value", "Committed", "money"),
                    Column("delivered_value", "Delivered", "money"),
                    Column("measures", "Measures", "int"),
                ),
                filters=(_text_filter("key", "Contract contains"),),
                default_sort="committed_value",
                default_descending=True,
                method="social-value",
            ),
            RowsTable(
                rows,
                list(rows[0])
                if rows
                else ["key", "committed_value", "delivered_value", "measures"],
            ),
        )
    )
    return data


def procurement_act_page(warehouse: Warehouse) -> PageData:
    scope = network_scope(warehouse)
    ov = duties.notices_overview(warehouse, None, scope.as_of)
    payments = prompt_payment.payment_figures(warehouse)
    data = PageData(f"all members; duties as of {ov.as_of.isoformat()} (the latest payment date)")
    status = ov.summary.get("by_status", {})
    data.figures = [
        Figure(
            f"{status.get('overdue', 0):,}",
            "notices overdue",
            "#table-duties",
            "notices",
        ),
        Figure(
            f"{status.get('due', 0):,}",
            "notices due",
            "/priorities/procurement-act?status=due",
            "notices",
        ),
        Figure(
            f"{ov.summary.get('total', 0):,}",
            "duties checked: " + ", ".join(f"{k} {v:,}" for k, v in sorted(status.items())),
            "#table-duties",
            "notices",
        ),
    ]
    data.assumptions = [
        "Contracts under the old regime (procured before 24 February 2025) owe no Procurement "
        "Act notices.",
        "Payments compliance (UK17) needs invoice and payment dates from accounts-payable "
        "extracts; spend files alone do not give them.",
    ]
    if not payments:
        data.missing.append(
            "No accounts-payable extracts loaded: the payments figures (UK17) cannot be computed. "
            "Load them with `observatory load payments`."
        )
    data.tables.append(
        PageTable(
            rows_spec(
                key="duties",
                title="Notices due per member and contract",
                columns=(
                    Column("organisation", "Member", "code"),
                    Column("notice", "Notice", "code"),
                    Column(
                        "subject",
                        "Subject",
                        link=lambda r: (
                            links.contract(r["contract_key"]) if r.get("contract_key") else None
                        ),
                    ),
                    Column("status", "Status", "code"),
                    Column("due", "Due", "date"),
                    Column("value_gross", "Value incl. VAT", "money"),
                    Column("reason", "Why"),
                ),
                filters=(
                    _member_filter(),
                    Filter("status", "Status", "status = $status", kind="text"),
                    Filter("notice", "Notice", "notice = $notice", kind="text"),
                ),
                default_sort="due",
                tiebreak=("organisation", "notice", "subject"),
                method="notices",
            ),
            RowsTable([as_row(d) for d in ov.duties]),
            "Each contract's duty links to the contract.",
        )
    )
    pay_rows = [
        {
            "organisation": p.organisation,
            "period_start": p.period_start,
            "period_end": p.period_end,
            "covered": p.covered,
            **{k: v for k, v in as_row(p.figures).items() if k not in ("organisation",)},
        }
        for p in payments
    ]
    data.tables.append(
        PageTable(
            rows_spec(
                key="payments",
                title="Payments compliance (UK17) per member and half-year",
                columns=(
                    Column(
                        "organisation",
                        "Member",
                        "code",
                        link=lambda r: links.spend(organisation=r["organisation"]),
                    ),
                    Column("period_start", "From", "date"),
                    Column("period_end", "To", "date"),
                    Column("covered", "Covered", "bool"),
                    Column("payments_made", "Payments", "int"),
                    Column("amount_paid", "Paid", "money"),
                    Column("average_days", "Average days", numeric=True),
                    Column("within_30", "Within 30 days", "int"),
                    Column("within_31_60", "31–60 days", "int"),
                    Column("over_60", "Over 60 days", "int"),
                ),
                filters=(_member_filter(),),
                default_sort="period_start",
                tiebreak=("organisation",),
                method="prompt-payment",
            ),
            RowsTable(pay_rows, list(pay_rows[0]) if pay_rows else ["organisation"]),
        )
    )
    return data


# -- dispatch ---------------------------------------------------------------------------------

# slug -> (builder, whether the page depends on who asks: member-entered records)
BUILDERS: dict[str, tuple[Callable[..., PageData], bool]] = {
    "collaboration": (collaboration_page, False),
    "contracts": (contracts_page, False),
    "suppliers": (suppliers_page, False),
    "savings": (savings_page, True),
    "community-wealth": (wealth_page, False),
    "carbon": (carbon_page, False),
    "modern-slavery": (slavery_page, False),
    "social-value": (social_value_page, True),
    "procurement-act": (procurement_act_page, False),
}

# /priorities/{slug}/{sub}: the page's further tables, by address
SUBPAGES: dict[str, dict[str, str]] = {
    "collaboration": {"opportunities": "opportunities", "categories": "shared_categories"},
    "contracts": {
        "duty": "pipeline_duty",
        "off-contract": "off_contract",
        "spend-vs-contract": "spend_vs_contract",
    },
    "suppliers": {"dependency": "dependency", "red-flags": "red_flags"},
    "savings": {"report": "savings_report"},
    "community-wealth": {"unknown": "unknown", "sme-vcse": "sme_vcse"},
    "carbon": {"members": "carbon_members", "suppliers": "carbon_suppliers"},
    "modern-slavery": {"high-risk": "high_risk"},
    "social-value": {},
    "procurement-act": {"payments": "payments"},
}


def page_data(warehouse: Warehouse, slug: str, viewer: Viewer) -> PageData:
    build, per_viewer = BUILDERS[slug]
    return build(warehouse, viewer) if per_viewer else build(warehouse)


def cache_key(slug: str, viewer: Viewer) -> tuple[Any, ...]:
    _, per_viewer = BUILDERS[slug]
    return ("priority", slug, (viewer.organisation, viewer.is_member) if per_viewer else None)
