"""The real slice of the network the classification tests use (see conftest.py): helpers in a
module of their own, so that test files import them by a name no other test folder uses."""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from pathlib import Path

from independent import DATA, need

from observatory.classify.categories import import_code_list
from observatory.sources.contracts import load_contracts
from observatory.sources.spend import load_spend
from observatory.store import Warehouse

TRAFFORD_YEARS = ("2024-25", "2025-26")
SHARE = 8  # one supplier in SHARE


def chosen(name: str) -> bool:
    return zlib.crc32(name.encode("utf-8")) % SHARE == 0


def trafford_rows(year: str) -> tuple[list[str], list[list[str]]]:
    """The header and the chosen suppliers' rows of one Trafford year, read with csv."""
    path = need(DATA / "trafford" / f"trafford-supplier-spend-{year}.zip")
    with zipfile.ZipFile(path) as z:
        text = z.read(z.namelist()[0]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    name = header.index("BeneficiaryName")
    return header, [r for r in rows[1:] if r and chosen(r[name])]


def write_trafford_sample(folder: Path) -> list[Path]:
    paths = []
    for year in TRAFFORD_YEARS:
        header, rows = trafford_rows(year)
        path = folder / f"trafford-supplier-spend-{year}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
        paths.append(path)
    return paths


def load_network(path: Path, folder: Path) -> None:
    with Warehouse.open(path) as w:
        load_spend(w, [str(p) for p in write_trafford_sample(folder)], "trafford")
        load_spend(w, [str(need(DATA / "manchester" / "2021-04.csv"))], "manchester")
        load_contracts(w, [str(need(DATA / "salford" / "2022-07.csv"))], "salford")
        load_contracts(w, [str(need(DATA / "ocds-contracts-finder"))])
        for name in ("proclass_17.csv", "cpv_codes.csv"):
            import_code_list(w, need(DATA / "codelists" / name))
