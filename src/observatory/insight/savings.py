"""Savings and benefits register, and the practice library it forms (CPC priorities 1, 1.1, 1.2).

Members record initiatives (a joint procurement, a renegotiation) with their benefit type,
baseline, amounts by financial year, status and evidence, and each one's write-up: what was done,
the route, lessons, contact and documents. Reports add amounts up per member and network-wide;
the library is searched by words and filtered by category, member, priority and outcome.
Method and definitions: docs/methods/savings.md.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from observatory import organisations as orgs
from observatory.insight.scope import parse_period, run_sql
from observatory.store import Warehouse

# The four benefit types the network reports (definitions in docs/methods/savings.md).
BENEFIT_TYPES = {
    "cashable saving": "Spend goes down against the baseline: the budget can be reduced.",
    "cost avoidance": "A cost that would have risen (a price increase, new demand) does not, or "
    "rises less; no budget comes out.",
    "efficiency": "The same outcome for less staff time or effort, or a better outcome for the "
    "same cost; valued, not cashable.",
    "income generation": "New money in: rebates, fees, sale of services or assets.",
}
STATUSES = ("idea", "planned", "in progress", "delivered", "closed")
OUTCOMES = ("achieved", "partly achieved", "not achieved", "too early")
BASES = ("forecast", "actual")


class SavingsError(ValueError):
    """An initiative that cannot be recorded as given (the message says which field and why)."""


@dataclass(frozen=True)
class YearAmount:
    financial_year: str  # '2024-25'
    amount: Decimal
    organisation: str = ""  # '' = the whole initiative
    basis: str = "actual"


@dataclass
class Initiative:
    title: str
    members: list[str]
    benefit_type: str
    status: str = "planned"
    category_code: str | None = None
    category_label: str | None = None
    priority: str | None = None
    baseline: Decimal | None = None
    baseline_note: str | None = None
    outcome: str | None = None
    evidence: str | None = None
    summary: str | None = None
    route: str | None = None
    lessons: str | None = None
    contact: str | None = None
    documents: list[str] = field(default_factory=list)
    opportunity_id: str | None = None
    lead_member: str | None = None
    recorded_by: str | None = None
    amounts: list[YearAmount] = field(default_factory=list)
    initiative_id: int | None = None
    recorded_at: datetime | None = None
    score: int | None = None  # library search relevance

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def parse_year_amount(text: str) -> YearAmount:
    """'2024-25=12000', '2024-25=12000@salford', '2025-26=8000:forecast' (either suffix order)."""
    m = re.fullmatch(r"\s*([0-9/-]+)\s*=\s*£?([-0-9,.]+)\s*((?:[@:][A-Za-z_ -]+)*)\s*", text)
    if not m:
        raise SavingsError(
            f"--amount {text!r}: write YEAR=AMOUNT, e.g. 2024-25=12000, "
            "2024-25=12000@salford or 2025-26=8000:forecast"
        )
    year = parse_period(m.group(1)).label
    try:
        amount = Decimal(m.group(2).replace(",", ""))
    except InvalidOperation as exc:
        raise SavingsError(f"--amount {text!r}: {m.group(2)!r} is not an amount") from exc
    organisation, basis = "", "actual"
    for part in re.findall(r"[@:][^@:]+", m.group(3) or ""):
        if part[0] == "@":
            organisation = part[1:].strip()
        else:
            basis = part[1:].strip().lower()
    if basis not in BASES:
        raise SavingsError(f"--amount {text!r}: basis must be forecast or actual")
    return YearAmount(year, amount, organisation, basis)


def _check(warehouse: Warehouse, i: Initiative) -> None:
    if not i.title.strip():
        raise SavingsError("an initiative needs a title")
    if i.benefit_type not in BENEFIT_TYPES:
        raise SavingsError(
            f"benefit type {i.benefit_type!r}: use one of {', '.join(BENEFIT_TYPES)}"
        )
    if i.status not in STATUSES:
        raise SavingsError(f"status {i.status!r}: use one of {', '.join(STATUSES)}")
    if i.outcome is not None and i.outcome not in OUTCOMES:
        raise SavingsError(f"outcome {i.outcome!r}: use one of {', '.join(OUTCOMES)}")
    if not i.members:
        raise SavingsError("name at least one member (--member)")
    known = {o.org_id for o in orgs.known(warehouse)}
    unknown = [m for m in i.members if m not in known]
    unknown += [
        a.organisation for a in i.amounts if a.organisation and a.organisation not in i.members
    ]
    if unknown:
        raise SavingsError(
            f"not a member of this initiative or of the network: {', '.join(sorted(set(unknown)))}"
        )


def add_initiative(warehouse: Warehouse, initiative: Initiative) -> int:
    """Record an initiative and its amounts; returns its id."""
    i = initiative
    _check(warehouse, i)
    with warehouse.transaction():
        new_id = int(warehouse.fetch_value("SELECT nextval('savings_initiative_seq')"))
        warehouse.execute(
            "INSERT INTO savings_initiatives (initiative_id, title, members, lead_member, "
            "category_code, category_label, priority, benefit_type, baseline, baseline_note, "
            "status, outcome, evidence, summary, route, lessons, contact, documents, "
            "opportunity_id, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?)",
            [
                new_id, i.title.strip(), i.members, i.lead_member or i.members[0],
                i.category_code, i.category_label, i.priority, i.benefit_type, i.baseline,
                i.baseline_note, i.status, i.outcome, i.evidence, i.summary, i.route, i.lessons,
                i.contact, i.documents, i.opportunity_id, i.recorded_by,
            ],
        )  # fmt: skip
        for a in i.amounts:
            warehouse.execute(
                "INSERT OR REPLACE INTO savings_amounts VALUES (?, ?, ?, ?, ?)",
                [new_id, a.financial_year, a.organisation, a.basis, a.amount],
            )
    return new_id


def _initiatives(rows: list[dict[str, Any]], amounts: list[dict[str, Any]]) -> list[Initiative]:
    by_id: dict[int, list[YearAmount]] = {}
    for a in amounts:
        by_id.setdefault(a["initiative_id"], []).append(
            YearAmount(a["financial_year"], a["amount"], a["organisation"], a["basis"])
        )
    out = []
    for r in rows:
        out.append(
            Initiative(
                **{
                    k: r[k]
                    for k in Initiative.__dataclass_fields__
                    if k in r and k not in ("amounts", "documents", "members", "score")
                },
                members=list(r["members"]),
                documents=list(r["documents"] or []),
                amounts=by_id.get(r["initiative_id"], []),
                score=r.get("score"),
            )
        )
    return out


def list_initiatives(
    warehouse: Warehouse,
    member: str | None = None,
    status: str | None = None,
    benefit_type: str | None = None,
) -> list[Initiative]:
    rows = warehouse.fetch(
        "SELECT * FROM savings_initiatives "
        "WHERE ($member IS NULL OR list_contains(members, $member)) "
        "AND ($status IS NULL OR status = $status) "
        "AND ($benefit_type IS NULL OR benefit_type = $benefit_type) ORDER BY initiative_id",
        {"member": member, "status": status, "benefit_type": benefit_type},
    )
    amounts = warehouse.fetch(
        "SELECT * FROM savings_amounts ORDER BY initiative_id, financial_year, organisation, basis"
    )
    return _initiatives(rows, amounts)


@dataclass(frozen=True)
class SavingsLine:
    organisation: str  # a member, or 'network' for the network-wide total
    financial_year: str
    benefit_type: str
    basis: str
    amount: Decimal
    initiatives: int


def report(
    warehouse: Warehouse, member: str | None = None, year: str | None = None
) -> list[SavingsLine]:
    """Per member (whole-initiative amounts split equally among its members), then network-wide
    totals per year, type and basis (organisation 'network')."""
    fy = parse_period(year).label if year else None
    rows = run_sql(warehouse, "insight_savings_report", {"member": member, "year": fy})
    lines = [
        SavingsLine(
            r["organisation"],
            r["financial_year"],
            r["benefit_type"],
            r["basis"],
            Decimal(r["amount"]).quantize(Decimal("0.01")),
            r["initiatives"],
        )
        for r in rows
    ]
    network: dict[tuple[str, str, str], list[Any]] = {}
    for line in lines:
        key = (line.financial_year, line.benefit_type, line.basis)
        network.setdefault(key, [Decimal("0.00"), 0])[0] += line.amount
    # Count initiatives once each for the network row (a joint one appears under every member).
    counts = {
        (r["financial_year"], r["benefit_type"], r["basis"]): r["n"]
        for r in warehouse.fetch(
            "SELECT a.financial_year, i.benefit_type, a.basis, count(DISTINCT a.initiative_id) "
            "AS n FROM savings_amounts a JOIN savings_initiatives i USING (initiative_id) "
            "GROUP BY ALL"
        )
    }
    if member is None:
        lines += [
            SavingsLine(
                "network", y, t, b, v[0].quantize(Decimal("0.01")), counts.get((y, t, b), 0)
            )
            for (y, t, b), v in sorted(network.items())
        ]
    return lines


EXPORT_COLUMNS = (
    "initiative_id", "title", "members", "lead_member", "category_code", "category_label",
    "priority", "benefit_type", "baseline", "baseline_note", "status", "outcome", "evidence",
    "summary", "route", "lessons", "contact", "documents", "opportunity_id", "recorded_by",
    "recorded_at",
)  # fmt: skip
AMOUNT_COLUMNS = ("initiative_id", "financial_year", "organisation", "basis", "amount")


def export(warehouse: Warehouse, path: Path, fmt: str | None = None) -> int:
    """Write the register: CSV (one row per initiative and amount) or XLSX (two sheets:
    initiatives and amounts). Returns the number of initiatives."""
    fmt = (fmt or path.suffix.lstrip(".") or "csv").lower()
    initiatives = list_initiatives(warehouse)

    def cell(value: Any) -> Any:
        if isinstance(value, list):
            return "; ".join(str(v) for v in value)
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, datetime):
            return value.isoformat(sep=" ", timespec="seconds")
        return value

    rows = [[cell(getattr(i, c)) for c in EXPORT_COLUMNS] for i in initiatives]
    amounts = [
        [i.initiative_id, a.financial_year, a.organisation or "(whole initiative)", a.basis,
         float(a.amount)]
        for i in initiatives
        for a in i.amounts
    ]  # fmt: skip
    if fmt == "csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(
                [*EXPORT_COLUMNS, "financial_year", "amount_organisation", "basis", "amount"]
            )
            for i, row in zip(initiatives, rows, strict=True):
                own = [a for a in amounts if a[0] == i.initiative_id] or [[None, "", "", "", ""]]
                for a in own:
                    w.writerow([*row, *a[1:]])
    elif fmt == "xlsx":
        import xlsxwriter

        book = xlsxwriter.Workbook(str(path))
        for name, header, data in (
            ("initiatives", EXPORT_COLUMNS, rows),
            ("amounts", AMOUNT_COLUMNS, amounts),
        ):
            sheet = book.add_worksheet(name)
            sheet.write_row(0, 0, header)
            for n, row in enumerate(data, start=1):
                sheet.write_row(n, 0, ["" if v is None else v for v in row])
        book.close()
    else:
        raise SavingsError(f"format {fmt!r}: use csv or xlsx")
    return len(initiatives)


def search_library(
    warehouse: Warehouse,
    query: str = "",
    category: str | None = None,
    member: str | None = None,
    priority: str | None = None,
    outcome: str | None = None,
) -> list[Initiative]:
    """The practice library: initiatives matching any query word (best first), after filters."""
    words = [w for w in re.findall(r"[a-z0-9£']+", query.lower()) if len(w) > 1]
    rows = run_sql(
        warehouse,
        "insight_practice_search",
        {
            "words": words,
            "category": category,
            "member": member,
            "priority": priority,
            "outcome": outcome,
        },
    )
    ids = [r["initiative_id"] for r in rows]
    amounts = warehouse.fetch(
        "SELECT * FROM savings_amounts WHERE list_contains($ids, initiative_id) "
        "ORDER BY initiative_id, financial_year, organisation, basis",
        {"ids": ids},
    )
    return _initiatives(rows, amounts)
