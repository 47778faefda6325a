"""Modern-slavery risk: a score (0-5) per spend line, supplier and category from the higher-risk
industries and goods (data/modern_slavery_risk.csv, each entry with its source), adjusted by the
evidence a member records per supplier (s54 statement, assessment). docs/methods/modern-slavery.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa

from observatory.insight import outcomes_reference as ref
from observatory.store import Warehouse

LEVEL_SCORES = {"high": 3, "medium": 2}
STATEMENT_TURNOVER = Decimal(36_000_000)  # Modern Slavery Act 2015 s54 (SI 2015/1833)


def band(score: int) -> str:
    return "high" if score >= 3 else "medium" if score == 2 else "low" if score == 1 else "none"


@dataclass(frozen=True)
class RiskEntry:
    risk_id: str
    industry_or_good: str
    level: str
    sic_groups: tuple[str, ...]
    keywords: str
    source: str


def risk_table() -> list[RiskEntry]:
    return [
        RiskEntry(
            r["risk_id"],
            r["industry_or_good"],
            r["level"],
            tuple(g for g in r["sic_groups"].split(";") if g),
            r["keywords"],
            r["source"],
        )
        for r in ref.data_rows("modern_slavery_risk.csv")
    ]


def build(warehouse: Warehouse, today: date | None = None) -> None:
    ref.prepare(warehouse)
    text = ref.TEXT
    ref.temp_table(
        warehouse,
        "ref_slavery_risk",
        {
            "risk_id": text,
            "industry_or_good": text,
            "score": ref.WHOLE,
            "sic_groups": pa.list_(text),
            "keywords": text,
            "source": text,
        },
        [
            (
                e.risk_id,
                e.industry_or_good,
                LEVEL_SCORES[e.level],
                list(e.sic_groups),
                e.keywords,
                e.source,
            )
            for e in risk_table()
        ],
    )
    this_year = (today or date.today()).year
    ref.run_script(warehouse, "slavery_lines", {"this_year": this_year})


@dataclass(frozen=True)
class RiskFigure:
    """Spend in one group by risk band, and its spend-weighted score."""

    grouping: str
    key: str
    label: str
    spend: float
    high_risk_spend: float  # score >= 3
    medium_risk_spend: float
    weighted_score: float
    reasons: str  # the reasons behind the group's highest-scoring lines

    def as_json(self) -> dict[str, Any]:
        return {
            "grouping": self.grouping,
            "key": self.key,
            "label": self.label,
            "spend": round(self.spend, 2),
            "high_risk_spend": round(self.high_risk_spend, 2),
            "medium_risk_spend": round(self.medium_risk_spend, 2),
            "weighted_score": round(self.weighted_score, 3),
            "reasons": self.reasons,
        }


GROUPINGS = {
    "member": ("organisation", "organisation"),
    "category": ("coalesce(category, 'none')", "coalesce(category_label, 'no category')"),
    "supplier": ("supplier_key", "coalesce(supplier_name, supplier_key)"),
}


def figures(
    warehouse: Warehouse,
    by: str = "category",
    organisation: str | None = None,
    top: int | None = 20,
    rebuild: bool = True,
) -> list[RiskFigure]:
    """Groups ordered by high-risk spend."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    if rebuild:
        build(warehouse)
    key, label = GROUPINGS[by]
    where = "WHERE organisation = $org" if organisation else ""
    params = {"org": organisation} if organisation else {}
    limit = f"LIMIT {int(top)}" if top else ""
    rows = warehouse.fetch(
        f"""
        SELECT {key} AS key, min({label}) AS label, sum(net_amount)::DOUBLE AS spend,
               coalesce(sum(net_amount) FILTER (WHERE score >= 3), 0)::DOUBLE AS high,
               coalesce(sum(net_amount) FILTER (WHERE score = 2), 0)::DOUBLE AS medium,
               sum(net_amount * score) / nullif(sum(net_amount), 0) AS weighted,
               arg_max(reason, score * 1e15 + net_amount) AS reasons
        FROM slavery_lines {where}
        GROUP BY 1 ORDER BY high DESC, spend DESC {limit}
        """,
        params,
    )
    return [
        RiskFigure(
            by,
            str(r["key"]),
            str(r["label"]),
            r["spend"] or 0.0,
            r["high"],
            r["medium"],
            float(r["weighted"] or 0),
            r["reasons"] or "",
        )
        for r in rows
    ]


@dataclass(frozen=True)
class HighRiskEntry:
    """A supplier and category where a member's spend scores high, with the reason."""

    organisation: str
    supplier_key: str
    supplier_name: str
    category: str
    category_label: str
    spend: float
    lines: int
    score: int
    band: str
    reason: str
    has_evidence: bool

    def as_json(self) -> dict[str, Any]:
        return {**self.__dict__, "spend": round(self.spend, 2)}


def high_risk_spend(
    warehouse: Warehouse,
    organisation: str | None = None,
    min_score: int = 3,
    top: int = 50,
    rebuild: bool = True,
) -> list[HighRiskEntry]:
    if rebuild:
        build(warehouse)
    where = "AND organisation = $org" if organisation else ""
    params: dict[str, Any] = {"min": min_score}
    if organisation:
        params["org"] = organisation
    rows = warehouse.fetch(
        f"""
        SELECT organisation, supplier_key, min(coalesce(supplier_name, supplier_key)) AS name,
               coalesce(category, 'none') AS category,
               min(coalesce(category_label, 'no category')) AS label,
               sum(net_amount)::DOUBLE AS spend, count(*) AS lines, max(score) AS score,
               arg_max(reason, score) AS reason, bool_or(has_evidence) AS has_evidence
        FROM slavery_lines
        WHERE score >= $min AND supplier_key <> 'redacted' {where}
        GROUP BY organisation, supplier_key, coalesce(category, 'none')
        HAVING sum(net_amount) > 0
        ORDER BY spend DESC LIMIT {int(top)}
        """,
        params,
    )
    return [
        HighRiskEntry(
            r["organisation"],
            r["supplier_key"],
            r["name"],
            r["category"],
            r["label"],
            r["spend"],
            int(r["lines"]),
            int(r["score"]),
            band(int(r["score"])),
            r["reason"],
            bool(r["has_evidence"]),
        )
        for r in rows
    ]


# -- the evidence register -------------------------------------------------------------------
@dataclass(frozen=True)
class Evidence:
    supplier_key: str
    supplier_name: str
    turnover_gbp: Decimal | None = None
    statement_year: int | None = None
    statement_link: str | None = None
    assessment_completed: bool | None = None
    assessment_date: date | None = None
    note: str | None = None
    entered_by: str | None = None


def record_evidence(warehouse: Warehouse, evidence: Evidence) -> None:
    warehouse.execute(
        "INSERT OR REPLACE INTO slavery_evidence (supplier_key, supplier_name, turnover_gbp, "
        "statement_year, statement_link, assessment_completed, assessment_date, note, entered_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            evidence.supplier_key,
            evidence.supplier_name,
            evidence.turnover_gbp,
            evidence.statement_year,
            evidence.statement_link,
            evidence.assessment_completed,
            evidence.assessment_date,
            evidence.note,
            evidence.entered_by,
        ],
    )


def evidence_register(warehouse: Warehouse) -> list[Evidence]:
    rows = warehouse.fetch(
        "SELECT * EXCLUDE (entered_at) FROM slavery_evidence ORDER BY supplier_name"
    )
    return [Evidence(**r) for r in rows]
