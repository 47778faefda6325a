"""`observatory load contracts`: OCDS packages and council contract registers, one transaction."""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from observatory import organisations as orgs
from observatory.sources.contracts_register import load_register
from observatory.sources.files import InputFile, expand_inputs
from observatory.sources.ocds import load_ocds
from observatory.sources.receipt import LoadError, Receipt
from observatory.sources.spend_layout import map_header, vocabulary
from observatory.sources.tabular import find_layout, open_table
from observatory.store import Warehouse
from observatory.store.warehouse import sql_text

OCDS_SUFFIXES = {".json", ".jsonl", ".ndjson", ".gz"}
REGISTER_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls"}

Progress = Callable[[str, int], None]


def _is_ocds(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as z:
                return any(Path(n).suffix.lower() in OCDS_SUFFIXES for n in z.namelist())
        except zipfile.BadZipFile:
            return False
    return suffix in OCDS_SUFFIXES


def _files(inputs: list[str]) -> Iterator[Path]:
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.name != "harvest-state.json"
                and (
                    p.suffix.lower() in OCDS_SUFFIXES | REGISTER_SUFFIXES
                    or p.suffix.lower() == ".zip"
                )
            )
        elif path.exists():
            yield path
        else:
            raise LoadError(f"{given}: no such file or folder")


def _register_organisation(item: InputFile, known: list[orgs.Organisation]) -> str:
    sheet = open_table(item.display, item.data).sheets[0]
    layout = find_layout(sheet, vocabulary("contract_fields"))
    mapping = map_header(layout.header, table="contract_fields")
    if "buyer_name" in mapping.columns:
        i = mapping.columns["buyer_name"]
        names = Counter(
            r.fields[i].strip()
            for r in sheet.records(layout.data_start)
            if i < len(r.fields) and r.fields[i].strip()
        )
        for name, _ in names.most_common(3):
            found = orgs.identify(name, known)
            if found:
                return found.org_id
    raise LoadError(
        f"{item.display}: which organisation's register is this? Pass --org with "
        "one of: " + ", ".join(o.org_id for o in known)
    )


def load_contracts(
    warehouse: Warehouse,
    inputs: list[str],
    organisation: str | None = None,
    field_map: list[str] | None = None,
    progress: Progress | None = None,
    errors: list[str] | None = None,
) -> list[Receipt]:
    """Load OCDS files and contract registers; a file that cannot be loaded at all is skipped
    and its error appended to ``errors`` (or raised, and nothing loads, when none is given)."""
    known = orgs.known(warehouse)
    org_id = orgs.resolve_org_option(organisation, known).org_id if organisation else None
    warehouse.execute_script(sql_text("macros"))
    files = list(_files(inputs))
    receipts: list[Receipt] = []
    with warehouse.transaction():
        for path in files:
            if progress:
                progress(str(path), len(files))
            try:
                if _is_ocds(path):
                    receipts.extend(load_ocds(warehouse, [path], org_id))
                    continue
                for item in expand_inputs([str(path)], REGISTER_SUFFIXES):
                    owner = org_id or _register_organisation(item, known)
                    receipts.append(load_register(warehouse, item, owner, field_map))
            except LoadError as exc:
                if errors is None:
                    raise
                errors.append(str(exc))
    return receipts
