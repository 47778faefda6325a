"""Uploads from the browser or the API: keep the files, load them, and explain what happened.

The files are kept under ``<warehouse folder>/uploads/<upload id>/`` so that a load refused for an
unknown layout can be retried with a column mapping without sending the file again, and so that
every loaded line's ``source_file`` points at bytes that still exist.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from observatory.sources.files import InputFile
from observatory.sources.receipt import LoadError, totals
from observatory.sources.spend_layout import REQUIRED_HELP, canonical_fields
from observatory.store import Warehouse
from observatory.web.auth import Viewer

KINDS = {"spend": "Spend file", "contracts": "Contracts (register or OCDS)"}
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
CONTRACT_REQUIRED = {"a contract title": ("title",), "a supplier name": ("supplier_name",)}
LAYOUT_MARKERS = ("cannot map this layout", "not a contracts register this loader can map")


class UploadError(ValueError):
    """An upload that cannot be accepted (wrong kind, no file, too large, not allowed)."""


@dataclass
class LayoutProblem:
    """A file the loader could not map: its columns and what is missing, for the mapping form."""

    file: str
    message: str
    columns: list[dict[str, Any]]  # {"column": 1-based, "header": …, "field": … or None}
    missing: dict[str, tuple[str, ...]]  # requirement -> fields that would satisfy it
    sample: list[list[str]] = field(default_factory=list)
    suggested: dict[str, int] = field(default_factory=dict)  # field -> 1-based column, guessed

    def suggestion_for(self, fields: tuple[str, ...]) -> tuple[str, int | None]:
        """The field and column the loader's error suggests for a requirement, to preselect."""
        for fld in fields:
            if fld in self.suggested:
                return fld, self.suggested[fld]
        return fields[0], None


@dataclass
class UploadResult:
    upload_id: str
    organisation: str
    kind: str
    receipts: list[dict[str, Any]]
    errors: list[str]
    totals: dict[str, Any]
    field_map: list[str]
    problems: list[LayoutProblem] = field(default_factory=list)

    @property
    def loaded(self) -> bool:
        return bool(self.receipts)

    def as_json(self) -> dict[str, Any]:
        return {
            "upload_id": self.upload_id,
            "organisation": self.organisation,
            "kind": self.kind,
            "files": self.receipts,
            "totals": self.totals,
            "errors": self.errors,
            "map": self.field_map,
            "unmapped_layouts": [
                {
                    "file": p.file,
                    "columns": p.columns,
                    "missing": {k: list(v) for k, v in p.missing.items()},
                }
                for p in self.problems
            ],
        }


def safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^A-Za-z0-9._ -]", "_", base).strip(" .")
    return cleaned[:120] or "upload"


def uploads_root(warehouse: Warehouse) -> Path:
    base = warehouse.path.parent if warehouse.path else Path.cwd()
    return base / "uploads"


def save_upload(
    warehouse: Warehouse,
    viewer: Viewer,
    organisation: str,
    kind: str,
    files: list[tuple[str, bytes]],
) -> str:
    if kind not in KINDS:
        raise UploadError(f"unknown kind {kind!r}: choose spend or contracts")
    if not viewer.can_load_for(organisation):
        raise UploadError(f"you cannot load files for {organisation!r}")
    files = [(n, d) for n, d in files if n and d]
    if not files:
        raise UploadError("choose at least one file")
    if sum(len(d) for _, d in files) > MAX_UPLOAD_BYTES:
        raise UploadError(f"uploads are limited to {MAX_UPLOAD_BYTES // 1024 // 1024} MB at once")
    upload_id = secrets.token_urlsafe(12)
    folder = uploads_root(warehouse) / upload_id
    folder.mkdir(parents=True, exist_ok=False)
    kept = []
    for name, data in files:
        target = folder / safe_name(name)
        n = 2
        while target.exists():
            target = folder / f"{target.stem}-{n}{target.suffix}"
            n += 1
        target.write_bytes(data)
        kept.append({"name": target.name, "path": str(target), "bytes": len(data)})
    warehouse.execute(
        "INSERT INTO web_uploads (upload_id, organisation, kind, user_id, created_at, files) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            upload_id,
            organisation,
            kind,
            viewer.user_id,
            datetime.now(UTC).replace(tzinfo=None),
            json.dumps(kept),
        ],
    )
    return upload_id


def get_upload(warehouse: Warehouse, viewer: Viewer, upload_id: str) -> dict[str, Any]:
    """An upload the viewer may act on (their organisation's, or any for network staff)."""
    rows = warehouse.fetch("SELECT * FROM web_uploads WHERE upload_id = ?", [upload_id])
    if not rows or not viewer.can_load_for(rows[0]["organisation"]):
        raise LookupError(f"no upload {upload_id}")
    row = rows[0]
    row["files"] = json.loads(row["files"])
    row["result"] = json.loads(row["result"]) if row["result"] else None
    return row


def run_upload(warehouse: Warehouse, upload: dict[str, Any], field_map: list[str]) -> UploadResult:
    """Load the upload's files (one transaction per the loaders' rules) and explain the result."""
    from observatory.sources.contracts import load_contracts
    from observatory.sources.spend import load_spend

    paths = [f["path"] for f in upload["files"]]
    errors: list[str] = []
    loader = load_spend if upload["kind"] == "spend" else load_contracts
    try:
        receipts = loader(warehouse, paths, upload["organisation"], field_map, None, errors)
    except (LoadError, ValueError) as exc:
        receipts, errors = [], [*errors, str(exc)]
    result = UploadResult(
        upload_id=upload["upload_id"],
        organisation=upload["organisation"],
        kind=upload["kind"],
        receipts=[r.as_json() for r in receipts],
        errors=errors,
        totals=totals(receipts),
        field_map=field_map,
    )
    for error in errors:
        if any(marker in error for marker in LAYOUT_MARKERS):
            problem = _layout_problem(error, upload)
            if problem is not None:
                result.problems.append(problem)
    warehouse.execute(
        "UPDATE web_uploads SET result = ? WHERE upload_id = ?",
        [json.dumps(result.as_json(), default=str), upload["upload_id"]],
    )
    return result


def _layout_problem(error: str, upload: dict[str, Any]) -> LayoutProblem | None:
    from observatory.inspection import inspect_file
    from observatory.sources.files import expand_inputs

    for f in upload["files"]:
        if not error.startswith(f["path"]):
            continue
        display = error.split(":", 1)[0]
        try:
            item = next(
                (i for i in expand_inputs([f["path"]]) if i.display == display),
                InputFile(f["path"], Path(f["path"]).read_bytes()),
            )
            report = inspect_file(item)
        except (LoadError, OSError, ValueError):
            return None
        sheet = report["sheets"][0] if report["sheets"] else None
        if sheet is None:
            return None
        if upload["kind"] == "spend":
            missing = {k: REQUIRED_HELP[k] for k in sheet["missing"]} or dict(REQUIRED_HELP)
        else:
            mapped = {c["field"] for c in sheet["columns"] if c["field"]}
            missing = {k: v for k, v in CONTRACT_REQUIRED.items() if not set(v) & mapped}
        columns = sheet["columns"] or [
            {"column": i + 1, "header": "", "field": None} for i in range(_width(item))
        ]
        return LayoutProblem(
            file=display.replace(str(Path(f["path"]).parent) + "/", ""),
            message=error.replace(str(Path(f["path"]).parent) + "/", ""),
            columns=columns,
            missing=missing,
            suggested=_suggestions(error, columns),
        )
    return None


def _suggestions(error: str, columns: list[dict[str, Any]]) -> dict[str, int]:
    """``--map FIELD=COLUMN`` pairs the loader's error suggests, with COLUMN as a number."""
    out: dict[str, int] = {}
    for fld, column in re.findall(r'--map (\w+)=("[^"]+"|\S+)', error):
        name = column.strip('"')
        if name.isdigit():
            out[fld] = int(name)
            continue
        for c in columns:
            if c["header"].strip() == name:
                out[fld] = int(c["column"])
    return out


def _width(item: InputFile) -> int:
    from observatory.sources.tabular import open_table

    sheet = open_table(item.display, item.data).sheets[0]
    return max((len(r.fields) for r in sheet.records(0, 50)), default=0)


def field_choices(kind: str) -> tuple[str, ...]:
    return canonical_fields("spend_fields" if kind == "spend" else "contract_fields")


def map_pairs(form: dict[str, str], extra: str = "") -> list[str]:
    """``FIELD=COLUMN`` pairs from the mapping form (map_field_N / map_column_N) and free text."""
    pairs = []
    for key, fld in form.items():
        if not key.startswith("map_field_") or not fld:
            continue
        column = form.get("map_column_" + key.removeprefix("map_field_"), "").strip()
        if column:
            pairs.append(f"{fld}={column}")
    for line in re.split(r"[\n;]+", extra):
        line = line.strip().removeprefix("--map").strip()
        if line:
            pairs.append(line)
    return pairs
