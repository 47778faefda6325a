"""The duties tracker: which Procurement Act notices are due, overdue or done, as of a date.

Per contract (UK7 contract details, KPIs for contracts of £5m or more, UK9 performance) from the
contracts and the notices loaded with them; per member (UK1 pipeline, UK17 payments compliance)
from its spend and invoices. Contracts begun before the Act (24 February 2025) are reported as
under the old regime, not as overdue. docs/methods/notices.md gives every rule and its source.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from observatory import organisations as orgs
from observatory.publish import facts
from observatory.publish.facts import Contract, PublishedNotice
from observatory.publish.rules import ActRules, act_rules, add_months
from observatory.store import Warehouse

DONE, DUE, OVERDUE = "done", "due", "overdue"
OLD_REGIME, NOT_REQUIRED, UNKNOWN = "old regime", "not required", "unknown"
STATUSES = (OVERDUE, DUE, DONE, OLD_REGIME, NOT_REQUIRED, UNKNOWN)


@dataclass
class Duty:
    organisation: str  # the member's id, or the buyer's name for a non-member's notice
    notice: str  # UK1, UK7, KPIs, UK9, UK17
    subject: str  # what the duty is about: a contract, a financial year, a period
    status: str
    reason: str
    due: date | None = None
    contract_key: str | None = None
    value_gross: Decimal | None = None
    draft: str | None = None  # release id of a stored draft for this duty

    def as_json(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "notice": self.notice,
            "subject": self.subject,
            "status": self.status,
            "due": self.due.isoformat() if self.due else None,
            "reason": self.reason,
            "contract_key": self.contract_key,
            "value_gross": None if self.value_gross is None else f"{self.value_gross:.2f}",
            "draft": self.draft,
        }


def _pounds(value: Decimal) -> str:
    return f"£{value:,.0f}"


def _published_by_notice(notices: list[PublishedNotice]) -> dict[str, dict[str, date | None]]:
    out: dict[str, dict[str, date | None]] = defaultdict(dict)
    for n in notices:
        out[n.notice_key].setdefault(n.code, n.published)
    return out


def _drafts(warehouse: Warehouse) -> dict[tuple[str | None, str, str], str]:
    """(contract key, notice, organisation) → the latest draft's release id."""
    out: dict[tuple[str | None, str, str], str] = {}
    for row in warehouse.fetch(
        "SELECT contract_key, notice_type, organisation, release_id FROM notice_drafts "
        "ORDER BY drafted_at"
    ):
        out[(row["contract_key"], row["notice_type"], row["organisation"])] = row["release_id"]
    return out


def contract_duties(warehouse: Warehouse, organisation: str | None, as_of: date) -> list[Duty]:
    """UK7, KPI and UK9 duties of each contract (of one member, or every contract loaded)."""
    rules = act_rules()
    members = {m.org_id: m for m in orgs.known(warehouse)}
    chosen = facts.contracts(warehouse, organisation)
    published = _published_by_notice(facts.published_notices(warehouse))
    keys = [c.contract_key for c in chosen]
    kpis, ratings = facts.kpis(warehouse, keys), facts.ratings(warehouse, keys)
    drafts = _drafts(warehouse)
    duties: list[Duty] = []
    for c in chosen:
        member = members.get(c.member or "")
        authority = rules.class_of(member.org_type if member else None)
        codes = published.get(c.notice_key or "", {})
        duties += _contract(c, authority, codes, kpis.get(c.contract_key, []), as_of, rules)
        if kpis.get(c.contract_key):
            duties += _performance(c, codes, ratings.get(c.contract_key, []), as_of, rules)
    for duty in duties:
        duty.draft = drafts.get((duty.contract_key, duty.notice, duty.organisation))
    return duties


def _subject(c: Contract) -> str:
    title = c.title or c.reference or c.contract_key
    return f"{c.reference}: {title}" if c.reference and c.reference != title else title


def _contract(
    c: Contract,
    authority: str,
    codes: dict[str, date | None],
    kpis: list[Any],
    as_of: date,
    rules: ActRules,
) -> list[Duty]:
    def duty(notice: str, status: str, reason: str, due: date | None = None) -> Duty:
        return Duty(c.organisation, notice, _subject(c), status, reason, due, c.contract_key, gross)

    gross = c.gross(rules)
    begun = c.begun
    if begun is None:
        return [duty("UK7", UNKNOWN, "no start, award or publication date: the regime is unknown")]
    if begun < rules.in_force:
        return [
            duty(
                "UK7",
                OLD_REGIME,
                f"began {begun:%d %b %Y}, before the Act ({rules.in_force:%d %b %Y}): the "
                "Public Contracts Regulations 2015 apply",
            )
        ]
    if gross is None:
        return [duty("UK7", UNKNOWN, "no value: whether a UK7 is due cannot be told")]
    notifiable = rules.notifiable(authority)
    if gross < notifiable:
        return [
            duty(
                "UK7",
                NOT_REQUIRED,
                f"{_pounds(gross)} with VAT is below {_pounds(notifiable)} (s87)",
            )
        ]
    kind = c.kind(rules)
    entered = c.entered or begun
    days = rules.uk7_days(kind)
    due = entered + timedelta(days=days)
    out = []
    if "UK7" in codes:
        when = codes["UK7"]
        out.append(duty("UK7", DONE, f"UK7 published{f' {when:%d %b %Y}' if when else ''}", due))
    else:
        status = OVERDUE if as_of > due else DUE
        light = " (light-touch)" if kind == "light_touch" else ""
        out.append(
            duty(
                "UK7",
                status,
                f"entered {entered:%d %b %Y}; a UK7 within {days} days{light}; none loaded",
                due,
            )
        )
    floor = Decimal(str(rules.contract_details["kpi_value_threshold"]))
    minimum = int(rules.contract_details["min_kpis"])
    if gross >= floor:
        if len(kpis) >= minimum:
            out.append(duty("KPIs", DONE, f"{len(kpis)} KPIs recorded", entered))
        else:
            status = OVERDUE if as_of >= entered else DUE
            out.append(
                duty(
                    "KPIs",
                    status,
                    f"{_pounds(gross)} with VAT: at least {minimum} KPIs before the contract is "
                    f"entered into (s52); {len(kpis)} recorded",
                    entered,
                )
            )
    return out


def _performance(
    c: Contract,
    codes: dict[str, date | None],
    ratings: list[Any],
    as_of: date,
    rules: ActRules,
) -> list[Duty]:
    """UK9: at least once in every 12 months of a contract with KPIs."""
    entered = c.entered or c.begun
    if entered is None or entered < rules.in_force:
        return []
    every = int(rules.performance["every_months"])
    # The period in question: the latest 12 months completed by as_of, else the first.
    k = 1
    while add_months(entered, every * (k + 1)) <= as_of:
        k += 1
    anniversary = add_months(entered, every * k)
    window_start = add_months(entered, every * (k - 1))
    if c.end_date is not None and window_start > c.end_date:
        return []  # the contract ended before this period began
    published = codes.get("UK9")
    rated = [r for r in ratings if window_start <= r.period_end <= anniversary]
    gross = c.gross(rules)
    subject = _subject(c)
    if published is not None and published >= window_start:
        reason = f"UK9 published {published:%d %b %Y}"
        return [
            Duty(c.organisation, "UK9", subject, DONE, reason, anniversary, c.contract_key, gross)
        ]
    status = OVERDUE if as_of > anniversary else DUE
    hint = (
        f"ratings recorded for the period to {max(r.period_end for r in rated):%d %b %Y}: "
        "draft with `notices draft UK9`"
        if rated
        else "no ratings recorded for the period"
    )
    reason = f"KPI performance for {window_start:%d %b %Y} – {anniversary:%d %b %Y}; {hint}"
    return [
        Duty(c.organisation, "UK9", subject, status, reason, anniversary, c.contract_key, gross)
    ]


def _member_notices(
    notices: list[PublishedNotice], member: orgs.Organisation, code: str
) -> list[PublishedNotice]:
    return [
        n
        for n in notices
        if n.code == code and n.buyer and orgs.identify(n.buyer, [member]) is not None
    ]


def member_duties(warehouse: Warehouse, member: orgs.Organisation, as_of: date) -> list[Duty]:
    """UK1 for the financial year of ``as_of`` and UK17 for each reporting period so far."""
    rules = act_rules()
    notices = facts.published_notices(warehouse)
    duties = _pipeline(warehouse, member, as_of, notices, rules)
    duties += _payments(warehouse, member, as_of, notices, rules)
    drafts = _drafts(warehouse)
    for duty in duties:
        duty.draft = drafts.get((None, duty.notice, duty.organisation))
    return duties


def _pipeline(
    warehouse: Warehouse,
    member: orgs.Organisation,
    as_of: date,
    notices: list[PublishedNotice],
    rules: ActRules,
) -> list[Duty]:
    from observatory.publish.notices import pipeline_items

    fy_start = rules.financial_year_start(as_of)
    if fy_start < rules.in_force:
        return []
    subject = f"financial year {fy_start.year}-{str(fy_start.year + 1)[2:]}"
    deadline = rules.pipeline_deadline(fy_start)

    def duty(status: str, reason: str) -> Duty:
        return Duty(member.org_id, "UK1", subject, status, reason, deadline)

    spend = facts.relevant_spend(warehouse, member.org_id)
    if spend is None:
        return [duty(UNKNOWN, "no spend loaded: the £100m test cannot be made")]
    threshold = Decimal(str(rules.pipeline["spend_threshold"]))
    basis = (
        f"{_pounds(spend.amount)} paid in the latest 12 months loaded "
        f"({spend.first:%b %Y} – {spend.last:%b %Y})"
    )
    if spend.amount <= threshold:
        if not spend.full_year:
            # Less than a year of spend cannot show that a year's spend stays under £100m.
            return [
                duty(
                    UNKNOWN,
                    f"{basis}: under a year of spend loaded, and not over "
                    f"{_pounds(threshold)} so far",
                )
            ]
        return [duty(NOT_REQUIRED, f"{basis}: not over {_pounds(threshold)}")]
    year_end = add_months(fy_start, 12)
    published = [
        n
        for n in _member_notices(notices, member, "UK1")
        if n.published and fy_start <= n.published < year_end
    ]
    if published:
        return [duty(DONE, f"UK1 published {published[0].published:%d %b %Y}; {basis}")]
    lead = int(rules.pipeline["lead_months"])
    items = pipeline_items(warehouse, member.org_id, fy_start, lead, rules)
    status = OVERDUE if as_of > deadline else DUE
    return [
        duty(
            status,
            f"{basis}: over {_pounds(threshold)}; {len(items)} procurements of £2m or more "
            "expected in the 18 months (contract end dates and pipeline entries); none published",
        )
    ]


def _payments(
    warehouse: Warehouse,
    member: orgs.Organisation,
    as_of: date,
    notices: list[PublishedNotice],
    rules: ActRules,
) -> list[Duty]:
    within = int(rules.payments["publish_within_days"])
    published = _member_notices(notices, member, "UK17")
    duties = []
    for start, end in rules.reporting_periods(as_of):
        due = end + timedelta(days=within)
        subject = f"payments {start:%d %b %Y} – {end:%d %b %Y}"
        invoices = warehouse.fetch_value(
            "SELECT count(*) FROM invoice_payments WHERE organisation = ? AND "
            "(payment_date BETWEEN ? AND ? OR clock_start BETWEEN ? AND ?)",
            [member.org_id, start, end, start, end],
        )
        paid = warehouse.fetch_value(
            "SELECT count(*) FROM spend_lines WHERE organisation = ? "
            "AND payment_date BETWEEN ? AND ?",
            [member.org_id, start, end],
        )
        after = [n for n in published if n.published and end < n.published <= due + timedelta(180)]
        if after:
            duties.append(
                Duty(
                    member.org_id,
                    "UK17",
                    subject,
                    DONE,
                    f"UK17 published {after[0].published}",
                    due,
                )
            )
            continue
        if not invoices and not paid:
            duties.append(
                Duty(
                    member.org_id,
                    "UK17",
                    subject,
                    UNKNOWN,
                    "no payments loaded for the period: the duty applies if any payment was made "
                    "or fell due under a public contract",
                    due,
                )
            )
            continue
        source = (
            f"{invoices} invoices loaded: draft with `notices draft UK17 --period-end {end}`"
            if invoices
            else f"{paid} spend lines but no invoice dates: the figures need accounts-payable data"
        )
        state = "period in progress; " if as_of <= end else ""
        status = OVERDUE if as_of > due else DUE
        duties.append(Duty(member.org_id, "UK17", subject, status, state + source, due))
    return duties


def duties(warehouse: Warehouse, organisation: str | None, as_of: date) -> list[Duty]:
    """Every duty of one member (id, name or alias), or of every member and every contract."""
    known = orgs.known(warehouse)
    if organisation:
        member = orgs.resolve_org_option(organisation, known)
        chosen = [member]
        org_id: str | None = member.org_id
    else:
        chosen, org_id = known, None
    out: list[Duty] = []
    for m in chosen:
        out += member_duties(warehouse, m, as_of)
    out += contract_duties(warehouse, org_id, as_of)
    order = {s: i for i, s in enumerate(STATUSES)}
    return sorted(
        out, key=lambda d: (d.organisation, order[d.status], d.due or date.max, d.subject)
    )


def summary(rows: list[Duty]) -> dict[str, Any]:
    """Counts by status, by notice and status, and by organisation and status."""
    by_status = Counter(d.status for d in rows)
    by_notice: dict[str, Counter[str]] = defaultdict(Counter)
    by_org: dict[str, Counter[str]] = defaultdict(Counter)
    for d in rows:
        by_notice[d.notice][d.status] += 1
        by_org[d.organisation][d.status] += 1
    return {
        "total": len(rows),
        "by_status": {s: by_status[s] for s in STATUSES if by_status[s]},
        "by_notice": {k: dict(v) for k, v in sorted(by_notice.items())},
        "by_organisation": {k: dict(v) for k, v in sorted(by_org.items())},
    }


@dataclass
class NoticesOverview:
    """What a notices page shows: the duties, their counts and the drafted notices."""

    as_of: date
    organisation: str | None
    duties: list[Duty]
    summary: dict[str, Any]
    drafts: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "organisation": self.organisation,
            "summary": self.summary,
            "duties": [d.as_json() for d in self.duties],
            "drafts": [
                {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in d.items()}
                for d in self.drafts
            ],
        }


def notices_overview(
    warehouse: Warehouse, organisation: str | None, as_of: date
) -> NoticesOverview:
    """For the web page: one member's (or everyone's) duties as of a date, and stored drafts."""
    from observatory.publish.notices import stored_drafts

    rows = duties(warehouse, organisation, as_of)
    member = (
        orgs.resolve_org_option(organisation, orgs.known(warehouse)).org_id
        if organisation
        else None
    )
    return NoticesOverview(as_of, member, rows, summary(rows), stored_drafts(warehouse, member))
