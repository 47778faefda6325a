"""Validate OCDS release packages offline: the schema, the codelists and the Act's own rules.

A report per notice (release) lists errors and warnings the way the OCDS Data Review Tool does:
schema errors with their path ("'ocid' is missing but required", "Invalid code found in
'currency'"), non-unique release ids, fields the schema does not define and open-codelist values
outside the codelist (warnings), then the Procurement Act's checks (``act_checks``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from observatory.publish.schemas import RELEASE_SCHEMA_URL, SchemaSet, load_schemas

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    severity: str  # error, warning
    check: str  # schema, codelist, additional field, package, act
    message: str
    path: str = ""
    value: Any = None

    def as_json(self) -> dict[str, Any]:
        out = {"severity": self.severity, "check": self.check, "message": self.message}
        if self.path:
            out["path"] = self.path
        if self.value is not None:
            out["value"] = self.value
        return out


@dataclass
class NoticeReport:
    """What validation found in one release of a package."""

    source: str
    index: int  # position in the package (0-based)
    ocid: str | None
    release_id: str | None
    notice_type: str | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def passed(self) -> bool:
        return not self.errors

    @property
    def schema_passed(self) -> bool:
        return not any(f.check in ("schema", "package") for f in self.errors)

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "release": self.index,
            "ocid": self.ocid,
            "id": self.release_id,
            "notice_type": self.notice_type,
            "passed": self.passed,
            "errors": [f.as_json() for f in self.errors],
            "warnings": [f.as_json() for f in self.warnings],
        }


# -- formats ---------------------------------------------------------------------------------

DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats only constrain strings
    if not DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _format_checker() -> FormatChecker:
    # Our own checks: jsonschema skips date-time silently unless an optional package is present.
    checker = FormatChecker(formats=())
    checker.checks("date-time")(is_date_time)
    checker.checks("uri")(lambda v: not isinstance(v, str) or bool(URI.match(v)))
    checker.checks("email")(lambda v: not isinstance(v, str) or bool(EMAIL.match(v)))
    return checker


# -- schema validation ---------------------------------------------------------------------------


class PackageValidator:
    """Validates release packages against one ``SchemaSet``."""

    def __init__(self, schemas: SchemaSet) -> None:
        self.schemas = schemas
        release = dict(schemas.release)
        release["id"] = RELEASE_SCHEMA_URL  # the package schema refers to it by this URL
        registry: Registry[Any] = Registry().with_resource(
            RELEASE_SCHEMA_URL, Resource.from_contents(release, default_specification=DRAFT4)
        )
        self.release_schema = release
        self.validator = Draft4Validator(
            schemas.package, registry=registry, format_checker=_format_checker()
        )

    def schema_findings(self, package: Any) -> list[tuple[int | None, Finding]]:
        """(release index or None for the package, finding) for every schema error."""
        out = []
        for error in self.validator.iter_errors(package):
            out += [_schema_finding(e) for e in _leaves(error)]
        return sorted(set(out), key=lambda item: (item[0] is not None, item[0] or 0, item[1].path))


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The errors that say what is wrong: for "not valid under any of", the sub-errors."""
    if error.context and error.validator in ("anyOf", "oneOf"):
        return [leaf for sub in error.context for leaf in _leaves(sub)]
    return [error]


def _path(parts: Iterable[object]) -> str:
    return "/".join(str(p) for p in parts)


def _schema_finding(error: ValidationError) -> tuple[int | None, Finding]:
    parts = list(error.absolute_path)
    index = None
    if len(parts) >= 2 and parts[0] == "releases" and isinstance(parts[1], int):
        index = parts[1]
    name = next((str(p) for p in reversed(parts) if not isinstance(p, int)), "")
    parent = _path(p for p in parts[2:] if not isinstance(p, int)) if index is not None else ""
    value = error.instance if not isinstance(error.instance, dict | list) else None
    kind = error.validator
    if kind == "required":
        missing = re.match(r"'([^']+)'", error.message)
        field_name = missing.group(1) if missing else str(error.message)
        within = f" within '{parent}'" if parent else ""
        message = f"'{field_name}' is missing but required{within}"
        value = None
    elif kind == "type":
        wanted = error.validator_value
        types = [t for t in (wanted if isinstance(wanted, list) else [wanted]) if t != "null"]
        article = "an" if types and types[0][0] in "aeiou" else "a"
        message = f"'{name}' is not {article} {' or '.join(types)}"
    elif kind == "enum":
        message = f"Invalid code found in '{name}'"
    elif kind == "format":
        message = f"'{name}' is not a valid {error.validator_value}"
        if error.validator_value == "date-time":
            message += " (ISO 8601 with a time zone, e.g. 2026-03-31T00:00:00Z)"
    elif kind == "uniqueItems":
        message = f"'{name}' has non-unique elements"
    elif kind == "minItems":
        message = f"'{name}' has too few items: at least {error.validator_value} required"
    elif kind == "minLength":
        message = f"'{name}' is too short: at least {error.validator_value} characters required"
    else:
        message = f"'{name}': {error.message}" if name else error.message
    return index, Finding(ERROR, "schema", message, _path(parts), value)


# -- walking a release alongside its schema -----------------------------------------------------


# Fields OCDS 1.1 documents outside its schema: (parent field, field). `details.scale` is the
# standard's recommended organisation scale (partyScale codelist), which the UK extension's
# `details` properties do not list.
DOCUMENTED_ELSEWHERE = {("details", "scale")}


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        return schema["definitions"].get(ref.split("/")[-1], {})
    return node


def walk_release(
    schema: dict[str, Any], release: dict[str, Any], codelists: dict[str, set[str]]
) -> list[Finding]:
    """Warnings for fields the schema does not define and open-codelist codes not in the list."""
    findings: list[Finding] = []
    _walk(schema, schema, release, [], codelists, findings)
    return findings


def _walk(
    root: dict[str, Any],
    node: dict[str, Any],
    value: Any,
    path: list[object],
    codelists: dict[str, set[str]],
    findings: list[Finding],
) -> None:
    node = _resolve(root, node)
    if isinstance(value, list):
        items = node.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(value):
                _walk(root, items, item, [*path, i], codelists, findings)
                if isinstance(item, str):
                    _check_code(_resolve(root, items), node, item, [*path, i], codelists, findings)
        return
    if isinstance(value, dict):
        properties = node.get("properties", {})
        patterns = [re.compile(p) for p in node.get("patternProperties", {})]
        for key, child in value.items():
            parent = next((str(p) for p in reversed(path) if not isinstance(p, int)), "")
            if key in properties:
                _walk(root, properties[key], child, [*path, key], codelists, findings)
            elif (parent, key) in DOCUMENTED_ELSEWHERE:
                continue
            elif not any(p.search(key) for p in patterns) and properties:
                findings.append(
                    Finding(
                        WARNING,
                        "additional field",
                        f"'{key}' is not in the schema (OCDS 1.1.5 + UK extension)",
                        _path([*path, key]),
                    )
                )
        return
    if isinstance(value, str):
        _check_code(node, node, value, path, codelists, findings)


def _check_code(
    node: dict[str, Any],
    holder: dict[str, Any],
    value: str,
    path: list[object],
    codelists: dict[str, set[str]],
    findings: list[Finding],
) -> None:
    # Closed codelists are enums the schema checks; open ones may take other codes (a warning).
    name = holder.get("codelist") or node.get("codelist")
    is_open = holder.get("openCodelist", node.get("openCodelist"))
    if not name or not is_open or name not in codelists:
        return
    if value not in codelists[name]:
        field_name = next((str(p) for p in reversed(path) if not isinstance(p, int)), "")
        findings.append(
            Finding(
                WARNING,
                "codelist",
                f"'{value}' is not in the {name} codelist ('{field_name}' is open: check it "
                "is meant)",
                _path(path),
                value,
            )
        )


# -- packages ---------------------------------------------------------------------------------


def release_notice_types(release: dict[str, Any]) -> list[str]:
    """The ``documents[].noticeType`` codes anywhere a notice document can be."""
    holders: list[Any] = [release.get("planning"), release.get("tender")]
    holders += list(release.get("awards") or [])
    for contract in release.get("contracts") or []:
        holders.append(contract)
        if isinstance(contract, dict):
            holders.append(contract.get("implementation"))
    found = []
    for holder in holders:
        if not isinstance(holder, dict):
            continue
        for document in holder.get("documents") or []:
            if isinstance(document, dict) and isinstance(document.get("noticeType"), str):
                found.append(document["noticeType"].strip().upper())
    return found


def validate_package(
    package: Any,
    source: str = "package",
    schemas: SchemaSet | None = None,
    authority: str = "sub_central",
    as_of: date | None = None,
) -> list[NoticeReport]:
    """One report per release; problems of the package itself go on the first release's report."""
    from observatory.publish.act_checks import act_findings

    schemas = schemas or load_schemas()
    validator = _validator(schemas)
    releases = package.get("releases") if isinstance(package, dict) else None
    if not isinstance(releases, list) or not releases:
        report = NoticeReport(source, 0, None, None, None)
        report.findings.append(
            Finding(ERROR, "package", "not a release package: no 'releases' array", "releases")
        )
        return report_package_errors([report], validator.schema_findings(package))
    reports = []
    for index, release in enumerate(releases):
        item = release if isinstance(release, dict) else {}
        types = release_notice_types(item)
        reports.append(
            NoticeReport(
                source,
                index,
                item.get("ocid") if isinstance(item.get("ocid"), str) else None,
                item.get("id") if isinstance(item.get("id"), str | int) else None,
                types[-1] if types else None,
            )
        )
    report_package_errors(reports, validator.schema_findings(package))
    _duplicate_ids(releases, reports)
    for report, release in zip(reports, releases, strict=True):
        if not isinstance(release, dict):
            continue
        prefix = f"releases/{report.index}/"
        for finding in walk_release(validator.release_schema, release, schemas.codelists):
            report.findings.append(_prefixed(finding, prefix))
        for finding in act_findings(release, authority=authority, as_of=as_of):
            report.findings.append(_prefixed(finding, prefix))
    return reports


def _prefixed(finding: Finding, prefix: str) -> Finding:
    path = prefix + finding.path if finding.path else prefix.rstrip("/")
    return Finding(finding.severity, finding.check, finding.message, path, finding.value)


def report_package_errors(
    reports: list[NoticeReport], findings: list[tuple[int | None, Finding]]
) -> list[NoticeReport]:
    # A problem of the package itself (its metadata, or the releases array as a whole) is
    # reported once, on the first release, so counts do not multiply it.
    for index, finding in findings:
        target = reports[0] if index is None or index >= len(reports) else reports[index]
        target.findings.append(finding)
    return reports


def _duplicate_ids(releases: list[Any], reports: list[NoticeReport]) -> None:
    seen: dict[tuple[str, str], int] = {}
    for report, release in zip(reports, releases, strict=True):
        if not isinstance(release, dict) or "ocid" not in release or "id" not in release:
            continue
        key = (str(release["ocid"]), str(release["id"]))
        if key in seen:
            report.findings.append(
                Finding(
                    ERROR,
                    "package",
                    f"Non-unique id values: release id {key[1]!r} of ocid {key[0]!r} is also "
                    f"release {seen[key]} of the package",
                    f"releases/{report.index}/id",
                    key[1],
                )
            )
        else:
            seen[key] = report.index


def validate_releases(
    releases: list[dict[str, Any]],
    source: str,
    schemas: SchemaSet | None = None,
    as_of: date | None = None,
) -> list[NoticeReport]:
    """Reports for releases kept without their package (the warehouse keeps releases verbatim,
    not the package metadata): they are wrapped in a package whose metadata is valid, so only the
    releases themselves are judged."""
    package = {
        "uri": "urn:observatory:loaded-releases",
        "version": "1.1",
        "publishedDate": "2000-01-01T00:00:00Z",
        "publisher": {"name": "releases loaded in the warehouse"},
        "releases": releases,
    }
    return validate_package(package, source, schemas, as_of=as_of)


_VALIDATORS: dict[int, PackageValidator] = {}


def _validator(schemas: SchemaSet) -> PackageValidator:
    # Building the validator walks the 90 KB schema: once per schema set.
    key = id(schemas)
    if key not in _VALIDATORS:
        _VALIDATORS[key] = PackageValidator(schemas)
    return _VALIDATORS[key]


def validate_file(
    path: Path, schemas: SchemaSet | None = None, as_of: date | None = None
) -> list[NoticeReport]:
    """Reports for a release package file (a file that is not JSON gets one error report)."""
    try:
        package = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        report = NoticeReport(str(path), 0, None, None, None)
        report.findings.append(Finding(ERROR, "package", f"cannot read as JSON: {exc}"))
        return [report]
    return validate_package(package, str(path), schemas, as_of=as_of)
