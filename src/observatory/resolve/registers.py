"""Importers for the registers a user downloads: Companies House "Basic Company Data", the
Charity Commission register extract, and a postcode lookup (ONS postcode directory or any CSV
with a postcode and a local-authority district code). Nothing is downloaded here.

Headers are matched by name after trimming (Companies House's header has leading spaces:
`` CompanyNumber``), so a file whose column order changes still imports.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa

from observatory.resolve.suppliers import prepare
from observatory.store import Warehouse
from observatory.store.warehouse import sql_text


class RegisterError(ValueError):
    """A file that is not the register it was given as."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@contextmanager
def _unzipped(paths: Sequence[Path], suffixes: tuple[str, ...]) -> Iterator[list[Path]]:
    """The data files among ``paths``, zips opened into a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="observatory-register-") as tmp:
        out: list[Path] = []
        for path in paths:
            if path.suffix.lower() == ".zip":
                with zipfile.ZipFile(path) as z:
                    for member in z.namelist():
                        if member.lower().endswith(suffixes):
                            out.append(Path(z.extract(member, tmp)))
            else:
                out.append(path)
        if not out:
            raise RegisterError(f"no {'/'.join(suffixes)} file in {', '.join(map(str, paths))}")
        yield out


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _columns(warehouse: Warehouse, relation: str) -> dict[str, str]:
    """Trimmed, lower-cased header -> the column's real name."""
    rows = warehouse.fetch(f"DESCRIBE SELECT * FROM {relation}")
    return {r["column_name"].strip().lower(): r["column_name"] for r in rows}


def _pick(columns: dict[str, str], *names: str) -> str | None:
    for n in names:
        if n.lower() in columns:
            return _quote(columns[n.lower()])
    return None


def _require(columns: dict[str, str], what: str, file: Path, *names: str) -> str:
    found = _pick(columns, *names)
    if found is None:
        raise RegisterError(
            f"{file}: no {what} column (looked for {', '.join(names)}); "
            f"columns found: {', '.join(sorted(columns))[:400]}"
        )
    return found


def _csv(path: Path, delimiter: str | None = None) -> str:
    options = "header = true, all_varchar = true, quote = '\"', escape = '\"'"
    if delimiter:
        options += f", delim = {_literal(delimiter)}"
    return f"read_csv({_literal(str(path))}, {options})"


def _stage(
    warehouse: Warehouse, view: str, relation: str, file: Path, **columns: str | None
) -> None:
    """A view over the published file with the columns the register SQL expects."""
    select = ", ".join(f"{expr or 'NULL'} AS {name}" for name, expr in columns.items())
    warehouse.execute(
        f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT {select}, "
        f"{_literal(file.name)} AS source_file FROM {relation}"
    )


def _run(warehouse: Warehouse, register: str) -> None:
    script = sql_text("supplier_registers")
    block = script.split(f"-- register: {register}\n", 1)[1].split("-- register:", 1)[0]
    warehouse.execute_script(block)


def import_companies(warehouse: Warehouse, paths: Sequence[Path]) -> int:
    """Companies House Basic Company Data (CSV, or the zips it is published in)."""
    prepare(warehouse)
    total = 0
    with _unzipped(paths, (".csv",)) as files:
        for file in files:
            relation = _csv(file)
            cols = _columns(warehouse, relation)
            name = _require(cols, "company name", file, "CompanyName")
            number = _require(cols, "company number", file, "CompanyNumber")
            sic = [c for c in (_pick(cols, f"SICCode.SicText_{i}") for i in range(1, 5)) if c]
            previous = [
                c for c in (_pick(cols, f"PreviousName_{i}.CompanyName") for i in range(1, 11)) if c
            ]

            sic_list = f"[{', '.join(sic)}]::VARCHAR[]" if sic else "[]::VARCHAR[]"
            prev_list = f"[{', '.join(previous)}]::VARCHAR[]" if previous else "[]::VARCHAR[]"
            _stage(
                warehouse,
                "companies_stage",
                relation,
                file,
                company_name=name,
                company_number=number,
                status=_pick(cols, "CompanyStatus"),
                category=_pick(cols, "CompanyCategory"),
                postcode=_pick(cols, "RegAddress.PostCode"),
                incorporated=_pick(cols, "IncorporationDate"),
                sic_raw=sic_list,
                previous_raw=prev_list,
            )
            _run(warehouse, "companies")
            total += warehouse.fetch_value(
                "SELECT count(*) FROM companies_register WHERE source_file = ?", [file.name]
            )
    return total


def import_charities(warehouse: Warehouse, paths: Sequence[Path]) -> int:
    """The Charity Commission register extract: ``publicextract.charity.txt`` (tab-separated)
    or ``.json``, or the zip either comes in. Only main charities (linked number 0) are kept."""
    prepare(warehouse)
    total = 0
    with _unzipped(paths, (".txt", ".json", ".csv")) as files:
        for file in files:
            if file.suffix.lower() == ".json":
                rows = json.loads(file.read_text(encoding="utf-8-sig"))
                if isinstance(rows, dict):
                    rows = next((v for v in rows.values() if isinstance(v, list)), [])
                keys = sorted({k for row in rows for k in row})
                table = pa.table(
                    {k: pa.array([_text(row.get(k)) for row in rows], pa.string()) for k in keys}
                )
                warehouse.register("charity_extract_json", table)
                relation = "charity_extract_json"
            else:
                relation = _csv(file, "\t" if file.suffix.lower() == ".txt" else None)
            cols = _columns(warehouse, relation)
            number = _require(cols, "charity number", file, "registered_charity_number", "regno")
            name = _require(cols, "charity name", file, "charity_name", "name")
            linked = _pick(cols, "linked_charity_number", "subno")

            _stage(
                warehouse,
                "charities_stage",
                relation,
                file,
                charity_number=number,
                charity_name=name,
                linked_number=linked,
                status=_pick(cols, "charity_registration_status"),
                charity_type=_pick(cols, "charity_type"),
                is_cio=_pick(cols, "charity_is_cio"),
                company_number=_pick(cols, "charity_company_registration_number"),
                postcode=_pick(cols, "charity_contact_postcode"),
                registered=_pick(cols, "date_of_registration"),
                removed=_pick(cols, "date_of_removal"),
                latest_income=_pick(cols, "latest_income"),
            )
            _run(warehouse, "charities")
            total += warehouse.fetch_value(
                "SELECT count(*) FROM charity_register WHERE source_file = ?", [file.name]
            )
    return total


POSTCODE_COLUMNS = ("pcds", "pcd", "pcd2", "pcd7", "pcd8", "postcode", "post_code")
DISTRICT_CODE_COLUMNS = (
    "laua", "oslaua", "lad25cd", "lad24cd", "lad23cd", "lad22cd", "lad21cd", "lad20cd",
    "lad19cd", "la_code", "lad_code", "area_code", "local_authority_code",
)  # fmt: skip
DISTRICT_NAME_COLUMNS = (
    "la_name", "lad25nm", "lad24nm", "lad23nm", "lad22nm", "lad21nm", "lad20nm", "lad19nm",
    "laua_name", "area_name", "local_authority_name",
)  # fmt: skip


def import_postcodes(warehouse: Warehouse, paths: Sequence[Path], names: Path | None = None) -> int:
    """A postcode -> local-authority district lookup: the ONS postcode directory (ONSPD/NSPL,
    ``pcds``/``laua``) or any CSV with a postcode and a district code column. District names
    come from the file, or from ``names`` (a CSV with a ``…cd`` and a ``…nm`` column)."""
    prepare(warehouse)
    name_lookup = ""
    if names is not None:
        relation = _csv(names)
        cols = _columns(warehouse, relation)
        code_col = next((c for c in cols if c.endswith("cd") and c.startswith("la")), None)
        name_col = next((c for c in cols if c.endswith("nm") and c.startswith("la")), None)
        if not code_col or not name_col:
            raise RegisterError(
                f"{names}: need a district code (LADnnCD) and name (LADnnNM) column; "
                f"found {', '.join(cols)}"
            )
        name_lookup = (
            f"(SELECT DISTINCT {_quote(cols[code_col])} AS code, {_quote(cols[name_col])} AS name "
            f"FROM {relation})"
        )
    total = 0
    with _unzipped(paths, (".csv",)) as files:
        for file in files:
            relation = _csv(file)
            cols = _columns(warehouse, relation)
            postcode = _require(cols, "postcode", file, *POSTCODE_COLUMNS)
            code = _require(cols, "local-authority district code", file, *DISTRICT_CODE_COLUMNS)
            district_name = _pick(cols, *DISTRICT_NAME_COLUMNS)
            if district_name is None and names is not None:
                district_name = (
                    f"(SELECT any_value(name) FROM {name_lookup} n WHERE n.code = trim({code}))"
                )
            _stage(
                warehouse,
                "postcodes_stage",
                relation,
                file,
                postcode=postcode,
                district_code=code,
                district_name=district_name,
                lat=_pick(cols, "lat", "latitude"),
                lon=_pick(cols, "long", "lon", "longitude"),
            )
            _run(warehouse, "postcodes")
            total += warehouse.fetch_value(
                "SELECT count(*) FROM reference_postcodes WHERE source_file = ?", [file.name]
            )
    return total
