"""Offline validation: the schema built here equals the shared, independently built one; a valid
notice passes; each deliberately broken notice fails with the message that names its fault."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from notice_fixtures import release, uk7

from observatory.publish.schemas import SchemasMissing, build_release_schema, load_schemas
from observatory.publish.validation import NoticeReport, validate_file, validate_package


def _messages(reports: list[NoticeReport], severity: str = "error") -> list[str]:
    return [f.message for r in reports for f in r.findings if f.severity == severity]


def test_patched_schema_and_codelists_equal_the_shared_build(schema_dir: Path) -> None:
    built_dir = schema_dir / "ocds-uk-extension" / "built"
    built = json.loads((built_dir / "uk-patched-release-schema.json").read_text())
    mine = build_release_schema(schema_dir, with_project_patch=False)
    # Only the id differs: the shared build names its profile with a local URN.
    assert {k: v for k, v in mine.items() if k != "id"} == {
        k: v for k, v in built.items() if k != "id"
    }
    codelists = load_schemas(schema_dir).codelists
    for path in sorted((built_dir / "codelists").glob("*.csv")):
        with path.open(encoding="utf-8") as handle:
            expected = {row["Code"] for row in csv.DictReader(handle)}
        assert codelists[path.name] == expected, path.name


def test_a_missing_schema_folder_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(SchemasMissing) as caught:
        load_schemas(tmp_path / "nowhere")
    message = str(caught.value)
    assert "observatory reference fetch" in message and "OBSERVATORY_SCHEMAS" in message
    assert "Nothing is downloaded" in message


def test_the_valid_notice_passes(schema_dir: Path) -> None:
    reports = validate_package(uk7())
    assert [r.passed for r in reports] == [True]
    assert reports[0].notice_type == "UK7"
    assert _messages(reports, "warning") == []


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def edit(package: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        target: Any = package
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[int(last) if last.isdigit() else last]

    return edit


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(package: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        target: Any = package
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return edit


def _duplicate_release(package: dict[str, Any]) -> None:
    twin = json.loads(json.dumps(release(package)))
    twin["date"] = "2026-03-11T00:00:00Z"  # not identical, so only the ids clash
    package["releases"].append(twin)


C = "releases/0/contracts/0"
BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("no ocid", _drop("releases/0/ocid"), "'ocid' is missing but required"),
    (
        "a date without a time zone",
        _set("releases/0/date", "2026-03-10"),
        "'date' is not a valid date-time (ISO 8601 with a time zone, e.g. 2026-03-31T00:00:00Z)",
    ),
    (
        "a currency not in ISO 4217",
        _set(f"{C}/value/currency", "GPB"),
        "Invalid code found in 'currency'",
    ),
    (
        "a tag not in the codelist",
        _set("releases/0/tag", ["contractDetails"]),
        "Invalid code found in 'tag'",
    ),
    ("an amount as text", _set(f"{C}/value/amount", "500,000"), "'amount' is not a number"),
    (
        "no release id in a package's metadata",
        _drop("publisher"),
        "'publisher' is missing but required",
    ),
    (
        "two releases with one id",
        _duplicate_release,
        "Non-unique id values: release id 'ocds-h6vhtk-test-0001-UK7-20260310' of ocid "
        "'ocds-h6vhtk-test-0001' is also release 0 of the package",
    ),
    ("a value without a currency", _drop(f"{C}/value/currency"), "a value without a currency"),
    (
        "no notice code",
        _drop(f"{C}/documents/0/noticeType"),
        "no notice code: a notice under the Act carries documents[].noticeType (UK1…UK17) in "
        "planning, tender, awards or contracts",
    ),
    (
        "a notice code the Act does not have",
        _set(f"{C}/documents/0/noticeType", "UK18"),
        "'UK18' is not a Procurement Act notice code (UK1–UK17)",
    ),
    (
        "no signature date",
        _drop(f"{C}/dateSigned"),
        "the date the contract was entered into is missing",
    ),
    (
        "a gross value below the net",
        _set(f"{C}/value/amountGross", 400000),
        "amountGross (VAT included) is less than amount (VAT excluded)",
    ),
    (
        "£6m with no KPIs",
        _set(f"{C}/value", {"amount": 5000000, "amountGross": 6000000, "currency": "GBP"}),
        "a contract of £5,000,000 or more needs at least 3 KPIs (s52): 0 given",
    ),
    (
        "an award with no supplier",
        _set("releases/0/awards/0/suppliers", []),
        "the award names no supplier",
    ),
    ("an awardID matching nothing", _set(f"{C}/awardID", "9"), "awardID '9' matches no award"),
    (
        "no buyer",
        _drop("releases/0/buyer"),
        "no buyer: the notice must name the contracting authority",
    ),
]


@pytest.mark.parametrize(("fault", "edit", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_each_broken_notice_fails_with_its_message(
    schema_dir: Path, fault: str, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    package = uk7()
    if fault == "no buyer":
        release(package)["parties"][0]["roles"] = ["procuringEntity"]
    edit(package)
    reports = validate_package(package)
    assert not all(r.passed for r in reports)
    assert message in _messages(reports)


def test_warnings_do_not_fail_a_notice(schema_dir: Path) -> None:
    package = uk7()
    r = release(package)
    r["contracts"][0]["dateSigned"] = "2025-12-01T00:00:00Z"  # 99 days before publication
    r["contracts"][0]["aboveThreshold"] = False  # £600,000 is above £207,720
    r["parties"][1].pop("identifier")
    r["tender"]["shoeSize"] = 9
    r["contracts"][0]["documents"][0]["documentType"] = "contractDetailsNotice"
    reports = validate_package(package)
    assert reports[0].passed
    warnings = _messages(reports, "warning")
    assert (
        "published 99 days after the contract was entered into (01 December 2025); "
        "the Act allows 30" in warnings
    )
    assert (
        "aboveThreshold is false but £600,000 with VAT is above the £214,904 threshold" in warnings
    )
    assert (
        "supplier 'Acme Ltd' has no identifier (a PPON or Companies House number is expected)"
        in warnings
    )
    assert "'shoeSize' is not in the schema (OCDS 1.1.5 + UK extension)" in warnings
    assert any(
        w.startswith("'contractDetailsNotice' is not in the documentType.csv codelist")
        for w in warnings
    )


def _uk17(**figures: Any) -> dict[str, Any]:
    package = uk7()
    r = release(package)
    for key in ("awards", "contracts", "tender"):
        r.pop(key)
    r["tag"] = ["implementation"]
    r["date"] = "2026-04-20T00:00:00Z"
    r["planning"] = {"documents": [{"id": "UK17-1", "noticeType": "UK17"}]}
    base: dict[str, Any] = {
        "reportingPeriod": {"startDate": "2026-01-01T00:00:00Z", "endDate": "2026-03-31T00:00:00Z"},
        "paymentsMade": 10,
        "averageDaysToPay": 21.5,
        "percentagePaidWithin30Days": 70,
        "percentagePaidIn31To60Days": 20,
        "percentagePaidIn61DaysOrMore": 10,
        "approval": {"name": "A Person", "jobTitle": "Director of Finance"},
    }
    base.update(figures)
    r["paymentsCompliance"] = base
    return package


def test_uk17_rules(schema_dir: Path) -> None:
    assert validate_package(_uk17())[0].passed
    cases = [
        (
            {"percentagePaidIn61DaysOrMore": 5},
            "the three bands add up to 95%, not 100%",
        ),
        (
            {
                "reportingPeriod": {
                    "startDate": "2026-01-01T00:00:00Z",
                    "endDate": "2026-06-30T00:00:00Z",
                }
            },
            "a reporting period ends on 31 March or 30 September, not 30 June 2026",
        ),
        (
            {
                "reportingPeriod": {
                    "startDate": "2025-10-01T00:00:00Z",
                    "endDate": "2026-03-31T00:00:00Z",
                }
            },
            "the period ending 31 March 2026 begins on 01 January 2026, not 01 October 2025",
        ),
        (
            {"approval": {"name": "A Person"}},
            "the approving finance officer's name and job title are required (regulation 38(2)(e))",
        ),
        (
            {"percentagePaidWithin30Days": 140},
            "'percentagePaidWithin30Days': 140 is greater than the maximum of 100",
        ),
    ]
    for figures, message in cases:
        assert message in _messages(validate_package(_uk17(**figures))), message


def test_uk1_and_uk9_rules(schema_dir: Path) -> None:
    package = uk7()
    r = release(package)
    for key in ("awards", "contracts"):
        r.pop(key)
    r["tag"] = ["planning"]
    r["date"] = "2026-07-01T00:00:00Z"  # after the 56 days from 1 April
    r["planning"] = {"documents": [{"id": "UK1-1", "noticeType": "UK1"}]}
    r["tender"] = {
        "id": "P-1",
        "title": "Waste collection",
        "status": "planned",
        "value": {"amount": 1500000, "amountGross": 1800000, "currency": "GBP"},
        "communication": {"futureNoticeDate": "2028-01-01T00:00:00Z"},
    }
    reports = validate_package(package)
    assert "£1,800,000 with VAT is below the £2,000,000 a pipeline notice lists (s93)" in _messages(
        reports
    )
    warnings = _messages(reports, "warning")
    assert (
        "published on day 92 of the financial year that began 01 April 2026; the Act asks within "
        "56 days (by 26 May 2026)" in warnings
    )
    assert any(w.startswith("expected advertisement 01 January 2028 is outside") for w in warnings)

    package = uk7()
    r = release(package)
    r["tag"] = ["implementation"]
    contract = r["contracts"][0]
    contract.pop("documents")
    contract["implementation"] = {
        "documents": [{"id": "UK9-1", "noticeType": "UK9", "documentType": "implementationNotice"}],
        "metrics": [
            {"id": "1", "observations": [{"id": "1-a", "measureClassification": {"id": "great"}}]}
        ],
    }
    messages = _messages(validate_package(package))
    assert (
        "rating 'great' is not one of below, met, other, significantlyBelow, slightlyBelow"
        in messages
    )


def test_real_contracts_finder_packages_validate(schema_dir: Path) -> None:
    from independent import DATA, need

    folder = need(DATA / "ocds-contracts-finder")
    files = sorted(folder.rglob("*.json"))
    reports = [r for f in files for r in validate_file(f)]
    assert len(reports) == len(files)  # one release per package
    # Independently: a package whose publishedDate is not a full date-time is the only fault.
    full = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
    bad = []
    for f in files:
        published = json.loads(f.read_text(encoding="utf-8-sig")).get("publishedDate", "")
        if not full.fullmatch(published):
            bad.append(str(f))
    assert len(bad) == 1
    failed = sorted(r.source for r in reports if not r.passed)
    assert failed == sorted(bad)
    assert all(r.notice_type is None for r in reports)  # pre-Act notices carry no UK code
