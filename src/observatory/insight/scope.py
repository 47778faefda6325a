"""What an analysis covers: which members, which financial year (or all loaded years), and the
date it treats as "now". Every figure the insight modules return carries its scope's label, so a
committee report never mixes Manchester's 2021-22 with Trafford's 2024-25 without saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from observatory.store import Warehouse
from observatory.store.warehouse import sql_text

ALL_YEARS = "all"
_FY = re.compile(r"^(\d{4})(?:[-/](\d{2}|\d{4}))?$")


@dataclass(frozen=True)
class Period:
    """A UK public-sector financial year (1 April to 31 March) or every loaded year."""

    label: str  # '2021-22' or 'all loaded years'
    start: date | None
    end: date | None

    @property
    def is_all(self) -> bool:
        return self.start is None


def financial_year(day: date) -> str:
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def parse_period(text: str | None) -> Period:
    """'2021-22', '2021/22', '2021' (the year starting April 2021) or 'all'."""
    if text is None or text.strip().lower() in (ALL_YEARS, "", "all loaded years"):
        return Period("all loaded years", None, None)
    m = _FY.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a financial year: use e.g. 2021-22, or 'all'")
    first = int(m.group(1))
    if m.group(2) and int(m.group(2)[-2:]) != (first + 1) % 100:
        raise ValueError(
            f"{text!r}: a financial year runs from April of one year to March of the next"
        )
    return Period(f"{first}-{(first + 1) % 100:02d}", date(first, 4, 1), date(first + 1, 3, 31))


@dataclass(frozen=True)
class Scope:
    organisations: tuple[str, ...]  # members included (empty = every member with spend loaded)
    period: Period
    as_of: date  # "now" for anything relative to today (contract ends, live contracts)

    def describe(self) -> str:
        who = ", ".join(self.organisations) if self.organisations else "all members"
        return f"{who}; {self.period.label}; as of {self.as_of.isoformat()}"

    def as_json(self) -> dict[str, Any]:
        return {
            "organisations": list(self.organisations),
            "period": self.period.label,
            "from": self.period.start,
            "to": self.period.end,
            "as_of": self.as_of,
        }

    def params(self) -> dict[str, Any]:
        """Named parameters every insight SQL file takes."""
        return {
            "orgs": list(self.organisations),
            "start": self.period.start or date(1900, 1, 1),
            "end": self.period.end or date(2999, 12, 31),
            "as_of": self.as_of,
        }


# Tables other areas add (classification, resolution). A warehouse file made before they existed
# and opened read-only lacks them; an empty temporary stand-in lets the analyses run on it.
OPTIONAL_TABLES = {
    "line_categories": "line_key VARCHAR, scheme VARCHAR, code VARCHAR, source VARCHAR",
    "contract_categories": "contract_key VARCHAR, scheme VARCHAR, code VARCHAR",
    "category_codes": "scheme VARCHAR, code VARCHAR, label VARCHAR",
    "suppliers": "supplier_id VARCHAR, canonical_name VARCHAR, legal_form VARCHAR, "
    "is_sme BOOLEAN, is_vcse BOOLEAN",
}


def prepare(warehouse: Warehouse) -> None:
    """The macros the insight SQL uses, on this connection (temporary: the file carries none)."""
    warehouse.execute_script(sql_text("insight_macros"))
    present = {
        r["table_name"] for r in warehouse.fetch("SELECT table_name FROM information_schema.tables")
    }
    for name, columns in OPTIONAL_TABLES.items():
        if name not in present:
            warehouse.execute(f"CREATE TEMP TABLE {name} ({columns})")


def latest_date(
    warehouse: Warehouse, organisations: tuple[str, ...] = (), period: Period | None = None
) -> date:
    """The default "now": the latest payment date loaded for these members (within the
    financial year when one is chosen, so a 2021-22 analysis is seen from March 2022)."""
    p = period or parse_period(None)
    value = warehouse.fetch_value(
        "SELECT max(payment_date) FROM spend_lines "
        "WHERE (len($orgs) = 0 OR list_contains($orgs, organisation)) "
        "AND payment_date BETWEEN $start AND $end",
        {
            "orgs": list(organisations),
            "start": p.start or date(1900, 1, 1),
            "end": p.end or date(2999, 12, 31),
        },
    )
    return value or p.end or date.today()


def make_scope(
    warehouse: Warehouse,
    organisations: list[str] | tuple[str, ...] | None = None,
    year: str | None = None,
    as_of: date | None = None,
) -> Scope:
    orgs = tuple(organisations or ())
    period = parse_period(year)
    return Scope(orgs, period, as_of or latest_date(warehouse, orgs, period))


def stage_lines(warehouse: Warehouse, scope: Scope) -> None:
    """Build the temp tables every analysis reads: the lines in scope with their supplier and
    category keys, members' months covered, members' contracts, and each line's contract cover."""
    prepare(warehouse)
    _run_script(warehouse, sql_text("insight_scope"), scope.params())


def _run_script(warehouse: Warehouse, script: str, params: dict[str, Any]) -> None:
    from observatory.store.warehouse import split_statements

    for statement in split_statements(script):
        used = {k: v for k, v in params.items() if f"${k}" in statement}
        warehouse.execute(statement, used or None)


def run_sql(warehouse: Warehouse, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Run a script whose last statement is a query; return that query's rows."""
    from observatory.store.warehouse import split_statements

    statements = split_statements(sql_text(name))
    for statement in statements[:-1]:
        used = {k: v for k, v in params.items() if f"${k}" in statement}
        warehouse.execute(statement, used or None)
    last = statements[-1]
    used = {k: v for k, v in params.items() if f"${k}" in last}
    return warehouse.fetch(last, used or None)


def ensure_staged(
    warehouse: Warehouse, scope: Scope, *scripts: str, params: dict[str, Any] | None = None
) -> None:
    """Stage the scope's temp tables, then the given scripts, unless this connection already holds
    them for the same scope, parameters and loaded data (staging takes a second or two)."""
    if "_insight_staged" not in warehouse.__dict__:
        prepare(warehouse)  # before data_version, which reads the optional tables
    key = (scope, warehouse.data_version())
    done: dict[Any, Any] = warehouse.__dict__.setdefault("_insight_staged", {})
    if done.get("scope") != key:
        stage_lines(warehouse, scope)
        done.clear()
        done["scope"] = key
    extra = params or {}
    for name in scripts:
        script_key = (name, tuple(sorted((k, str(v)) for k, v in extra.items())))
        if done.get(name) != script_key:
            _run_script(warehouse, sql_text(name), {**scope.params(), **extra})
            done[name] = script_key
