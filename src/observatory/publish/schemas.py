"""The OCDS 1.1.5 schemas and the UK extension, read from a configured folder, never downloaded.

No package ships them, so the project reads them from the folder named by ``OBSERVATORY_SCHEMAS``
(default: a per-user data folder); ``observatory reference fetch`` fills that folder once for a
user who is online. Its layout is the one in ``../shared/schemas``::

    ocds-1.1.5/release-schema.json, release-package-schema.json, codelists/*.csv
    ocds-uk-extension/extension.json, release-schema.json, codelists/*.csv,
                      dependencies/<extension>/{extension.json, release-schema.json, codelists/}

The release schema is patched (JSON Merge Patch, RFC 7386) with each extension the UK extension
depends on, in the order its ``extension.json`` lists them, then with the UK extension itself, then
with the project's own small patch (``data/notice_fields_schema.json``: KPIs and the UK17 figures).
Codelists are merged the way extensions say: ``+name.csv`` adds codes, ``-name.csv`` removes them.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import sys
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

STANDARD = "ocds-1.1.5"
UK_EXTENSION = "ocds-uk-extension"
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
PROJECT_PATCH = "data/notice_fields_schema.json"
ENVIRONMENT = "OBSERVATORY_SCHEMAS"


class SchemasMissing(RuntimeError):
    """The schema folder is not there or lacks a file; the message says what to do."""


def default_schema_dir() -> Path:
    """The per-user data folder (XDG on Linux, Application Support on macOS, LOCALAPPDATA)."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "observatory" / "schemas"


def schema_dir() -> Path:
    """Where the schemas are read from: ``$OBSERVATORY_SCHEMAS``, else the per-user folder."""
    configured = os.environ.get(ENVIRONMENT)
    return Path(configured).expanduser() if configured else default_schema_dir()


def missing_message(directory: Path, what: Path) -> str:
    return (
        f"the OCDS schemas are not installed: {what} is missing (schema folder: {directory}). "
        "Run `observatory reference fetch` once while online, or set OBSERVATORY_SCHEMAS to a "
        "folder laid out as ocds-1.1.5/… and ocds-uk-extension/… (see docs/methods/notices.md). "
        "Nothing is downloaded implicitly."
    )


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: objects merge key by key, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _read_json(directory: Path, path: Path) -> Any:
    if not path.is_file():
        raise SchemasMissing(missing_message(directory, path))
    return json.loads(path.read_text(encoding="utf-8"))


def _codes(text: str) -> list[str]:
    return [row["Code"] for row in csv.DictReader(io.StringIO(text)) if row.get("Code")]


@dataclass
class SchemaSet:
    """The patched release schema, the package schema and the merged codelists."""

    directory: Path
    release: dict[str, Any]
    package: dict[str, Any]
    codelists: dict[str, set[str]]
    extensions: list[str] = field(default_factory=list)  # applied, in order


def dependency_folder(url: str) -> str:
    """The folder name of a dependency under ``dependencies/``: the repository in its URL."""
    parts = url.split("/")
    return next((p for p in parts if p.startswith("ocds_") and p.endswith("_extension")), parts[-2])


def _extension_patches(directory: Path) -> list[tuple[str, Path]]:
    """(name, folder) of each extension to apply, dependencies first, in the declared order."""
    uk = directory / UK_EXTENSION
    metadata = _read_json(directory, uk / "extension.json")
    folders = []
    for url in metadata.get("dependencies", []):
        name = dependency_folder(url)
        folders.append((name, uk / "dependencies" / name))
    folders.append(("ocds_uk_extension", uk))
    return folders


def _merge_codelists(codelists: dict[str, set[str]], folder: Path) -> None:
    codelist_dir = folder / "codelists"
    if not codelist_dir.is_dir():
        return
    for path in sorted(codelist_dir.glob("*.csv")):
        codes = set(_codes(path.read_text(encoding="utf-8")))
        name = path.name
        if name.startswith("+"):
            codelists.setdefault(name[1:], set()).update(codes)
        elif name.startswith("-"):
            codelists.setdefault(name[1:], set()).difference_update(codes)
        else:
            codelists[name] = codes


def project_patch() -> dict[str, Any]:
    text = resources.files("observatory").joinpath(PROJECT_PATCH).read_text("utf-8")
    patch = json.loads(text)
    patch.pop("$comment", None)
    return patch


def build_release_schema(directory: Path, with_project_patch: bool = True) -> dict[str, Any]:
    """The 1.1.5 release schema with the UK extension (and its dependencies) patched in."""
    schema = _read_json(directory, directory / STANDARD / "release-schema.json")
    for _, folder in _extension_patches(directory):
        patch = _read_json(directory, folder / "release-schema.json")
        schema = merge_patch(schema, patch)
    if with_project_patch:
        schema = merge_patch(schema, project_patch())
    return schema


@cache
def _load(directory: str) -> SchemaSet:
    base = Path(directory)
    release = build_release_schema(base)
    package = _read_json(base, base / STANDARD / "release-package-schema.json")
    codelists: dict[str, set[str]] = {}
    standard_codelists = base / STANDARD / "codelists"
    if not standard_codelists.is_dir():
        raise SchemasMissing(missing_message(base, standard_codelists))
    for path in sorted(standard_codelists.glob("*.csv")):
        codelists[path.name] = set(_codes(path.read_text(encoding="utf-8")))
    applied = []
    for name, folder in _extension_patches(base):
        _merge_codelists(codelists, folder)
        applied.append(name)
    return SchemaSet(base, release, package, codelists, applied)


def load_schemas(directory: Path | None = None) -> SchemaSet:
    """The schemas from ``directory`` (default: ``schema_dir()``); raises ``SchemasMissing``."""
    found = (directory or schema_dir()).expanduser().resolve()
    if not (found / STANDARD).is_dir() or not (found / UK_EXTENSION).is_dir():
        missing = found / (STANDARD if not (found / STANDARD).is_dir() else UK_EXTENSION)
        raise SchemasMissing(missing_message(found, missing))
    return _load(str(found))
