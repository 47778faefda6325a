"""What the notices and the duties tracker read from the warehouse, typed once.

Contracts (from OCDS notices and registers), their suppliers, the KPIs and ratings a member
entered, the notice codes already published for each notice (from the releases kept verbatim), and
a member's relevant spend. Values are as the source gives them; ``gross`` adds VAT where the
source does not say it is included (see docs/methods/notices.md).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from observatory import organisations as orgs
from observatory.publish.rules import ActRules, act_rules
from observatory.publish.validation import release_notice_types
from observatory.store import Warehouse

# Find a Tender's ocid prefix: notices are published on the Central Digital Platform, which
# assigns the final ocid; a draft uses the same prefix so that its ids have the right shape.
DEFAULT_OCID_PREFIX = "ocds-h6vhtk"


def ocid_prefix() -> str:
    return os.environ.get("OBSERVATORY_OCID_PREFIX", DEFAULT_OCID_PREFIX)


def digest(text: str, length: int = 10) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


@dataclass
class Supplier:
    name: str | None
    identifier: str | None  # org-id form: GB-COH-01234567
    company_number: str | None
    postcode: str | None
    scale: str | None


@dataclass
class Contract:
    """One contract row with what the Act needs to know about it."""

    contract_key: str
    source: str
    organisation: str  # the member, or the buyer's name for a notice of a non-member
    member: str | None
    ocid: str | None
    notice_key: str | None
    notice_type: str | None
    reference: str | None
    title: str | None
    description: str | None
    buyer_name: str | None
    buyer_id: str | None
    status: str | None
    value_amount: Decimal | None
    value_currency: str | None
    value_includes_vat: bool | None
    start_date: date | None
    end_date: date | None
    award_date: date | None
    published_date: date | None
    cpv_code: str | None
    proclass_label: str | None
    suppliers: list[Supplier] = field(default_factory=list)

    @property
    def begun(self) -> date | None:
        """The day the contract began, as far as the data tells."""
        return self.start_date or self.award_date or self.published_date

    @property
    def entered(self) -> date | None:
        """The day the contract was entered into: the award date (OCDS), else its start date.

        No source here carries the signature date; the award date comes before it (standstill),
        so a deadline counted from it is never later than the Act's."""
        return self.award_date or self.start_date

    def gross(self, rules: ActRules | None = None) -> Decimal | None:
        return (rules or act_rules()).gross(self.value_amount, self.value_includes_vat)

    def kind(self, rules: ActRules | None = None) -> str:
        return (rules or act_rules()).kind_of(self.cpv_code, self.proclass_label)

    def draft_ocid(self) -> str:
        """The contract's ocid, or one made from its key for a contract known from a register."""
        if self.ocid:
            return self.ocid
        member = self.member or "org"
        return f"{ocid_prefix()}-{member}-{digest(self.contract_key)}"


CONTRACT_SQL = """
SELECT c.contract_key, c.source, coalesce(c.organisation, c.buyer_name, 'unknown buyer') AS org,
    c.organisation AS member, c.ocid, c.notice_key, c.notice_type, c.reference, c.title,
    c.description, c.buyer_name, c.buyer_id, c.status, c.value_amount, c.value_currency,
    c.value_includes_vat, c.start_date, coalesce(c.current_end_date, c.end_date) AS end_date,
    c.award_date, c.published_date, c.cpv_code, c.proclass_label
FROM contracts c
"""


def contracts(
    warehouse: Warehouse, organisation: str | None = None, keys: list[str] | None = None
) -> list[Contract]:
    """Contracts of a member (or all), in key order, with their suppliers."""
    where, params = [], []
    if organisation is not None:
        where.append("c.organisation = ?")
        params.append(organisation)
    if keys is not None:
        where.append("list_contains(?, c.contract_key)")
        params.append(keys)
    sql = CONTRACT_SQL + (" WHERE " + " AND ".join(where) if where else "")
    rows = warehouse.fetch(sql + " ORDER BY c.contract_key", params)
    found = [
        Contract(
            contract_key=r["contract_key"],
            source=r["source"],
            organisation=r["org"],
            member=r["member"],
            ocid=r["ocid"],
            notice_key=r["notice_key"],
            notice_type=r["notice_type"],
            reference=r["reference"],
            title=r["title"],
            description=r["description"],
            buyer_name=r["buyer_name"],
            buyer_id=r["buyer_id"],
            status=r["status"],
            value_amount=r["value_amount"],
            value_currency=r["value_currency"],
            value_includes_vat=r["value_includes_vat"],
            start_date=r["start_date"],
            end_date=r["end_date"],
            award_date=r["award_date"],
            published_date=r["published_date"],
            cpv_code=r["cpv_code"],
            proclass_label=r["proclass_label"],
        )
        for r in rows
    ]
    by_key = {c.contract_key: c for c in found}
    if by_key:
        for s in warehouse.fetch(
            "SELECT contract_key, supplier_name, identifier, company_number, postcode, scale "
            "FROM contract_suppliers WHERE list_contains(?, contract_key) "
            "ORDER BY contract_key, supplier_name",
            [list(by_key)],
        ):
            by_key[s["contract_key"]].suppliers.append(
                Supplier(
                    s["supplier_name"],
                    s["identifier"],
                    s["company_number"],
                    s["postcode"],
                    s["scale"],
                )
            )
    return found


@dataclass
class Kpi:
    kpi_id: int
    contract_key: str
    title: str
    description: str | None
    target: str | None


@dataclass
class Rating:
    kpi_id: int
    contract_key: str
    period_start: date
    period_end: date
    rating: str
    notes: str | None


def kpis(warehouse: Warehouse, keys: list[str]) -> dict[str, list[Kpi]]:
    out: dict[str, list[Kpi]] = defaultdict(list)
    for r in warehouse.fetch(
        "SELECT kpi_id, contract_key, title, description, target FROM contract_kpis "
        "WHERE list_contains(?, contract_key) ORDER BY contract_key, kpi_id",
        [keys],
    ):
        out[r["contract_key"]].append(Kpi(**r))
    return dict(out)


def ratings(warehouse: Warehouse, keys: list[str]) -> dict[str, list[Rating]]:
    out: dict[str, list[Rating]] = defaultdict(list)
    for r in warehouse.fetch(
        "SELECT kpi_id, contract_key, period_start, period_end, rating, notes FROM kpi_ratings "
        "WHERE list_contains(?, contract_key) ORDER BY contract_key, period_end, kpi_id",
        [keys],
    ):
        out[r["contract_key"]].append(Rating(**r))
    return dict(out)


@dataclass(frozen=True)
class PublishedNotice:
    """A notice code found in a loaded release, and when it was published."""

    notice_key: str
    code: str
    published: date | None
    buyer: str | None


def published_notices(warehouse: Warehouse) -> list[PublishedNotice]:
    """Every (notice, code) the loaded releases carry (documents[].noticeType)."""
    from observatory.sources.ocds import parse_date

    out = []
    for row in warehouse.fetch(
        "SELECT notice_key, release_date, organisation, data FROM releases "
        "WHERE contains(data::VARCHAR, 'noticeType')"
    ):
        release: dict[str, Any] = json.loads(row["data"])
        buyer = release.get("buyer") if isinstance(release.get("buyer"), dict) else {}
        for code in dict.fromkeys(release_notice_types(release)):
            out.append(
                PublishedNotice(
                    row["notice_key"],
                    code,
                    parse_date(row["release_date"]),
                    row["organisation"] or (buyer or {}).get("name"),
                )
            )
    return out


@dataclass
class RelevantSpend:
    """A member's spend over the latest 12 months of loaded spend lines."""

    amount: Decimal
    first: date
    last: date
    lines: int

    @property
    def full_year(self) -> bool:
        """Whether the lines span (nearly) twelve months: monthly files dated by payment can
        start a few days into the first month."""
        return (self.last - self.first).days >= 330


def relevant_spend(warehouse: Warehouse, organisation: str) -> RelevantSpend | None:
    """Spend in the 12 months up to the member's latest spend line (net, as published).

    The Act asks what the body *expects* to pay under relevant contracts in the coming year; the
    latest year of published spend is the evidence the warehouse has (see the method note)."""
    row = warehouse.fetch(
        "WITH latest AS (SELECT max(payment_date) AS last FROM spend_lines WHERE organisation = ?) "
        "SELECT sum(s.amount) AS amount, min(s.payment_date) AS first, "
        "max(s.payment_date) AS last, count(*) AS lines FROM spend_lines s, latest "
        "WHERE s.organisation = ? AND s.payment_date > latest.last - INTERVAL 12 MONTH",
        [organisation, organisation],
    )[0]
    if not row["lines"]:
        return None
    return RelevantSpend(Decimal(row["amount"]), row["first"], row["last"], int(row["lines"]))


def member(warehouse: Warehouse, organisation: str) -> orgs.Organisation:
    """A member by id, name or alias (raises ValueError naming the known ones)."""
    return orgs.resolve_org_option(organisation, orgs.known(warehouse))
