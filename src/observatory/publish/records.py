"""Records a member enters itself: pipeline entries (UK1), KPIs and their ratings (UK7, UK9).

None of these is in a published file; the member types them in (``observatory notices pipeline
add``, ``notices kpi add``, ``notices kpi rate``). ``seed_demo_records`` gives the demonstration
network a few, so its duties tracker and UK9 notices have something to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from observatory.publish.rules import act_rules, add_months
from observatory.store import Warehouse

CATEGORIES = ("goods", "services", "works")


class RecordError(ValueError):
    """A record that cannot be entered; the message says why."""


def rating_code(text: str) -> str:
    """The UK extension's rating code for what a member typed ('Good', 'met', 'below' …)."""
    rules = act_rules()
    words = {k.lower(): v for k, v in rules.performance["rating_words"].items()}
    codes = {c.lower(): c for c in rules.performance["ratings"]}
    key = text.strip().lower()
    found = codes.get(key) or words.get(key)
    if found is None:
        allowed = ", ".join(rules.performance["ratings"])
        raise RecordError(
            f"rating {text!r} is not known: use one of {allowed} (or good, approaching target, "
            "requires improvement, inadequate)"
        )
    return found


def add_pipeline_entry(
    warehouse: Warehouse,
    organisation: str,
    title: str,
    value: Decimal,
    expected_advert: date,
    *,
    includes_vat: bool = False,
    description: str | None = None,
    expected_start: date | None = None,
    category: str | None = None,
    cpv_code: str | None = None,
) -> int:
    """Store a procurement the member expects to advertise; returns its entry id."""
    if value <= 0:
        raise RecordError(f"the estimated value must be positive, not {value}")
    if category is not None and category not in CATEGORIES:
        raise RecordError(f"category must be one of {', '.join(CATEGORIES)}, not {category!r}")
    if expected_start is not None and expected_start < expected_advert:
        raise RecordError("the expected start comes before the expected advertisement")
    entry_id = int(warehouse.fetch_value("SELECT nextval('pipeline_seq')"))
    warehouse.execute(
        "INSERT INTO pipeline_entries (entry_id, organisation, title, description, value_amount, "
        "value_includes_vat, expected_advert, expected_start, category, cpv_code) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entry_id,
            organisation,
            title,
            description,
            value,
            includes_vat,
            expected_advert,
            expected_start,
            category,
            cpv_code,
        ],
    )
    return entry_id


def _contract_owner(warehouse: Warehouse, contract_key: str) -> str | None:
    rows = warehouse.fetch(
        "SELECT organisation FROM contracts WHERE contract_key = ?", [contract_key]
    )
    if not rows:
        raise RecordError(
            f"no contract {contract_key!r}: see `observatory notices duties` for contract keys"
        )
    return rows[0]["organisation"]


def add_kpi(
    warehouse: Warehouse,
    contract_key: str,
    title: str,
    *,
    description: str | None = None,
    target: str | None = None,
) -> int:
    """Store a KPI set for a contract; returns its id."""
    owner = _contract_owner(warehouse, contract_key)
    kpi_id = int(warehouse.fetch_value("SELECT nextval('kpi_seq')"))
    warehouse.execute(
        "INSERT INTO contract_kpis (kpi_id, contract_key, organisation, title, description, target)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [kpi_id, contract_key, owner, title, description, target],
    )
    return kpi_id


def add_rating(
    warehouse: Warehouse,
    kpi_id: int,
    period_start: date,
    period_end: date,
    rating: str,
    notes: str | None = None,
) -> str:
    """Store (or replace) a KPI's rating for a period; returns the rating code stored."""
    if period_end < period_start:
        raise RecordError("the rating period ends before it starts")
    rows = warehouse.fetch("SELECT contract_key FROM contract_kpis WHERE kpi_id = ?", [kpi_id])
    if not rows:
        raise RecordError(f"no KPI {kpi_id}: see `observatory notices kpi list`")
    code = rating_code(rating)
    warehouse.execute(
        "INSERT OR REPLACE INTO kpi_ratings (kpi_id, contract_key, period_start, period_end, "
        "rating, notes) VALUES (?, ?, ?, ?, ?, ?)",
        [kpi_id, rows[0]["contract_key"], period_start, period_end, code, notes],
    )
    return code


@dataclass(frozen=True)
class SeededRecords:
    kpis: int
    ratings: int
    contracts: list[str]


# The demo's KPIs: the kind a council sets for a works or services contract of £5m or more.
DEMO_KPIS = (
    (
        "Milestones delivered on time",
        "Share of programme milestones met by their agreed date",
        "95%",
    ),
    ("Local labour", "Share of site hours worked by residents of the borough", "30%"),
    ("Health and safety", "Reportable incidents (RIDDOR) in the period", "0"),
)
DEMO_RATINGS = ("met", "slightlyBelow", "met")


def seed_demo_records(warehouse: Warehouse) -> SeededRecords:
    """Three KPIs and a first year of ratings for brindleford's largest contract under the Act
    (£5m or more with VAT), so the tracker shows KPIs done and a UK9 to draft. Idempotent."""
    rules = act_rules()
    threshold = Decimal(str(rules.contract_details["kpi_value_threshold"]))
    rows = warehouse.fetch(
        "SELECT contract_key, organisation, start_date FROM contracts "
        "WHERE organisation IN ('brindleford', 'castlemoor') AND start_date >= ? "
        "AND value_amount * 1.2 >= ? ORDER BY organisation, value_amount DESC, contract_key",
        [rules.in_force, threshold],
    )
    chosen = [r for r in rows if r["organisation"] == "brindleford"][:1]
    kpi_count = rating_count = 0
    for row in chosen:
        key = row["contract_key"]
        if warehouse.fetch_value(
            "SELECT count(*) FROM contract_kpis WHERE contract_key = ?", [key]
        ):
            continue
        start = row["start_date"]
        end = add_months(start, int(rules.performance["every_months"])) - timedelta(days=1)
        for (title, description, target), rating in zip(DEMO_KPIS, DEMO_RATINGS, strict=True):
            kpi_id = add_kpi(warehouse, key, title, description=description, target=target)
            kpi_count += 1
            add_rating(warehouse, kpi_id, start, end, rating, "demonstration rating")
            rating_count += 1
    return SeededRecords(kpi_count, rating_count, [r["contract_key"] for r in chosen])
