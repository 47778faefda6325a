"""Load OCDS releases: keep every release verbatim, compile each notice, flatten it into contracts.

Accepted shapes (OCDS 1.1): release packages, record packages, JSON lines (one release or package a
line), a bare array of releases or packages, a single release or record; any of them gzipped or
inside a zip. Every release read is loaded, counted as a duplicate or rejected with its reason.

A notice is identified by its ``notice_key``: the ocid without its ``ocds-xxxxxx-`` prefix, so one
notice republished under another prefix (Contracts Finder copies re-prefixed by a third party) is
stored and counted once. Releases are compiled with the OCDS merge rules (``ocdsmerge``) read from
``data/ocds_merge_rules.json``, never downloaded. See docs/methods/contracts-ocds.md.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import math
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa
from ocdsmerge import CompiledRelease
from ocdsmerge.exceptions import OCDSMergeError, OCDSMergeWarning
from ocdsmerge.rules import MergeRules, get_merge_rules

from observatory.sources.receipt import RECEIPT_FIELDS, LoadError, Receipt
from observatory.store.warehouse import Warehouse

KIND = "ocds"
NOTICE_PREFIX = re.compile(r"^ocds-[A-Za-z0-9]+-")
RAW_TEXT_LIMIT = 10_000
MERGE_RULES_RESOURCE = "data/ocds_merge_rules.json"
ZIP_MEMBER_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz")
HARVEST_STATE = "harvest-state.json"
# DECIMAL(18,2) holds at most 16 digits before the point.
LARGEST_AMOUNT = Decimal("1e16")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Contracts Finder awards say this instead of a description of their own.
PLACEHOLDER_DESCRIPTION = re.compile(r"^see (the )?description of (the )?related tender\.?$", re.I)
UK_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.I)
DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
CPV_CODE = re.compile(r"^\s*(\d{8})")
NOTICE_CODE = re.compile(r"^UK(\d+)$", re.I)


class Reject:
    """Reasons a release cannot be used (the keys of ``Receipt.reject_reasons``)."""

    INVALID_JSON = "invalid JSON"
    NOT_OBJECT = "not a JSON object"
    NOT_OCDS = "not an OCDS release"
    NO_OCID = "no ocid"
    NO_ID = "no release id"
    RECORD_WITHOUT_RELEASES = "record without embedded or compiled release"


class _NotOcds(Exception):
    """A shape error found inside a document; the caller adds the file name."""


# -- reading files ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OcdsFile:
    """The bytes of one input file (or one member of a zip), named as the receipt names it."""

    label: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class Candidate:
    """One thing read from a file that should be a release, and where it was."""

    line: int
    sheet: str
    item: Any
    raw: str | None = None  # the text as read, where we have it (JSON lines)
    error: tuple[str, str] | None = None  # (reason, detail) when already known to be unusable

    def raw_text(self) -> str:
        text = self.raw if self.raw is not None else json.dumps(self.item, ensure_ascii=False)
        return text[:RAW_TEXT_LIMIT]


@dataclass
class ReleaseRow:
    ocid: str
    release_id: str
    notice_key: str
    release_date: str | None
    tags: list[str] | None
    line: int
    data: dict[str, Any]
    value: Decimal


def read_files(path: Path) -> Iterator[OcdsFile]:
    """The file, each JSON member of a zip (named ``zip!member``), or a folder's files in order."""
    if path.is_dir():
        for member in sorted(path.iterdir()):
            if member.is_file() and _is_data_file(member.name):
                yield from read_files(member)
        return
    try:
        if zipfile.is_zipfile(path):
            yield from _zip_members(path)
            return
        content = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"{path}: cannot read the file ({exc.strerror or exc}).") from exc
    yield OcdsFile(str(path), _gunzip(str(path), content))


def _is_data_file(name: str) -> bool:
    # The harvester's bookkeeping sits beside its pages; it is not OCDS.
    lowered = name.lower()
    return lowered != HARVEST_STATE and lowered.endswith((*ZIP_MEMBER_SUFFIXES, ".zip"))


def _zip_members(path: Path) -> Iterator[OcdsFile]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [
                n
                for n in archive.namelist()
                if n.lower().endswith(ZIP_MEMBER_SUFFIXES) and not n.startswith("__MACOSX/")
            ]
            if not names:
                raise LoadError(
                    f"{path}: the zip holds no .json or .jsonl file "
                    f"(it holds: {', '.join(archive.namelist()[:10]) or 'nothing'})."
                )
            for name in sorted(names):
                label = f"{path}!{name}"
                yield OcdsFile(label, _gunzip(label, archive.read(name)))
    except zipfile.BadZipFile as exc:
        raise LoadError(f"{path}: a damaged zip file ({exc}).") from exc


def _gunzip(label: str, content: bytes) -> bytes:
    if not content.startswith(b"\x1f\x8b"):
        return content
    try:
        return gzip.decompress(content)
    except (OSError, EOFError) as exc:
        raise LoadError(f"{label}: a damaged gzip file ({exc}).") from exc


def decode(source: OcdsFile) -> str:
    try:
        return source.content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"{source.label}: not UTF-8 (byte {exc.start}); OCDS JSON must be UTF-8. "
            "Re-save it as UTF-8, e.g. `iconv -f cp1252 -t utf-8 FILE > FILE.utf8.json`."
        ) from exc


class JsonNumbers:
    """Parses JSON, turning numbers JSON cannot hold (1e9999, NaN, Infinity) into null.

    Find a Tender has published ``1e9999`` (kingfisher-collect rewrites it too); Python reads it
    as infinity, which the warehouse's JSON type cannot store. ``replaced`` counts them.
    """

    def __init__(self) -> None:
        self.replaced = 0

    def loads(self, text: str) -> Any:
        return json.loads(text, parse_float=self._float, parse_constant=self._constant)

    def _float(self, text: str) -> float | None:
        value = float(text)
        if math.isfinite(value):
            return value
        self.replaced += 1
        return None

    def _constant(self, name: str) -> None:
        self.replaced += 1
        return None


def read_candidates(source: OcdsFile, numbers: JsonNumbers | None = None) -> list[Candidate]:
    """Everything in the file that should be a release, numbered as the reject table reports it."""
    numbers = numbers or JsonNumbers()
    text = decode(source)
    if not text.strip():
        raise LoadError(f"{source.label}: the file is empty.")
    try:
        document = numbers.loads(text)
    except json.JSONDecodeError as exc:
        # "Extra data" after a complete first value means one JSON value a line.
        if exc.msg == "Extra data":
            return _json_lines(source.label, text, numbers)
        raise LoadError(
            f"{source.label}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})."
            " Is the file truncated, or not JSON?"
        ) from exc
    try:
        return _document_candidates(source.label, document)
    except _NotOcds as exc:
        raise LoadError(f"{source.label}: {exc}") from exc


def _document_candidates(label: str, document: Any) -> list[Candidate]:
    if isinstance(document, list):
        if document and not any(isinstance(e, dict) and _looks_like_ocds(e) for e in document):
            raise LoadError(
                f"{label}: not OCDS: an array with no release or package in it "
                f"(its first element is a JSON {type(document[0]).__name__})."
            )
        items = [item for element in document for item in _expand(element)]
    elif isinstance(document, dict):
        if not _looks_like_ocds(document):
            raise LoadError(_not_ocds_message(label, document))
        items = _expand(document)
    else:
        raise LoadError(
            f"{label}: not OCDS: the file holds a JSON {type(document).__name__}, not a release "
            "package, record package, release or array of releases."
        )
    return [_numbered(index, item) for index, item in enumerate(items, start=1)]


def _numbered(index: int, item: Any) -> Candidate:
    if isinstance(item, Candidate):
        item.line = index
        return item
    return Candidate(line=index, sheet="", item=item)


def _json_lines(label: str, text: str, numbers: JsonNumbers) -> list[Candidate]:
    candidates: list[Candidate] = []
    first = True
    # split on "\n" only: str.splitlines would also split inside strings on U+2028 and friends.
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        try:
            value = numbers.loads(stripped)
        except json.JSONDecodeError as exc:
            detail = f"{exc.msg} at column {exc.colno}"
            if first:
                raise LoadError(f"{label}: not valid JSON on line {number} ({detail}).") from exc
            candidates.append(
                Candidate(number, "", None, raw=stripped, error=(Reject.INVALID_JSON, detail))
            )
            continue
        if first and not (isinstance(value, dict) and _looks_like_ocds(value)):
            raise LoadError(_not_ocds_message(f"{label} line {number}", value))
        first = False
        try:
            items = _expand(value)
        except _NotOcds as exc:
            error = (Reject.NOT_OCDS, str(exc))
            candidates.append(Candidate(number, "", value, raw=stripped, error=error))
            continue
        for position, item in enumerate(items, start=1):
            sheet = f"release {position}" if len(items) > 1 else ""
            candidate = item if isinstance(item, Candidate) else Candidate(number, sheet, item)
            candidate.line, candidate.sheet = number, sheet
            if len(items) == 1 and candidate.error is None and item is value:
                candidate.raw = stripped
            candidates.append(candidate)
    return candidates


def _looks_like_ocds(value: dict[str, Any]) -> bool:
    return any(key in value for key in ("releases", "records", "ocid", "compiledRelease", "tag"))


def _not_ocds_message(label: str, value: Any) -> str:
    if isinstance(value, dict):
        keys = ", ".join(list(value)[:12]) or "none"
        return (
            f"{label}: not OCDS: expected a release package (`releases`), a record package "
            f"(`records`) or a release (`ocid`); the object's keys are: {keys}."
        )
    return f"{label}: not OCDS: found a JSON {type(value).__name__}, not an object."


def _expand(value: Any) -> list[Any]:
    """The releases a JSON value stands for: a package's releases, a record's, or itself."""
    if not isinstance(value, dict):
        return [value]
    if "releases" in value and "ocid" not in value:
        return _array(value, "releases")
    if "records" in value and "ocid" not in value:
        return [item for record in _array(value, "records") for item in _record_releases(record)]
    if (
        "ocid" in value
        and "id" not in value
        and ("releases" in value or "compiledRelease" in value)
    ):
        return _record_releases(value)
    return [value]


def _array(package: dict[str, Any], key: str) -> list[Any]:
    items = package[key]
    if not isinstance(items, list):
        raise _NotOcds(f"not OCDS: `{key}` is a JSON {type(items).__name__}, not an array.")
    return items


def _record_releases(record: Any) -> list[Any]:
    """A record's embedded releases, else its compiled release; linked releases carry no data."""
    if not isinstance(record, dict):
        return [
            Candidate(0, "", record, error=(Reject.NOT_OBJECT, "a record that is not an object"))
        ]
    releases = record.get("releases")
    embedded = [
        r
        for r in (releases if isinstance(releases, list) else [])
        if not (isinstance(r, dict) and "url" in r and "ocid" not in r)
    ]
    if embedded:
        return embedded
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        return [compiled]
    detail = f"record {record.get('ocid')!r} has only linked releases"
    return [Candidate(0, "", record, error=(Reject.RECORD_WITHOUT_RELEASES, detail))]


# -- checking releases -----------------------------------------------------------------------


def notice_key(ocid: str) -> str:
    """The ocid without its publisher prefix: the same notice under two prefixes has one key."""
    return NOTICE_PREFIX.sub("", ocid, count=1)


def check_release(candidate: Candidate) -> ReleaseRow | tuple[str, str]:
    """A release ready to store, or the (reason, detail) it is rejected for."""
    if candidate.error is not None:
        return candidate.error
    item = candidate.item
    if not isinstance(item, dict):
        return Reject.NOT_OBJECT, f"found a JSON {type(item).__name__}"
    ocid = _identifier(item.get("ocid"))
    if ocid is None:
        return Reject.NO_OCID, "the release has no `ocid`"
    release_id = _identifier(item.get("id"))
    if release_id is None:
        return Reject.NO_ID, "the release has no `id`"
    tags = item.get("tag")
    return ReleaseRow(
        ocid=ocid,
        release_id=release_id,
        notice_key=notice_key(ocid),
        release_date=item["date"] if isinstance(item.get("date"), str) else None,
        tags=[str(t) for t in tags] if isinstance(tags, list) else _text_list(tags),
        line=candidate.line,
        data=item,
        value=release_value(item),
    )


def _text_list(value: Any) -> list[str] | None:
    return [value] if isinstance(value, str) and value else None


def _identifier(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def release_value(release: Any) -> Decimal:
    """What the receipt counts for a release: the sum of the values its contract rows get."""
    if not isinstance(release, dict):
        return ZERO
    return sum((v.amount for v in contract_values(release) if v.amount is not None), ZERO)


def _amount(value: Any) -> Decimal | None:
    """Money as Decimal(…, 2 places); None for anything that is not a finite amount that fits."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return None
    if not amount.is_finite() or abs(amount) >= LARGEST_AMOUNT:
        return None
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


# -- loading ---------------------------------------------------------------------------------

# Rows read before they are written: bounds memory on big harvests while keeping the number of
# statements (each costs milliseconds in DuckDB) small on many little files.
BATCH_ROWS = 5_000
COMPILE_CHUNK = 2_000  # notices compiled together


@dataclass
class FileRead:
    """A file's candidates, each checked: a release to store or a (reason, detail) to reject."""

    label: str
    sha256: str
    checked: list[tuple[Candidate, ReleaseRow | tuple[str, str]]]
    notes: list[str] = field(default_factory=list)


@dataclass
class FileLoad:
    """What one file contributed: its receipt and the rows to store."""

    receipt: Receipt
    label: str
    sha256: str
    load_id: int
    releases: list[ReleaseRow] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)


def load_ocds(
    warehouse: Warehouse, paths: list[Path], organisation: str | None = None
) -> list[Receipt]:
    """Load OCDS files; one receipt per file (per JSON member for a zip). One transaction.

    A file that cannot be read as OCDS at all raises ``LoadError`` and nothing is loaded.
    """
    receipts: list[Receipt] = []
    touched: set[str] = set()
    with warehouse.transaction():
        batch: list[FileRead] = []
        for path in paths:
            for source in read_files(Path(path)):
                batch.append(_read_file(source))
                if sum(len(f.checked) for f in batch) >= BATCH_ROWS:
                    receipts += _write_batch(warehouse, batch, organisation, touched)
                    batch = []
        receipts += _write_batch(warehouse, batch, organisation, touched)
        notes = compile_notices(warehouse, touched)
    if notes and receipts:
        receipts[-1].notes.extend(notes)
    return receipts


def _read_file(source: OcdsFile) -> FileRead:
    numbers = JsonNumbers()
    checked = [(c, check_release(c)) for c in read_candidates(source, numbers)]
    read = FileRead(source.label, source.sha256, checked)
    if numbers.replaced:
        read.notes.append(
            f"{numbers.replaced} number(s) JSON cannot hold (such as 1e9999) were read as null"
        )
    return read


def _write_batch(
    warehouse: Warehouse, files: list[FileRead], organisation: str | None, touched: set[str]
) -> list[Receipt]:
    """Count and store a batch of files, in order; adds the notices it stored to ``touched``."""
    if not files:
        return []
    releases = [r for f in files for _, r in f.checked if isinstance(r, ReleaseRow)]
    stored = _stored_keys(warehouse, releases)
    load_ids = _next_load_ids(warehouse, len(files))
    loads = [
        _count_file(f, organisation, load_id, stored)
        for f, load_id in zip(files, load_ids, strict=True)
    ]
    _store_releases(warehouse, loads, organisation)
    _store_rejects(warehouse, loads, organisation)
    _store_receipts(warehouse, loads)
    touched.update(r.notice_key for load in loads for r in load.releases)
    return [load.receipt for load in loads]


def _next_load_ids(warehouse: Warehouse, n: int) -> list[int]:
    rows = warehouse.fetch("SELECT nextval('load_seq') AS id FROM range(?)", [n])
    return sorted(int(r["id"]) for r in rows)


def _count_file(
    read: FileRead, organisation: str | None, load_id: int, stored: set[tuple[str, str]]
) -> FileLoad:
    """Count each candidate as loaded, duplicate or rejected; ``stored`` grows as rows load."""
    receipt = Receipt(file=read.label, organisation=organisation, kind=KIND, notes=read.notes)
    load = FileLoad(receipt, read.label, read.sha256, load_id)
    for candidate, checked in read.checked:
        receipt.rows_read += 1
        if isinstance(checked, ReleaseRow):
            _count_release(load, checked, stored)
        else:
            _count_reject(load, candidate, checked)
    return load


def _count_release(load: FileLoad, release: ReleaseRow, stored: set[tuple[str, str]]) -> None:
    receipt = load.receipt
    receipt.amount_read += release.value
    key = (release.notice_key, release.release_id)
    if key in stored:
        receipt.rows_duplicate += 1
        receipt.amount_duplicate += release.value
        return
    stored.add(key)
    receipt.rows_loaded += 1
    receipt.amount_loaded += release.value
    load.releases.append(release)


def _count_reject(load: FileLoad, candidate: Candidate, checked: tuple[str, str]) -> None:
    receipt = load.receipt
    reason, detail = checked
    amount = release_value(candidate.item)
    receipt.rows_rejected += 1
    receipt.amount_rejected += amount
    receipt.amount_read += amount
    receipt.reject_reasons[reason] = receipt.reject_reasons.get(reason, 0) + 1
    load.rejects.append(
        {
            "source_line": candidate.line,
            "source_sheet": candidate.sheet,
            "amount": amount,
            "reason": f"{reason}: {detail}",
            "raw_text": candidate.raw_text(),
        }
    )


def _stored_keys(warehouse: Warehouse, releases: list[ReleaseRow]) -> set[tuple[str, str]]:
    """(notice_key, release id) pairs among these releases that the warehouse already holds."""
    keys = {(r.notice_key, r.release_id) for r in releases}
    if not keys:
        return set()
    notice_keys, release_ids = zip(*sorted(keys), strict=True)
    incoming = pa.table({"notice_key": list(notice_keys), "release_id": list(release_ids)})
    rows = _with_table(
        warehouse,
        "ocds_incoming_keys",
        incoming,
        "SELECT r.notice_key, r.release_id FROM releases r "
        "JOIN ocds_incoming_keys i USING (notice_key, release_id)",
    )
    return {(row["notice_key"], row["release_id"]) for row in rows}


def _with_table(warehouse: Warehouse, name: str, table: pa.Table, sql: str) -> list[dict[str, Any]]:
    warehouse.register(name, table)
    try:
        return warehouse.fetch(sql)
    finally:
        warehouse.unregister(name)


def _insert(warehouse: Warehouse, target: str, table: pa.Table, conflict: str = "") -> None:
    if table.num_rows == 0:
        return
    name = f"ocds_new_{target}"
    warehouse.register(name, table)
    try:
        warehouse.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {name} {conflict}")
    finally:
        warehouse.unregister(name)


def _store_releases(warehouse: Warehouse, loads: list[FileLoad], organisation: str | None) -> None:
    rows = [(load, r) for load in loads for r in load.releases]
    table = pa.table(
        {
            "ocid": pa.array([r.ocid for _, r in rows], pa.string()),
            "release_id": pa.array([r.release_id for _, r in rows], pa.string()),
            "notice_key": pa.array([r.notice_key for _, r in rows], pa.string()),
            "release_date": pa.array([r.release_date for _, r in rows], pa.string()),
            "tags": pa.array([r.tags for _, r in rows], pa.list_(pa.string())),
            "source_file": pa.array([load.label for load, _ in rows], pa.string()),
            "source_line": pa.array([r.line for _, r in rows], pa.int32()),
            "organisation": pa.array([organisation] * len(rows), pa.string()),
            "load_id": pa.array([load.load_id for load, _ in rows], pa.int64()),
            "data": pa.array(
                [json.dumps(r.data, ensure_ascii=False) for _, r in rows], pa.string()
            ),
        }
    )
    _insert(warehouse, "releases", table)


def _store_rejects(warehouse: Warehouse, loads: list[FileLoad], organisation: str | None) -> None:
    # The same file loaded again rejects the same rows: the first load's rows stay.
    unique = {
        (load.sha256, r["source_sheet"], r["source_line"]): (load, r)
        for load in loads
        for r in load.rejects
    }
    rows = list(unique.values())
    n = len(rows)
    table = pa.table(
        {
            "source_sha256": pa.array([load.sha256 for load, _ in rows], pa.string()),
            "source_line": pa.array([r["source_line"] for _, r in rows], pa.int32()),
            "source_sheet": pa.array([r["source_sheet"] for _, r in rows], pa.string()),
            "kind": pa.array([KIND] * n, pa.string()),
            "organisation": pa.array([organisation] * n, pa.string()),
            "source_file": pa.array([load.label for load, _ in rows], pa.string()),
            "load_id": pa.array([load.load_id for load, _ in rows], pa.int64()),
            "amount": pa.array([r["amount"] for _, r in rows], pa.decimal128(18, 2)),
            "reason": pa.array([r["reason"] for _, r in rows], pa.string()),
            "raw_text": pa.array([r["raw_text"] for _, r in rows], pa.string()),
        }
    )
    _insert(warehouse, "rejects", table, "ON CONFLICT DO NOTHING")


def _store_receipts(warehouse: Warehouse, loads: list[FileLoad]) -> None:
    files = {(load.sha256, load.receipt.organisation or ""): load.label for load in loads}
    _insert(
        warehouse,
        "source_files",
        pa.table(
            {
                "sha256": pa.array([sha for sha, _ in files], pa.string()),
                "organisation": pa.array([org for _, org in files], pa.string()),
                "kind": pa.array([KIND] * len(files), pa.string()),
                "path": pa.array(list(files.values()), pa.string()),
            }
        ),
        "ON CONFLICT DO NOTHING",
    )
    money = pa.decimal128(18, 2)
    receipts = [load.receipt for load in loads]
    columns: dict[str, pa.Array] = {
        "load_id": pa.array([load.load_id for load in loads], pa.int64()),
        "kind": pa.array([KIND] * len(loads), pa.string()),
        "file": pa.array([r.file for r in receipts], pa.string()),
        "sha256": pa.array([load.sha256 for load in loads], pa.string()),
        "organisation": pa.array([r.organisation for r in receipts], pa.string()),
    }
    for name in RECEIPT_FIELDS[2:]:
        kind = money if name.startswith("amount") else pa.int64()
        columns[name] = pa.array([getattr(r, name) for r in receipts], kind)
    _insert(warehouse, "load_receipts", pa.table(columns))


# -- compiling -------------------------------------------------------------------------------


def derive_merge_rules(schema: dict[str, Any]) -> dict[str, str]:
    """Merge rules of a release schema as ``{"awards/suppliers": "wholeListMerge", …}``.

    Run once against the release schema (with extensions patched in) to refresh the shipped
    ``data/ocds_merge_rules.json``; the schema's ``$ref``s are local, so nothing is downloaded.
    """
    return {"/".join(path): rule for path, rule in sorted(get_merge_rules(schema).items())}


@lru_cache(maxsize=1)
def merge_rules() -> MergeRules:
    """The shipped merge rules, in the form ``ocdsmerge`` takes."""
    text = resources.files("observatory").joinpath(MERGE_RULES_RESOURCE).read_text("utf-8")
    rules = json.loads(text)["rules"]
    return {tuple(path.split("/")): rule for path, rule in rules.items()}


def compile_release(releases: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The compiled release of one notice's releases, by the OCDS merge rules.

    Releases are merged oldest first; undated ones first of all (OCDS requires a date, so a
    missing one cannot claim to be the latest). Sorting here, not in ocdsmerge, keeps that rule.
    """
    ordered = sorted(
        releases, key=lambda r: r.get("date") if isinstance(r.get("date"), str) else ""
    )
    compiled = CompiledRelease(merge_rules=merge_rules())
    with warnings.catch_warnings():
        # Duplicate ids inside one array are common in published data; the rule (last one
        # wins) is the standard's, so the warning adds nothing for our users.
        warnings.simplefilter("ignore", OCDSMergeWarning)
        for release in ordered:
            compiled.append(release)
        return compiled.asdict()


@dataclass
class StoredRelease:
    notice_key: str
    source_file: str
    source_line: int | None
    organisation: str | None
    data: dict[str, Any]


def compile_notices(warehouse: Warehouse, notice_keys: set[str]) -> list[str]:
    """Rebuild the contracts (and their suppliers) of these notices from all their releases."""
    keys = sorted(notice_keys)
    notes: list[str] = []
    # In chunks, so a national harvest does not hold every release in memory at once.
    for start in range(0, len(keys), COMPILE_CHUNK):
        notes += _compile_chunk(warehouse, set(keys[start : start + COMPILE_CHUNK]))
    return notes


def _compile_chunk(warehouse: Warehouse, notice_keys: set[str]) -> list[str]:
    groups = _stored_releases(warehouse, notice_keys)
    contracts: list[dict[str, Any]] = []
    suppliers: list[dict[str, Any]] = []
    notes: list[str] = []
    for key, group in groups.items():
        compiled, note = _compile_group(key, group)
        if note:
            notes.append(note)
        rows, supplier_rows = contract_rows(compiled, key, group[-1])
        contracts.extend(rows)
        suppliers.extend(supplier_rows)
    _replace_contracts(warehouse, notice_keys, contracts, suppliers)
    return notes


def compiled_release(warehouse: Warehouse, key: str) -> dict[str, Any] | None:
    """The compiled release of a stored notice (by notice key), or None if none is stored."""
    group = _stored_releases(warehouse, {key}).get(key)
    return _compile_group(key, group)[0] if group else None


def _stored_releases(warehouse: Warehouse, notice_keys: set[str]) -> dict[str, list[StoredRelease]]:
    keys = pa.table({"notice_key": sorted(notice_keys)})
    rows = _with_table(
        warehouse,
        "ocds_touched",
        keys,
        "SELECT r.notice_key, r.source_file, r.source_line, r.organisation, r.data "
        "FROM releases r JOIN ocds_touched t USING (notice_key) "
        "ORDER BY r.notice_key, r.release_date NULLS FIRST, r.release_id",
    )
    groups: dict[str, list[StoredRelease]] = {}
    for row in rows:
        stored = StoredRelease(
            notice_key=row["notice_key"],
            source_file=row["source_file"],
            source_line=row["source_line"],
            organisation=row["organisation"],
            data=json.loads(row["data"]),
        )
        groups.setdefault(stored.notice_key, []).append(stored)
    return groups


def _compile_group(key: str, group: list[StoredRelease]) -> tuple[dict[str, Any], str | None]:
    try:
        return compile_release([r.data for r in group]), None
    except (OCDSMergeError, TypeError, ValueError) as exc:
        # A field that is an object in one release and a string in the next cannot be merged;
        # the latest release alone still describes the notice.
        return group[
            -1
        ].data, f"notice {key}: releases could not be merged ({exc}); used the latest"


def _replace_contracts(
    warehouse: Warehouse,
    notice_keys: set[str],
    contracts: list[dict[str, Any]],
    suppliers: list[dict[str, Any]],
) -> None:
    name = "ocds_replaced"
    warehouse.register(name, pa.table({"notice_key": sorted(notice_keys)}))
    try:
        warehouse.execute(
            "DELETE FROM contract_suppliers WHERE contract_key IN (SELECT c.contract_key "
            f"FROM contracts c JOIN {name} t USING (notice_key) WHERE c.source = 'ocds')"
        )
        warehouse.execute(
            f"DELETE FROM contracts WHERE source = 'ocds' AND notice_key IN "
            f"(SELECT notice_key FROM {name})"
        )
    finally:
        warehouse.unregister(name)
    _insert(warehouse, "contracts", _contracts_table(contracts))
    _insert(warehouse, "contract_suppliers", _suppliers_table(suppliers))


CONTRACT_COLUMNS: dict[str, pa.DataType] = {
    "contract_key": pa.string(),
    "source": pa.string(),
    "organisation": pa.string(),
    "source_file": pa.string(),
    "source_line": pa.int32(),
    "ocid": pa.string(),
    "notice_key": pa.string(),
    "notice_type": pa.string(),
    "reference": pa.string(),
    "title": pa.string(),
    "description": pa.string(),
    "buyer_name": pa.string(),
    "buyer_id": pa.string(),
    "status": pa.string(),
    "procedure": pa.string(),
    "value_amount": pa.decimal128(18, 2),
    "value_currency": pa.string(),
    "start_date": pa.date32(),
    "end_date": pa.date32(),
    "current_end_date": pa.date32(),
    "award_date": pa.date32(),
    "published_date": pa.date32(),
    "cpv_code": pa.string(),
    "parse_notes": pa.list_(pa.string()),
}

SUPPLIER_COLUMNS: dict[str, pa.DataType] = {
    "contract_key": pa.string(),
    "supplier_name": pa.string(),
    "scheme": pa.string(),
    "identifier": pa.string(),
    "company_number": pa.string(),
    "street_address": pa.string(),
    "locality": pa.string(),
    "postcode": pa.string(),
    "scale": pa.string(),
    "sme_flag_raw": pa.string(),
}


def _contracts_table(rows: list[dict[str, Any]]) -> pa.Table:
    return _table(rows, CONTRACT_COLUMNS)


def _suppliers_table(rows: list[dict[str, Any]]) -> pa.Table:
    return _table(rows, SUPPLIER_COLUMNS)


def _table(rows: list[dict[str, Any]], columns: dict[str, pa.DataType]) -> pa.Table:
    return pa.table(
        {name: pa.array([r.get(name) for r in rows], kind) for name, kind in columns.items()}
    )


# -- flattening a compiled release into contracts ---------------------------------------------


def contract_rows(
    compiled: dict[str, Any], key: str, latest: StoredRelease | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One contract row per award (one for the tender when nothing is awarded) and its suppliers."""
    parties = {str(p.get("id")): p for p in _objects(compiled.get("parties")) if "id" in p}
    tender = _dict(compiled.get("tender"))
    awards = _objects(compiled.get("awards"))
    common = _notice_fields(compiled, key, parties, tender, latest)
    if not awards:
        return [_tender_row(common, tender, _dict(compiled.get("planning")))], []
    contracts, suppliers = [], []
    for position, award in enumerate(awards, start=1):
        award_id = _identifier(award.get("id")) or str(position)
        row = _award_row(common, compiled, tender, award, sole=len(awards) == 1)
        row["contract_key"] = f"{key}:{award_id}"
        contracts.append(row)
        suppliers.extend(_supplier_rows(row["contract_key"], award, parties))
    return contracts, suppliers


def _notice_fields(
    compiled: dict[str, Any],
    key: str,
    parties: dict[str, dict[str, Any]],
    tender: dict[str, Any],
    latest: StoredRelease | None,
) -> dict[str, Any]:
    buyer_name, buyer_id = _buyer(compiled, parties)
    return {
        "source": KIND,
        "organisation": latest.organisation if latest else None,
        "source_file": latest.source_file if latest else "",
        "source_line": latest.source_line if latest else None,
        "ocid": compiled.get("ocid"),
        "notice_key": key,
        "reference": clean_text(tender.get("id")),
        "buyer_name": buyer_name,
        "buyer_id": buyer_id,
        "procedure": clean_text(tender.get("procurementMethodDetails"))
        or clean_text(tender.get("procurementMethod")),
        "published_date": parse_date(compiled.get("date")),
    }


def _tender_row(
    common: dict[str, Any], tender: dict[str, Any], planning: dict[str, Any]
) -> dict[str, Any]:
    value = _value_of([("tender", tender)])
    period = _dict(tender.get("contractPeriod"))
    end = parse_date(period.get("endDate"))
    return {
        **common,
        "contract_key": f"{common['notice_key']}:tender",
        "notice_type": notice_type([tender, planning]),
        "title": clean_text(tender.get("title")),
        "description": clean_text(tender.get("description")),
        "status": clean_text(tender.get("status")),
        "value_amount": value.amount,
        "value_currency": value.currency,
        "start_date": parse_date(period.get("startDate")),
        "end_date": end,
        "current_end_date": end,
        "award_date": None,
        "cpv_code": main_cpv([tender]),
        "parse_notes": value.notes or None,
    }


def _award_row(
    common: dict[str, Any],
    compiled: dict[str, Any],
    tender: dict[str, Any],
    award: dict[str, Any],
    *,
    sole: bool,
) -> dict[str, Any]:
    signed = _signed_contracts(compiled, award)
    value = _award_value(award, signed, tender, sole=sole)
    start, end, current_end = _award_period(award, signed, tender)
    return {
        **common,
        "notice_type": notice_type([*signed, award, tender, _dict(compiled.get("planning"))]),
        "title": clean_text(award.get("title")) or clean_text(tender.get("title")),
        "description": _award_description(award, tender),
        "status": next(
            (s for s in (clean_text(x.get("status")) for x in [*signed, award, tender]) if s),
            None,
        ),
        "value_amount": value.amount,
        "value_currency": value.currency,
        "start_date": start,
        "end_date": end,
        "current_end_date": current_end,
        "award_date": parse_date(award.get("date")),
        "cpv_code": main_cpv([award, tender]),
        "parse_notes": value.notes or None,
    }


@dataclass(frozen=True)
class ContractValue:
    amount: Decimal | None
    currency: str | None
    notes: list[str]


def contract_values(release: dict[str, Any]) -> list[ContractValue]:
    """The value of each contract row a release (or compiled release) gives, in row order."""
    tender = _dict(release.get("tender"))
    awards = _objects(release.get("awards"))
    if not awards:
        return [_value_of([("tender", tender)])]
    sole = len(awards) == 1
    return [_award_value(a, _signed_contracts(release, a), tender, sole=sole) for a in awards]


def _signed_contracts(release: dict[str, Any], award: dict[str, Any]) -> list[dict[str, Any]]:
    award_id = award.get("id")
    if award_id is None:
        return []
    return [c for c in _objects(release.get("contracts")) if str(c.get("awardID")) == str(award_id)]


def _award_value(
    award: dict[str, Any], signed: list[dict[str, Any]], tender: dict[str, Any], *, sole: bool
) -> ContractValue:
    # The tender's value is for the whole procurement: give it to an award only when it is the
    # only award, or several awards would each claim the whole.
    sources = [("award", award), *(("contract", c) for c in signed)]
    if sole:
        sources.append(("tender", tender))
    return _value_of(sources)


def _value_of(sources: list[tuple[str, dict[str, Any]]]) -> ContractValue:
    """The first non-zero value of the sources, in order.

    Contracts Finder publishes 0 for an award whose value was not stated (framework and DPS
    awards), so a 0 gives way to the next source and counts only when nothing else has a value.
    """
    zero: ContractValue | None = None
    for position, (name, holder) in enumerate(sources):
        value = _dict(holder.get("value"))
        amount = _amount(value.get("amount"))
        if amount is None:
            continue
        currency = clean_text(value.get("currency"))
        if amount == 0:
            zero = zero or ContractValue(amount, currency, [f"the {name} value is 0"])
            continue
        first = sources[0][0]
        missing = "0" if zero else "none"
        notes = [] if position == 0 else [f"value from the {name}: the {first} has {missing}"]
        return ContractValue(amount, currency, notes)
    return zero or ContractValue(None, None, ["no value published"])


def _award_period(
    award: dict[str, Any], signed: list[dict[str, Any]], tender: dict[str, Any]
) -> tuple[date | None, date | None, date | None]:
    periods = [_dict(award.get("contractPeriod"))]
    periods += [_dict(c.get("period")) for c in signed]
    periods.append(_dict(tender.get("contractPeriod")))
    start = next((d for d in (parse_date(p.get("startDate")) for p in periods) if d), None)
    end = next((d for d in (parse_date(p.get("endDate")) for p in periods) if d), None)
    # A signed contract's period is updated by change notices: its end is the current one.
    signed_ends = [
        d for d in (parse_date(_dict(c.get("period")).get("endDate")) for c in signed) if d
    ]
    return start, end, max(signed_ends) if signed_ends else end


def _award_description(award: dict[str, Any], tender: dict[str, Any]) -> str | None:
    own = clean_text(award.get("description"))
    if own and not PLACEHOLDER_DESCRIPTION.match(own):
        return own
    return clean_text(tender.get("description")) or own


def _buyer(
    compiled: dict[str, Any], parties: dict[str, dict[str, Any]]
) -> tuple[str | None, str | None]:
    reference = _dict(compiled.get("buyer"))
    party = parties.get(str(reference.get("id"))) if reference.get("id") is not None else None
    if party is None:
        party = next((p for p in parties.values() if "buyer" in _strings(p.get("roles"))), {})
    name = clean_text(reference.get("name")) or clean_text(party.get("name"))
    org_id = organisation_identifier(_dict(party.get("identifier")))
    return name, org_id or clean_text(reference.get("id")) or clean_text(party.get("id"))


def _supplier_rows(
    contract_key: str, award: dict[str, Any], parties: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    rows, seen = [], set()
    for reference in _objects(award.get("suppliers")):
        party_id = str(reference.get("id")) if reference.get("id") is not None else None
        if party_id is not None and party_id in seen:
            continue
        seen.add(party_id)
        party = parties.get(party_id, {}) if party_id is not None else {}
        rows.append(supplier_row(contract_key, reference, party))
    return rows


def supplier_row(
    contract_key: str, reference: dict[str, Any], party: dict[str, Any]
) -> dict[str, Any]:
    """A supplier as named in an award, with what its party entry says about it."""
    identifiers = [_dict(party.get("identifier")), _dict(reference.get("identifier"))]
    identifiers += _objects(party.get("additionalIdentifiers"))
    main = next((i for i in identifiers if clean_text(i.get("id"))), {})
    coh = next((i for i in identifiers if clean_text(i.get("scheme")) == "GB-COH"), {})
    number = company_number(clean_text(coh.get("id")))
    address = _dict(party.get("address"))
    street = clean_text(address.get("streetAddress"))
    details = _dict(party.get("details"))
    sme = party.get("sme", details.get("sme"))
    return {
        "contract_key": contract_key,
        "supplier_name": clean_text(party.get("name")) or clean_text(reference.get("name")),
        "scheme": clean_text(main.get("scheme")),
        "identifier": organisation_identifier(main),
        "company_number": number,
        "street_address": street,
        "locality": clean_text(address.get("locality")),
        "postcode": postcode(clean_text(address.get("postalCode"))) or postcode(street),
        "scale": clean_text(details.get("scale")),
        "sme_flag_raw": None if sme is None else json.dumps(sme),
    }


# -- small parsers -------------------------------------------------------------------------


def clean_text(value: Any) -> str | None:
    """Text with HTML entities decoded and blanks as None.

    Decoded until nothing changes: Contracts Finder names are escaped once (``&amp;``) and some
    twice (``&amp;amp;``).
    """
    if value is None or isinstance(value, dict | list | bool):
        return None
    text = value if isinstance(value, str) else str(value)
    for _ in range(3):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text.strip() or None


def company_number(value: str | None) -> str | None:
    """A Companies House number in its 8-character form (``2535986`` → ``02535986``).

    Prefixed numbers keep their letters and pad the digits (``SC12345`` → ``SC012345``).
    Anything else is not a company number and gives None.
    """
    if not value:
        return None
    text = re.sub(r"[\s.]", "", value).upper().removeprefix("GB-COH-")
    if re.fullmatch(r"\d{1,8}", text):
        return text.zfill(8)
    prefixed = re.fullmatch(r"([A-Z]{2})(\d{1,6})", text)
    if prefixed:
        return prefixed.group(1) + prefixed.group(2).zfill(6)
    return text if re.fullmatch(r"[A-Z0-9]{8}", text) else None


def organisation_identifier(identifier: dict[str, Any]) -> str | None:
    """The org-id.guide form ``SCHEME-ID`` (Companies House numbers zero-padded)."""
    scheme, ident = clean_text(identifier.get("scheme")), clean_text(identifier.get("id"))
    if not scheme or not ident:
        return None
    if scheme == "GB-COH":
        ident = company_number(ident) or ident
    return f"{scheme}-{ident}"


def postcode(text: str | None) -> str | None:
    """The last UK postcode in the text, as ``OUT IN`` in capitals."""
    if not text:
        return None
    matches = UK_POSTCODE.findall(text)
    if not matches:
        return None
    outward, inward = matches[-1]
    return f"{outward.upper()} {inward.upper()}"


def parse_date(value: Any) -> date | None:
    """The calendar date an OCDS date-time names (as written, without moving time zones)."""
    if not isinstance(value, str):
        return None
    match = DATE_PREFIX.match(value.strip())
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def main_cpv(holders: list[dict[str, Any]]) -> str | None:
    """The first CPV code (8 digits, no check digit) of the holders' items, in order."""
    for holder in holders:
        classifications = [_dict(holder.get("classification"))]
        for item in _objects(holder.get("items")):
            classifications.append(_dict(item.get("classification")))
            classifications += _objects(item.get("additionalClassifications"))
        for classification in classifications:
            scheme = (clean_text(classification.get("scheme")) or "").upper()
            match = CPV_CODE.match(clean_text(classification.get("id")) or "")
            if scheme == "CPV" and match:
                return match.group(1)
    return None


def notice_type(holders: list[dict[str, Any]]) -> str | None:
    """The latest ``documents[].noticeType`` (UK1…UK17) of the holders.

    Latest by the document's datePublished, then by the notice code, since later notices in the
    Procurement Act sequence carry higher numbers.
    """
    found: list[tuple[str, int, str]] = []
    for holder in holders:
        for document in _objects(holder.get("documents")):
            code = clean_text(document.get("noticeType"))
            if code:
                number = NOTICE_CODE.match(code)
                published = clean_text(document.get("datePublished")) or ""
                found.append((published, int(number.group(1)) if number else 0, code.upper()))
    return max(found)[2] if found else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _objects(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
