"""Draft Procurement Act notices from the warehouse as OCDS 1.1 release packages with the UK
extension's fields: UK1 pipeline, UK7 contract details, UK9 contract performance, UK17 payments
compliance.

Each draft is validated (schema, codelists, the Act's rules) before it is handed back, and can be
stored in ``notice_drafts``. Where Find a Tender's own mapping of a notice to OCDS could not be
checked offline, the choice made here is written in docs/methods/notices.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from observatory.publish import facts
from observatory.publish.facts import Contract, Kpi, Rating
from observatory.publish.payments_compliance import (
    PaymentFigures,
    latest_period_end,
    payment_figures,
)
from observatory.publish.rules import ActRules, act_rules, add_months
from observatory.publish.validation import NoticeReport, validate_package
from observatory.store import Warehouse

UK_EXTENSION_URL = (
    "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json"
)
NOTICE_TITLES = {
    "UK1": "Pipeline notice",
    "UK7": "Contract details notice",
    "UK9": "Contract performance notice",
    "UK17": "Payments compliance notice",
}
DRAFTABLE = tuple(NOTICE_TITLES)
# The UK extension's Tender.specialRegime is a free string array; this is the code drafts use for
# the light-touch regime (Find a Tender's own code could not be checked offline).
LIGHT_TOUCH = "lightTouch"


class DraftError(ValueError):
    """Nothing to draft, or not enough data; the message says what to do."""


@dataclass
class Draft:
    notice_type: str
    organisation: str
    as_of: date
    package: dict[str, Any]
    contract_keys: list[str | None] = field(default_factory=list)  # per release
    notes: list[str] = field(default_factory=list)
    reports: list[NoticeReport] = field(default_factory=list)

    @property
    def releases(self) -> list[dict[str, Any]]:
        return list(self.package["releases"])

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.reports)

    def as_json(self) -> dict[str, Any]:
        return {
            "notice_type": self.notice_type,
            "organisation": self.organisation,
            "as_of": self.as_of.isoformat(),
            "releases": len(self.releases),
            "passed": self.passed,
            "notes": self.notes,
            "reports": [r.as_json() for r in self.reports],
        }


# -- building blocks -----------------------------------------------------------------------------


def _timestamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _money(amount: Decimal) -> float:
    # JSON numbers: OCDS values are numbers, and pence survive a float at these magnitudes.
    return float(amount)


def value_object(net: Decimal | None, gross: Decimal | None, currency: str | None) -> dict:
    out: dict[str, Any] = {"currency": currency or "GBP"}
    if net is not None:
        out["amount"] = _money(net)
    if gross is not None:
        out["amountGross"] = _money(gross)
    return out


def _identifier(org_id: str | None) -> dict[str, str] | None:
    """``GB-LAE-SLF`` → scheme GB-LAE, id SLF; ``GB-COH-01234567`` → GB-COH, 01234567."""
    if not org_id or "-" not in org_id:
        return None
    parts = org_id.split("-")
    if len(parts) < 3:
        return None
    return {"scheme": "-".join(parts[:2]), "id": "-".join(parts[2:])}


def buyer_party(organisation: str, name: str, identifier: str | None) -> dict[str, Any]:
    party: dict[str, Any] = {"id": identifier or organisation, "name": name, "roles": ["buyer"]}
    found = _identifier(identifier)
    if found:
        party["identifier"] = found
    return party


def _supplier_parties(contract: Contract) -> list[dict[str, Any]]:
    parties = []
    for n, supplier in enumerate(contract.suppliers, start=1):
        party: dict[str, Any] = {
            "id": supplier.identifier or f"supplier-{n}",
            "name": supplier.name or f"supplier {n}",
            "roles": ["supplier"],
        }
        found = _identifier(supplier.identifier)
        if found:
            party["identifier"] = found
        if supplier.postcode:
            party["address"] = {"postalCode": supplier.postcode, "countryName": "United Kingdom"}
        if supplier.scale in ("sme", "large"):
            party["details"] = {"scale": supplier.scale}
        parties.append(party)
    return parties


def procurement_category(cpv_code: str | None, kind: str) -> str | None:
    """goods, services or works: CPV divisions below 45 (and 48, software) are goods."""
    if kind == "works":
        return "works"
    if not cpv_code or not cpv_code[:2].isdigit():
        return None
    division = int(cpv_code[:2])
    if division == 45:
        return "works"
    return "goods" if division < 45 or division == 48 else "services"


def _items(cpv_code: str | None) -> list[dict[str, Any]]:
    if not cpv_code:
        return []
    return [{"id": "1", "classification": {"scheme": "CPV", "id": cpv_code[:8]}}]


def notice_document(code: str, as_of: date, document_type: str | None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": f"{code}-{as_of:%Y%m%d}",
        "noticeType": code,
        "title": NOTICE_TITLES[code],
        "datePublished": _timestamp(as_of),
    }
    if document_type:
        document["documentType"] = document_type
    return document


def release_id(ocid: str, code: str, as_of: date) -> str:
    return f"{ocid}-{code}-{as_of:%Y%m%d}"


def package(releases: list[dict[str, Any]], publisher: str, code: str, as_of: date) -> dict:
    slug = publisher.lower().replace(" ", "-")
    return {
        "uri": f"urn:observatory:draft:{slug}:{code.lower()}:{as_of.isoformat()}",
        "version": "1.1",
        "extensions": [UK_EXTENSION_URL],
        "publishedDate": _timestamp(as_of),
        "publisher": {"name": publisher},
        "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "releases": releases,
    }


def _contract_status(contract: Contract, as_of: date) -> str:
    if contract.start_date and contract.start_date > as_of:
        return "pending"
    if contract.end_date and contract.end_date < as_of:
        return "terminated"
    return "active"


def _base_release(
    ocid: str, code: str, as_of: date, tags: list[str], buyer: dict[str, Any]
) -> dict[str, Any]:
    return {
        "ocid": ocid,
        "id": release_id(ocid, code, as_of),
        "date": _timestamp(as_of),
        "tag": tags,
        "initiationType": "tender",
        "language": "en",
        "parties": [buyer],
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
    }


# -- UK7 -------------------------------------------------------------------------------------


def metric(kpi: Kpi) -> dict[str, Any]:
    out: dict[str, Any] = {"id": str(kpi.kpi_id), "title": kpi.title}
    description = " ".join(
        part for part in (kpi.description, f"Target: {kpi.target}" if kpi.target else None) if part
    )
    if description:
        out["description"] = description
    return out


def uk7_release(
    contract: Contract,
    buyer: dict[str, Any],
    authority: str,
    kpis: list[Kpi],
    as_of: date,
    rules: ActRules,
) -> dict[str, Any]:
    ocid = contract.draft_ocid()
    release = _base_release(ocid, "UK7", as_of, ["contract"], buyer)
    release["parties"] += _supplier_parties(contract)
    gross = contract.gross(rules)
    kind = contract.kind(rules)
    day = contract.begun or as_of
    above = None if gross is None else gross >= rules.threshold(authority, kind, day)
    value = value_object(contract.value_amount, gross, contract.value_currency)
    award_id = contract.contract_key.rsplit(":", 1)[-1] if contract.source == "ocds" else "1"
    period = {
        k: v.isoformat() + "T00:00:00Z"
        for k, v in (("startDate", contract.start_date), ("endDate", contract.end_date))
        if v is not None
    }
    category = procurement_category(contract.cpv_code, kind)
    release["tender"] = {
        "id": contract.reference or digest_reference(contract),
        "title": contract.title or contract.reference or "Untitled contract",
        "status": "complete",
        **({"mainProcurementCategory": category} if category else {}),
        **({"specialRegime": [LIGHT_TOUCH]} if kind == "light_touch" else {}),
        **({"items": _items(contract.cpv_code)} if contract.cpv_code else {}),
    }
    award: dict[str, Any] = {
        "id": award_id,
        "status": "active",
        "title": contract.title,
        "value": value,
        "suppliers": [{"id": p["id"], "name": p["name"]} for p in release["parties"][1:]],
    }
    if contract.award_date:
        award["date"] = _timestamp(contract.award_date)
    if above is not None:
        award["aboveThreshold"] = above
    signed = contract.entered
    body: dict[str, Any] = {
        "id": f"{award_id}-contract",
        "awardID": award_id,
        "title": contract.title,
        "status": _contract_status(contract, as_of),
        "value": value,
        "documents": [notice_document("UK7", as_of, "contractNotice")],
    }
    if contract.description:
        body["description"] = contract.description
    if period:
        body["period"] = period
    if signed:
        body["dateSigned"] = _timestamp(signed)
    if above is not None:
        body["aboveThreshold"] = above
    if kpis:
        body["agreedMetrics"] = [metric(k) for k in kpis]
    release["awards"] = [award]
    release["contracts"] = [body]
    return release


def digest_reference(contract: Contract) -> str:
    return facts.digest(contract.contract_key)


# -- public API ----------------------------------------------------------------------------------


@dataclass
class Member:
    org_id: str
    name: str
    authority: str
    party: dict[str, Any]


def _member(warehouse: Warehouse, organisation: str, rules: ActRules) -> Member:
    found = facts.member(warehouse, organisation)
    authority = rules.class_of(found.org_type)
    return Member(
        found.org_id, found.name, authority, buyer_party(found.org_id, found.name, found.identifier)
    )


def draft_uk7(
    warehouse: Warehouse,
    organisation: str,
    as_of: date,
    contract_keys: list[str] | None = None,
) -> Draft:
    """UK7 for the given contracts, or for every contract of the member whose UK7 is due or
    overdue as of the date (see ``duties``)."""
    from observatory.publish.duties import contract_duties

    rules = act_rules()
    member = _member(warehouse, organisation, rules)
    notes = []
    if contract_keys:
        chosen = facts.contracts(warehouse, keys=contract_keys)
        missing = set(contract_keys) - {c.contract_key for c in chosen}
        if missing:
            raise DraftError(f"no such contract: {', '.join(sorted(missing))}")
        for c in chosen:
            if c.member != member.org_id:
                owner = c.member or f"a non-member buyer ({c.buyer_name or 'unnamed'})"
                raise DraftError(f"{c.contract_key} is {owner}'s contract, not {member.org_id}'s")
            if c.begun and c.begun < rules.in_force:
                notes.append(
                    f"{c.contract_key} began {c.begun:%d %B %Y}, before the Act: under the old "
                    "regime no UK7 is due (drafted as asked)"
                )
    else:
        due = [
            d.contract_key
            for d in contract_duties(warehouse, member.org_id, as_of)
            if d.notice == "UK7" and d.status in ("due", "overdue") and d.contract_key
        ]
        if not due:
            raise DraftError(
                f"no contract of {member.org_id} needs a UK7 as of {as_of}: pass --contract KEY "
                "to draft one anyway (see `observatory notices duties`)"
            )
        chosen = facts.contracts(warehouse, keys=due)
    kpis = facts.kpis(warehouse, [c.contract_key for c in chosen])
    releases = []
    for contract in chosen:
        key = contract.contract_key
        releases.append(
            uk7_release(contract, member.party, member.authority, kpis.get(key, []), as_of, rules)
        )
        if contract.value_includes_vat is None and contract.value_amount is not None:
            notes.append(
                f"{contract.contract_key}: value taken as net of VAT; amountGross adds "
                f"{rules.vat_rate:.0%}"
            )
    draft = Draft("UK7", member.org_id, as_of, package(releases, member.name, "UK7", as_of))
    draft.contract_keys = [c.contract_key for c in chosen]
    draft.notes = notes + [
        "dateSigned is the award date (notices) or the start date (registers): the data has no "
        "signature date; correct it before publishing"
    ]
    return draft


def draft_uk9(
    warehouse: Warehouse, organisation: str, as_of: date, contract_keys: list[str] | None = None
) -> Draft:
    """UK9 from the latest recorded KPI ratings (on or before the date) of each contract."""
    rules = act_rules()
    member = _member(warehouse, organisation, rules)
    if contract_keys:
        chosen = [
            c for c in facts.contracts(warehouse, keys=contract_keys) if c.member == member.org_id
        ]
    else:
        rated = warehouse.fetch(
            "SELECT DISTINCT r.contract_key FROM kpi_ratings r JOIN contracts c USING "
            "(contract_key) WHERE c.organisation = ? AND r.period_end <= ? ORDER BY 1",
            [member.org_id, as_of],
        )
        chosen = facts.contracts(warehouse, keys=[r["contract_key"] for r in rated])
    if not chosen:
        raise DraftError(
            f"no KPI ratings recorded for {member.org_id} up to {as_of}: add them with "
            "`observatory notices kpi rate`"
        )
    keys = [c.contract_key for c in chosen]
    kpis, ratings = facts.kpis(warehouse, keys), facts.ratings(warehouse, keys)
    releases = []
    for contract in chosen:
        latest = _latest_ratings(ratings.get(contract.contract_key, []), as_of)
        if not latest:
            raise DraftError(f"{contract.contract_key}: no KPI ratings up to {as_of}")
        releases.append(
            uk9_release(contract, member.party, kpis[contract.contract_key], latest, as_of)
        )
    draft = Draft("UK9", member.org_id, as_of, package(releases, member.name, "UK9", as_of))
    draft.contract_keys = list(keys)
    return draft


def _latest_ratings(ratings: list[Rating], as_of: date) -> list[Rating]:
    usable = [r for r in ratings if r.period_end <= as_of]
    if not usable:
        return []
    last = max(r.period_end for r in usable)
    return [r for r in usable if r.period_end == last]


def uk9_release(
    contract: Contract,
    buyer: dict[str, Any],
    kpis: list[Kpi],
    ratings: list[Rating],
    as_of: date,
) -> dict[str, Any]:
    release = _base_release(contract.draft_ocid(), "UK9", as_of, ["implementation"], buyer)
    by_kpi = {r.kpi_id: r for r in ratings}
    metrics = []
    for kpi in kpis:
        rating = by_kpi.get(kpi.kpi_id)
        if rating is None:
            continue
        observation: dict[str, Any] = {
            "id": f"{kpi.kpi_id}-{rating.period_end:%Y%m%d}",
            "period": {
                "startDate": _timestamp(rating.period_start),
                "endDate": _timestamp(rating.period_end),
            },
            "measureClassification": {"id": rating.rating},
        }
        if rating.notes:
            observation["notes"] = rating.notes
        metrics.append({**metric(kpi), "observations": [observation]})
    award_id = contract.contract_key.rsplit(":", 1)[-1] if contract.source == "ocds" else "1"
    release["contracts"] = [
        {
            "id": f"{award_id}-contract",
            "awardID": award_id,
            "title": contract.title,
            "implementation": {
                "documents": [notice_document("UK9", as_of, "implementationNotice")],
                "metrics": metrics,
            },
        }
    ]
    return release


def pipeline_items(
    warehouse: Warehouse,
    organisation: str,
    fy_start: date,
    lead_months: int,
    rules: ActRules,
) -> list[dict[str, Any]]:
    """Procurements of £2m or more (with VAT) expected to be advertised in the 18 months from
    the financial year's start: contracts ending then (re-procurement expected ``lead_months``
    before the end) and the member's own pipeline entries. Register rows sharing a reference are
    one procurement (lots, several suppliers)."""
    horizon = rules.pipeline_horizon(fy_start)
    minimum = Decimal(str(rules.pipeline["contract_threshold"]))
    groups: dict[str, list[Contract]] = {}
    for c in facts.contracts(warehouse, organisation):
        if c.end_date is None or c.end_date < fy_start:
            continue
        advert = add_months(c.end_date, -lead_months)
        if advert > horizon:
            continue
        groups.setdefault(c.reference or c.contract_key, []).append(c)
    items = []
    for key, rows in sorted(groups.items()):
        net = sum((r.value_amount or Decimal(0) for r in rows), Decimal(0))
        includes = all(r.value_includes_vat for r in rows)
        gross = rules.gross(net, includes)
        if gross is None or gross < minimum:
            continue
        end = max(r.end_date for r in rows if r.end_date)
        # Lots of one procurement carry their own titles: name it after the largest.
        main = max(rows, key=lambda r: (r.value_amount or Decimal(0), r.contract_key))
        items.append(
            {
                "key": key,
                "source": "contract ending",
                "title": main.title or key,
                "description": f"Re-procurement of {main.title or key}"
                + (f" and {len(rows) - 1} more lots or suppliers" if len(rows) > 1 else "")
                + f" (current contract ends {end:%d %B %Y})",
                "net": net,
                "gross": gross,
                "advert": max(add_months(end, -lead_months), fy_start),
                "start": end + timedelta(days=1),
                "cpv": main.cpv_code,
                "kind": main.kind(rules),
                "contract_keys": [r.contract_key for r in rows],
            }
        )
    for entry in warehouse.fetch(
        "SELECT * FROM pipeline_entries WHERE organisation = ? AND expected_advert BETWEEN ? AND ? "
        "ORDER BY expected_advert, entry_id",
        [organisation, fy_start, horizon],
    ):
        gross = rules.gross(entry["value_amount"], entry["value_includes_vat"])
        if gross is None or gross < minimum:
            continue
        items.append(
            {
                "key": f"entry-{entry['entry_id']}",
                "source": "pipeline entry",
                "title": entry["title"],
                "description": entry["description"],
                "net": None if entry["value_includes_vat"] else entry["value_amount"],
                "gross": gross,
                "advert": entry["expected_advert"],
                "start": entry["expected_start"],
                "cpv": entry["cpv_code"],
                "kind": "works" if entry["category"] == "works" else "goods_services",
                "category": entry["category"],
                "contract_keys": [],
            }
        )
    return items


def uk1_release(
    item: dict[str, Any], member: Member, as_of: date, fy_start: date
) -> dict[str, Any]:
    ocid = f"{facts.ocid_prefix()}-{member.org_id}-p{facts.digest(str(item['key']))}"
    release = _base_release(ocid, "UK1", as_of, ["planning"], member.party)
    category = item.get("category") or procurement_category(item["cpv"], item["kind"])
    tender: dict[str, Any] = {
        "id": str(item["key"]),
        "title": item["title"],
        "status": "planned",
        "value": value_object(item["net"], item["gross"], "GBP"),
        "communication": {"futureNoticeDate": _timestamp(item["advert"])},
    }
    if item.get("description"):
        tender["description"] = item["description"]
    if category:
        tender["mainProcurementCategory"] = category
    if item.get("start"):
        tender["contractPeriod"] = {"startDate": _timestamp(item["start"])}
    if item.get("cpv"):
        tender["items"] = _items(item["cpv"])
    release["planning"] = {"documents": [notice_document("UK1", as_of, "plannedProcurementNotice")]}
    release["tender"] = tender
    return release


def draft_uk1(
    warehouse: Warehouse,
    organisation: str,
    as_of: date,
    lead_months: int | None = None,
) -> Draft:
    """The member's pipeline notice for the financial year containing ``as_of``."""
    rules = act_rules()
    member = _member(warehouse, organisation, rules)
    fy_start = rules.financial_year_start(as_of)
    lead = int(rules.pipeline["lead_months"]) if lead_months is None else lead_months
    notes = []
    spend = facts.relevant_spend(warehouse, member.org_id)
    threshold = Decimal(str(rules.pipeline["spend_threshold"]))
    if spend is None:
        notes.append(
            "no spend loaded: whether the £100m pipeline duty applies cannot be checked from data"
        )
    else:
        verdict = "over" if spend.amount > threshold else "not over"
        notes.append(
            f"{member.name} paid £{spend.amount:,.0f} (net, as published) in its latest 12 months "
            f"of loaded spend ({spend.first:%b %Y} – {spend.last:%b %Y}): {verdict} £100m, so the "
            f"pipeline duty {'applies' if verdict == 'over' else 'may not apply'}"
        )
    items = pipeline_items(warehouse, member.org_id, fy_start, lead, rules)
    if not items:
        raise DraftError(
            f"nothing of £2m or more expected to be advertised by {member.org_id} between "
            f"{fy_start} and {rules.pipeline_horizon(fy_start)}: add entries with "
            "`observatory notices pipeline add`"
        )
    releases = [uk1_release(item, member, as_of, fy_start) for item in items]
    deadline = rules.pipeline_deadline(fy_start)
    notes.append(
        f"financial year from {fy_start:%d %B %Y}: publish by {deadline:%d %B %Y}; the notice "
        f"covers to {rules.pipeline_horizon(fy_start):%d %B %Y}; re-procurement assumed "
        f"advertised {lead} months before a contract ends"
    )
    draft = Draft("UK1", member.org_id, as_of, package(releases, member.name, "UK1", as_of))
    draft.contract_keys = [None] * len(releases)
    draft.notes = notes
    return draft


def uk17_release(
    figures: PaymentFigures, member: Member, as_of: date, approver: tuple[str, str] | None
) -> dict[str, Any]:
    ocid = f"{facts.ocid_prefix()}-{member.org_id}-uk17-{figures.end:%Y%m%d}"
    release = _base_release(ocid, "UK17", as_of, ["implementation"], member.party)
    release["planning"] = {"documents": [notice_document("UK17", as_of, None)]}
    compliance: dict[str, Any] = {
        "reportingPeriod": {
            "startDate": _timestamp(figures.start),
            "endDate": _timestamp(figures.end),
        },
        "paymentsMade": figures.payments_made,
        "sumsBecamePayable": figures.became_payable,
    }
    numbers = {
        "averageDaysToPay": figures.average_days,
        "percentagePaidWithin30Days": figures.percent_within_30,
        "percentagePaidIn31To60Days": figures.percent_31_60,
        "percentagePaidIn61DaysOrMore": figures.percent_over_60,
        "percentageOfSumsPayableNotPaid": figures.percent_not_paid,
    }
    compliance.update({k: float(v) for k, v in numbers.items() if v is not None})
    if approver:
        name, title = approver
        compliance["approval"] = {
            "name": name,
            "jobTitle": title,
            "statement": f"I approve this payments compliance notice. {name}, {title}",
        }
    release["paymentsCompliance"] = compliance
    return release


def draft_uk17(
    warehouse: Warehouse,
    organisation: str,
    as_of: date,
    period_end: date | None = None,
    approver: tuple[str, str] | None = None,
) -> Draft:
    """The member's payments compliance notice for the period ending ``period_end`` (default:
    the latest period ended by ``as_of``), from its loaded accounts-payable extracts."""
    rules = act_rules()
    member = _member(warehouse, organisation, rules)
    end = period_end or latest_period_end(as_of)
    figures = payment_figures(warehouse, member.org_id, end)
    if figures.payments_made == 0 and figures.became_payable == 0:
        raise DraftError(
            f"no invoice of {member.org_id} was paid or became payable between {figures.start} and "
            f"{figures.end}: load its accounts-payable extracts with `observatory load payments`"
        )
    notes = [
        f"{figures.payments_made} payments made, {figures.became_payable} sums became payable "
        f"({figures.start:%d %b %Y} – {figures.end:%d %b %Y}); days counted from the invoice's "
        "receipt"
    ]
    if not figures.covered:
        notes.append(
            f"the loaded invoices end {figures.data_to}: figures for the period are partial"
        )
    if figures.paid_without_received_date:
        notes.append(
            f"{figures.paid_without_received_date} payments timed from the invoice date (no "
            "received date)"
        )
    if figures.paid_disputed:
        notes.append(
            f"{figures.paid_disputed} payments on disputed invoices are included (regulation 38 "
            "counts every sum paid)"
        )
    if approver is None:
        notes.append("no approver given: pass --approver 'NAME, JOB TITLE' (regulation 38(2)(e))")
    release = uk17_release(figures, member, as_of, approver)
    draft = Draft("UK17", member.org_id, as_of, package([release], member.name, "UK17", as_of))
    draft.contract_keys = [None]
    draft.notes = notes
    return draft


def draft_notice(
    warehouse: Warehouse,
    code: str,
    organisation: str,
    as_of: date,
    *,
    contract_keys: list[str] | None = None,
    lead_months: int | None = None,
    period_end: date | None = None,
    approver: tuple[str, str] | None = None,
    validate: bool = True,
) -> Draft:
    """Draft one kind of notice and (by default) validate it; raises ``DraftError``."""
    code = code.upper()
    if code == "UK1":
        draft = draft_uk1(warehouse, organisation, as_of, lead_months)
    elif code == "UK7":
        draft = draft_uk7(warehouse, organisation, as_of, contract_keys)
    elif code == "UK9":
        draft = draft_uk9(warehouse, organisation, as_of, contract_keys)
    elif code == "UK17":
        draft = draft_uk17(warehouse, organisation, as_of, period_end, approver)
    else:
        raise DraftError(f"{code}: drafting supports {', '.join(DRAFTABLE)}")
    if validate:
        rules = act_rules()
        authority = rules.class_of(facts.member(warehouse, draft.organisation).org_type)
        draft.reports = validate_package(
            draft.package, f"draft {code} {draft.organisation}", authority=authority
        )
    return draft


def save_draft(warehouse: Warehouse, draft: Draft) -> int:
    """Store the draft's releases (replacing an earlier draft with the same release id)."""
    reports = draft.reports or [None] * len(draft.releases)
    for release, key, report in zip(draft.releases, draft.contract_keys, reports, strict=True):
        warehouse.execute(
            "INSERT OR REPLACE INTO notice_drafts (ocid, release_id, notice_type, organisation, "
            "contract_key, as_of, release, errors, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                release["ocid"],
                release["id"],
                draft.notice_type,
                draft.organisation,
                key,
                draft.as_of,
                json.dumps(release),
                len(report.errors) if report else 0,
                len(report.warnings) if report else 0,
            ],
        )
    return len(draft.releases)


def stored_drafts(warehouse: Warehouse, organisation: str | None = None) -> list[dict[str, Any]]:
    """Drafted notices (newest first), for the web page and `notices duties`."""
    sql = (
        "SELECT ocid, release_id, notice_type, organisation, contract_key, as_of, errors, "
        "warnings, drafted_at, release FROM notice_drafts"
    )
    params: list[Any] = []
    if organisation:
        sql += " WHERE organisation = ?"
        params.append(organisation)
    rows = warehouse.fetch(sql + " ORDER BY drafted_at DESC, ocid, release_id", params)
    for row in rows:
        row["release"] = json.loads(row["release"])
    return rows
