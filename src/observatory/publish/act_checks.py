"""The Procurement Act's own rules for a notice: required fields per notice type, thresholds with
VAT, and deadlines. The schema cannot say these (``noticeType`` is a free string there).

Each check returns findings with paths relative to the release; ``validation`` prefixes them.
Figures and dates come from ``data/procurement_act.toml`` through ``rules``.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from observatory.publish.rules import ActRules, act_rules, add_months
from observatory.publish.validation import ERROR, WARNING, Finding, release_notice_types
from observatory.sources.ocds import parse_date

NOTICE_CODE = re.compile(r"^UK([1-9]|1[0-7])$")
OCID_PREFIX = re.compile(r"^ocds-[a-z0-9]{6}-")
EXPECTED_TAGS = {
    "UK1": {"planning", "planningUpdate"},
    "UK7": {"contract", "contractUpdate", "award", "awardUpdate"},
    "UK9": {"implementation", "implementationUpdate"},
    "UK17": {"implementation", "implementationUpdate"},
}


def _error(message: str, path: str = "", value: Any = None) -> Finding:
    return Finding(ERROR, "act", message, path, value)


def _warning(message: str, path: str = "", value: Any = None) -> Finding:
    return Finding(WARNING, "act", message, path, value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _money(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def pounds(value: Decimal) -> str:
    return f"£{value:,.0f}"


def act_findings(
    release: dict[str, Any], authority: str = "sub_central", as_of: date | None = None
) -> list[Finding]:
    """The Act's errors and warnings for one release (none for a release from before the Act
    that carries no notice code)."""
    rules = act_rules()
    codes = release_notice_types(release)
    released = parse_date(release.get("date"))
    if not codes:
        if released is not None and released < rules.in_force:
            return []
        return [
            _error(
                "no notice code: a notice under the Act carries documents[].noticeType "
                "(UK1…UK17) in planning, tender, awards or contracts",
                "",
            )
        ]
    findings = []
    if len(set(codes)) > 1:
        findings.append(
            _warning(
                f"several notice codes ({', '.join(codes)}): the last, {codes[-1]}, is checked"
            )
        )
    code = codes[-1]
    if not NOTICE_CODE.match(code):
        return [_error(f"'{code}' is not a Procurement Act notice code (UK1–UK17)", "", code)]
    findings += _common(release, code, rules)
    check = CHECKS.get(code)
    if check is not None:
        findings += check(release, rules, authority)
    return findings


def _common(release: dict[str, Any], code: str, rules: ActRules) -> list[Finding]:
    findings = []
    ocid = release.get("ocid")
    if isinstance(ocid, str) and not OCID_PREFIX.match(ocid):
        findings.append(
            _warning(
                f"ocid {ocid!r} does not start with a registered prefix (ocds-xxxxxx-)",
                "ocid",
                ocid,
            )
        )
    buyer = _dict(release.get("buyer"))
    buyers = [p for p in _list(release.get("parties")) if "buyer" in _list(_dict(p).get("roles"))]
    if not buyer.get("name") and not any(_dict(p).get("name") for p in buyers):
        findings.append(_error("no buyer: the notice must name the contracting authority", "buyer"))
    tags = {t for t in _list(release.get("tag")) if isinstance(t, str)}
    expected = EXPECTED_TAGS.get(code)
    if expected and tags and not tags & expected:
        findings.append(
            _warning(
                f"a {code} release is tagged {', '.join(sorted(tags))}; expected one of "
                f"{', '.join(sorted(expected))}",
                "tag",
            )
        )
    findings += _values(release, [])
    return findings


def _values(value: Any, path: list[object]) -> list[Finding]:
    """Every Value object: an amount needs a currency, and the gross can't be below the net."""
    findings: list[Finding] = []
    if isinstance(value, dict):
        if "amount" in value and _money(value.get("amount")) is not None:
            where = "/".join(str(p) for p in path)
            if not value.get("currency"):
                findings.append(_error("a value without a currency", where, value.get("amount")))
            gross, net = _money(value.get("amountGross")), _money(value.get("amount"))
            if gross is not None and net is not None and gross < net:
                findings.append(
                    _error("amountGross (VAT included) is less than amount (VAT excluded)", where)
                )
        for key, child in value.items():
            if key != "paymentsCompliance":
                findings += _values(child, [*path, key])
    elif isinstance(value, list):
        for i, child in enumerate(value):
            findings += _values(child, [*path, i])
    return findings


def _notice_document(holder: dict[str, Any], code: str) -> dict[str, Any]:
    for document in _list(holder.get("documents")):
        if isinstance(document, dict) and str(document.get("noticeType", "")).upper() == code:
            return document
    return {}


# -- UK1 pipeline ------------------------------------------------------------------------------


def _uk1(release: dict[str, Any], rules: ActRules, authority: str) -> list[Finding]:
    findings = []
    tender = _dict(release.get("tender"))
    pipeline = rules.pipeline
    if not tender.get("title"):
        findings.append(
            _error("each procurement in a pipeline notice needs a title", "tender/title")
        )
    value = _dict(tender.get("value"))
    gross = _money(value.get("amountGross"))
    minimum = Decimal(str(pipeline["contract_threshold"]))
    if gross is None:
        findings.append(
            _error(
                "pipeline values include VAT: give tender/value/amountGross",
                "tender/value/amountGross",
            )
        )
    elif gross < minimum:
        findings.append(
            _error(
                f"{pounds(gross)} with VAT is below the {pounds(minimum)} a pipeline notice lists "
                "(s93)",
                "tender/value/amountGross",
                float(gross),
            )
        )
    released = parse_date(release.get("date"))
    advert = parse_date(_dict(tender.get("communication")).get("futureNoticeDate"))
    if advert is None:
        findings.append(
            _error(
                "the expected date of the tender or transparency notice is missing",
                "tender/communication/futureNoticeDate",
            )
        )
    if released is not None:
        fy_start = rules.financial_year_start(released)
        deadline = rules.pipeline_deadline(fy_start)
        if released > deadline:
            days = (released - fy_start).days + 1
            findings.append(
                _warning(
                    f"published on day {days} of the financial year that began "
                    f"{fy_start:%d %B %Y}; "
                    f"the Act asks within {pipeline['publish_within_days']} days (by "
                    f"{deadline:%d %B %Y})",
                    "date",
                )
            )
        horizon = rules.pipeline_horizon(fy_start)
        if advert is not None and not fy_start <= advert <= horizon:
            findings.append(
                _warning(
                    f"expected advertisement {advert:%d %B %Y} is outside the "
                    f"{pipeline['horizon_months']} months the notice covers "
                    f"({fy_start:%d %B %Y} to {horizon:%d %B %Y})",
                    "tender/communication/futureNoticeDate",
                )
            )
    return findings


# -- UK7 contract details ----------------------------------------------------------------------


def _cpv(release: dict[str, Any]) -> str | None:
    for holder in [_dict(release.get("tender")), *map(_dict, _list(release.get("awards")))]:
        for item in _list(holder.get("items")):
            classification = _dict(_dict(item).get("classification"))
            if str(classification.get("scheme", "")).upper() == "CPV":
                return str(classification.get("id", ""))[:8]
        classification = _dict(holder.get("classification"))
        if str(classification.get("scheme", "")).upper() == "CPV":
            return str(classification.get("id", ""))[:8]
    return None


def contract_kind(release: dict[str, Any], rules: ActRules) -> str:
    """light_touch, works or goods_services: the tender's special regime, then its main
    procurement category, then its CPV code."""
    tender = _dict(release.get("tender"))
    regimes = {re.sub(r"[^a-z]", "", str(r).lower()) for r in _list(tender.get("specialRegime"))}
    if "lighttouch" in regimes:
        return "light_touch"
    categories = [tender.get("mainProcurementCategory")]
    categories += [_dict(a).get("mainProcurementCategory") for a in _list(release.get("awards"))]
    if "works" in categories:
        return "works"
    return rules.kind_of(_cpv(release), None)


def _uk7(release: dict[str, Any], rules: ActRules, authority: str) -> list[Finding]:
    contracts = _list(release.get("contracts"))
    if not contracts:
        return [
            _error(
                "a contract details notice describes the contract: 'contracts' is empty",
                "contracts",
            )
        ]
    findings = []
    awards = {str(_dict(a).get("id")): _dict(a) for a in _list(release.get("awards"))}
    parties = {str(_dict(p).get("id")): _dict(p) for p in _list(release.get("parties"))}
    kind = contract_kind(release, rules)
    for j, item in enumerate(contracts):
        contract = _dict(item)
        where = f"contracts/{j}"
        findings += _uk7_contract(release, contract, where, awards, parties, kind, rules, authority)
    return findings


def _uk7_contract(
    release: dict[str, Any],
    contract: dict[str, Any],
    where: str,
    awards: dict[str, dict[str, Any]],
    parties: dict[str, dict[str, Any]],
    kind: str,
    rules: ActRules,
    authority: str,
) -> list[Finding]:
    findings = []
    value = _dict(contract.get("value"))
    gross = _money(value.get("amountGross"))
    if gross is None:
        findings.append(
            _error(
                "the contract's value with VAT is missing (value/amountGross)",
                f"{where}/value/amountGross",
            )
        )
    signed = parse_date(contract.get("dateSigned"))
    if signed is None:
        findings.append(
            _error("the date the contract was entered into is missing", f"{where}/dateSigned")
        )
    if parse_date(_dict(contract.get("period")).get("startDate")) is None:
        findings.append(_error("the contract's start date is missing", f"{where}/period/startDate"))
    award = awards.get(str(contract.get("awardID")))
    if award is None:
        findings.append(
            _error(f"awardID {contract.get('awardID')!r} matches no award", f"{where}/awardID")
        )
    else:
        findings += _suppliers(award, parties)
    published = parse_date(_notice_document(contract, "UK7").get("datePublished")) or parse_date(
        release.get("date")
    )
    if signed is not None and published is not None:
        allowed = rules.uk7_days(kind)
        days = (published - signed).days
        if days > allowed:
            findings.append(
                _warning(
                    f"published {days} days after the contract was entered into "
                    f"({signed:%d %B %Y}); the Act allows {allowed}",
                    f"{where}/dateSigned",
                )
            )
    if gross is not None:
        findings += _uk7_value(contract, where, gross, signed or published, kind, rules, authority)
    return findings


def _suppliers(award: dict[str, Any], parties: dict[str, dict[str, Any]]) -> list[Finding]:
    suppliers = _list(award.get("suppliers"))
    if not suppliers:
        return [_error("the award names no supplier", f"awards/{award.get('id')}/suppliers")]
    findings = []
    for reference in suppliers:
        reference = _dict(reference)
        party = parties.get(str(reference.get("id")), {})
        identifier = _dict(party.get("identifier"))
        if not identifier.get("id"):
            name = party.get("name") or reference.get("name") or reference.get("id")
            findings.append(
                _warning(
                    f"supplier {name!r} has no identifier (a PPON or Companies House number is "
                    "expected)",
                    "parties",
                )
            )
    return findings


def _uk7_value(
    contract: dict[str, Any],
    where: str,
    gross: Decimal,
    day: date | None,
    kind: str,
    rules: ActRules,
    authority: str,
) -> list[Finding]:
    findings = []
    threshold = rules.threshold(authority, kind, day or rules.in_force)
    above = gross >= threshold
    flag = contract.get("aboveThreshold")
    if isinstance(flag, bool) and flag != above:
        side = "above" if above else "below"
        findings.append(
            _warning(
                f"aboveThreshold is {str(flag).lower()} but {pounds(gross)} with VAT is {side} the "
                f"{pounds(threshold)} threshold",
                f"{where}/aboveThreshold",
            )
        )
    notifiable = rules.notifiable(authority)
    if gross < notifiable:
        findings.append(
            _warning(
                f"{pounds(gross)} with VAT is below {pounds(notifiable)}: no contract details "
                "notice is due (s87)",
                f"{where}/value",
            )
        )
    details = rules.contract_details
    if gross >= Decimal(str(details["kpi_value_threshold"])):
        metrics = _list(contract.get("agreedMetrics"))
        minimum = int(details["min_kpis"])
        if len(metrics) < minimum:
            floor = pounds(Decimal(str(details["kpi_value_threshold"])))
            message = (
                f"a contract of {floor} or more needs at least {minimum} KPIs (s52): "
                f"{len(metrics)} given"
            )
            if contract.get("noAgreedMetricsRationale"):
                findings.append(
                    _warning(message + "; a rationale is given", f"{where}/agreedMetrics")
                )
            else:
                findings.append(_error(message, f"{where}/agreedMetrics"))
        documents = [_dict(d).get("documentType") for d in _list(contract.get("documents"))]
        if "contractSigned" not in documents:
            findings.append(
                _warning(
                    "a contract of £5m or more also publishes a copy of the contract (s94): add a "
                    "document of type contractSigned",
                    f"{where}/documents",
                )
            )
    return findings


# -- UK9 contract performance -------------------------------------------------------------------


def _uk9(release: dict[str, Any], rules: ActRules, authority: str) -> list[Finding]:
    contracts = _list(release.get("contracts"))
    if not contracts:
        return [
            _error(
                "a contract performance notice names the contract: 'contracts' is empty",
                "contracts",
            )
        ]
    ratings = set(rules.performance["ratings"])
    findings = []
    for j, item in enumerate(contracts):
        contract = _dict(item)
        implementation = _dict(contract.get("implementation"))
        metrics = _list(implementation.get("metrics"))
        where = f"contracts/{j}/implementation"
        if not metrics:
            findings.append(
                _error("no KPI ratings (implementation/metrics is empty)", f"{where}/metrics")
            )
        for m, metric in enumerate(metrics):
            observations = _list(_dict(metric).get("observations"))
            if not observations:
                findings.append(
                    _error("a KPI without a rating (no observations)", f"{where}/metrics/{m}")
                )
            for o, observation in enumerate(observations):
                path = f"{where}/metrics/{m}/observations/{o}"
                observation = _dict(observation)
                rating = _dict(observation.get("measureClassification")).get("id")
                if rating not in ratings:
                    findings.append(
                        _error(
                            f"rating {rating!r} is not one of {', '.join(sorted(ratings))}",
                            f"{path}/measureClassification/id",
                            rating,
                        )
                    )
                period = _dict(observation.get("period"))
                if not period.get("startDate") or not period.get("endDate"):
                    findings.append(
                        _warning("the period the rating covers is missing", f"{path}/period")
                    )
        documents = [_dict(d) for d in _list(implementation.get("documents"))]
        documents += [_dict(d) for d in _list(contract.get("documents"))]
        notice = [d for d in documents if str(d.get("noticeType", "")).upper() == "UK9"]
        if notice and notice[-1].get("documentType") != "implementationNotice":
            findings.append(
                _warning(
                    "the UK9 document's documentType should be implementationNotice",
                    f"{where}/documents",
                )
            )
    return findings


# -- UK17 payments compliance ------------------------------------------------------------------


def _uk17(release: dict[str, Any], rules: ActRules, authority: str) -> list[Finding]:
    figures = _dict(release.get("paymentsCompliance"))
    if not figures:
        return [
            _error(
                "the regulation 38 figures are missing (paymentsCompliance)", "paymentsCompliance"
            )
        ]
    findings = []
    period = _dict(figures.get("reportingPeriod"))
    start, end = parse_date(period.get("startDate")), parse_date(period.get("endDate"))
    where = "paymentsCompliance"
    if start is None or end is None:
        findings.append(
            _error(
                "the reporting period's first and last days are required",
                f"{where}/reportingPeriod",
            )
        )
    else:
        findings += _uk17_period(start, end, release, rules, where)
    made = figures.get("paymentsMade")
    bands = [
        _money(figures.get(k))
        for k in (
            "percentagePaidWithin30Days",
            "percentagePaidIn31To60Days",
            "percentagePaidIn61DaysOrMore",
        )
    ]
    if made:
        if any(b is None for b in bands) or _money(figures.get("averageDaysToPay")) is None:
            findings.append(
                _error(
                    "payments were made: the average days to pay and the three bands are required",
                    where,
                )
            )
        else:
            total = sum(b for b in bands if b is not None)
            if abs(total - 100) > Decimal("0.2"):
                findings.append(
                    _error(
                        f"the three bands add up to {total}%, not 100%",
                        f"{where}/percentagePaidWithin30Days",
                        float(total),
                    )
                )
    approval = _dict(figures.get("approval"))
    if not approval.get("name") or not approval.get("jobTitle"):
        findings.append(
            _error(
                "the approving finance officer's name and job title are required "
                "(regulation 38(2)(e))",
                f"{where}/approval",
            )
        )
    return findings


def _uk17_period(
    start: date, end: date, release: dict[str, Any], rules: ActRules, where: str
) -> list[Finding]:
    findings = []
    path = f"{where}/reportingPeriod"
    if not rules.is_period_end(end):
        findings.append(
            _error(
                f"a reporting period ends on 31 March or 30 September, not {end:%d %B %Y}",
                f"{path}/endDate",
            )
        )
        return findings
    # Six months back from the period's end, or the day the duty began for the first period.
    expected = max(month_end(end, -6) + timedelta(days=1), rules.payments_compliance_from)
    if start != expected:
        findings.append(
            _error(
                f"the period ending {end:%d %B %Y} begins on {expected:%d %B %Y}, not "
                f"{start:%d %B %Y}",
                f"{path}/startDate",
            )
        )
    if end < rules.payments_compliance_from:
        findings.append(
            _warning(
                f"the duty began on {rules.payments_compliance_from:%d %B %Y}: this period is "
                "before it",
                f"{path}/endDate",
            )
        )
    released = parse_date(release.get("date"))
    if released is not None:
        days = (released - end).days
        allowed = int(rules.payments["publish_within_days"])
        if days > allowed:
            findings.append(
                _warning(
                    f"published {days} days after the period ended; the Act allows {allowed}",
                    "date",
                )
            )
        elif days < 1:
            findings.append(_warning("published before the reporting period ended", "date"))
    return findings


def month_end(day: date, months: int) -> date:
    """The last day of the month ``months`` from ``day``'s month."""
    shifted = add_months(day.replace(day=1), months)
    return shifted.replace(day=calendar.monthrange(shifted.year, shifted.month)[1])


CHECKS = {"UK1": _uk1, "UK7": _uk7, "UK9": _uk9, "UK17": _uk17}
