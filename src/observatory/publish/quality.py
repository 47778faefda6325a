"""Data-quality checks on loaded notices (the releases kept verbatim), counted per publisher.

Suppliers without an identifier, values without a currency, dates out of order (a period that
ends before it starts, a contract signed before its award) and, for releases dated after the Act
came in, notices without a notice code. The publisher is the buyer the release names (its party
with the buyer role), else the member it was loaded for.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from observatory.publish.rules import act_rules
from observatory.publish.validation import release_notice_types
from observatory.sources.ocds import clean_text, parse_date
from observatory.store import Warehouse

CHECKS = (
    "supplier without identifier",
    "value without currency",
    "period ends before it starts",
    "contract signed before its award",
    "no notice code after the Act",
)


@dataclass
class PublisherQuality:
    publisher: str
    releases: int = 0
    notices: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKS, 0))
    examples: dict[str, str] = field(default_factory=dict)  # check -> "ocid: path"

    def add(self, check: str, where: str) -> None:
        self.counts[check] += 1
        self.examples.setdefault(check, where)

    def as_json(self) -> dict[str, Any]:
        return {
            "publisher": self.publisher,
            "releases": self.releases,
            "notices": len(self.notices),
            **self.counts,
            "examples": self.examples,
        }


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def publisher_of(release: dict[str, Any], loaded_for: str | None) -> str:
    buyer = _dict(release.get("buyer"))
    name = clean_text(buyer.get("name"))
    if not name:
        parties = [_dict(p) for p in _list(release.get("parties"))]
        buyers = [p for p in parties if "buyer" in _list(p.get("roles"))]
        name = clean_text(buyers[0].get("name")) if buyers else None
    return name or loaded_for or "unknown publisher"


def check_release(release: dict[str, Any], report: PublisherQuality) -> None:
    ocid = str(release.get("ocid"))
    parties = {str(_dict(p).get("id")): _dict(p) for p in _list(release.get("parties"))}
    for a, award in enumerate(_list(release.get("awards"))):
        for s, supplier in enumerate(_list(_dict(award).get("suppliers"))):
            supplier = _dict(supplier)
            party = parties.get(str(supplier.get("id")), {})
            ids = [_dict(party.get("identifier")), _dict(supplier.get("identifier"))]
            ids += [_dict(i) for i in _list(party.get("additionalIdentifiers"))]
            if not any(clean_text(i.get("id")) for i in ids):
                report.add("supplier without identifier", f"{ocid}: awards/{a}/suppliers/{s}")
    _values(release, ocid, [], report)
    _periods(release, ocid, [], report)
    awards = {
        str(_dict(a).get("id")): parse_date(_dict(a).get("date"))
        for a in _list(release.get("awards"))
    }
    for c, contract in enumerate(_list(release.get("contracts"))):
        contract = _dict(contract)
        signed = parse_date(contract.get("dateSigned"))
        awarded = awards.get(str(contract.get("awardID")))
        if signed and awarded and signed < awarded:
            report.add("contract signed before its award", f"{ocid}: contracts/{c}/dateSigned")
    released = parse_date(release.get("date"))
    if released and released >= act_rules().in_force and not release_notice_types(release):
        report.add("no notice code after the Act", f"{ocid}: date {released}")


def _values(value: Any, ocid: str, path: list[object], report: PublisherQuality) -> None:
    if isinstance(value, dict):
        amount = value.get("amount")
        if (
            isinstance(amount, int | float)
            and not isinstance(amount, bool)
            and not value.get("currency")
        ):
            report.add("value without currency", f"{ocid}: {'/'.join(map(str, path))}")
        for key, child in value.items():
            _values(child, ocid, [*path, key], report)
    elif isinstance(value, list):
        for i, child in enumerate(value):
            _values(child, ocid, [*path, i], report)


def _periods(value: Any, ocid: str, path: list[object], report: PublisherQuality) -> None:
    if isinstance(value, dict):
        start, end = parse_date(value.get("startDate")), parse_date(value.get("endDate"))
        if start and end and end < start:
            report.add("period ends before it starts", f"{ocid}: {'/'.join(map(str, path))}")
        for key, child in value.items():
            _periods(child, ocid, [*path, key], report)
    elif isinstance(value, list):
        for i, child in enumerate(value):
            _periods(child, ocid, [*path, i], report)


def notice_quality(warehouse: Warehouse, organisation: str | None = None) -> list[PublisherQuality]:
    """One row per publisher, most releases first."""
    sql = "SELECT ocid, organisation, data FROM releases"
    params: list[Any] = []
    if organisation:
        sql += " WHERE organisation = ?"
        params.append(organisation)
    by_publisher: dict[str, PublisherQuality] = defaultdict(lambda: PublisherQuality(""))
    for row in warehouse.fetch(sql + " ORDER BY ocid, release_id", params):
        release = json.loads(row["data"])
        if not isinstance(release, dict):
            continue
        name = publisher_of(release, row["organisation"])
        report = by_publisher[name]
        report.publisher = name
        report.releases += 1
        report.notices.add(row["ocid"])
        check_release(release, report)
    return sorted(by_publisher.values(), key=lambda r: (-r.releases, r.publisher))


def totals(rows: list[PublisherQuality]) -> dict[str, int]:
    out = {"publishers": len(rows), "releases": sum(r.releases for r in rows)}
    for check in CHECKS:
        out[check] = sum(r.counts[check] for r in rows)
    return out
