"""Shared fixtures for the cross-engine tests (DuckDB and Spark on the same real data).

A small real warehouse: two months each of Trafford, Salford, Manchester and Calderdale spend,
the Contracts Finder OCDS packages and Salford's contracts register, resolved and classified on
DuckDB (ProClass installed from ../shared/data/codelists as a user would); its Parquet layout;
and one Spark session at local[2] for the whole test run.

Test files import the fixtures by name::

    from cross_engine import real_small_layout, real_small_warehouse, spark_session_local

Names are stable (other test files use them): ``spark_session_local``, ``real_small_warehouse``
(the DuckDB warehouse file's path), ``real_small_layout`` (the layout folder's path).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from independent import DATA, need

# Two months per member, chosen where each publisher has full months.
SPEND_MONTHS = {
    "manchester": ["2021-04.csv", "2021-05.csv"],
    "salford": ["2021-04.csv", "2021-05.csv"],
    "calderdale": ["2021-04.csv", "2021-05.csv"],
}
TRAFFORD_ZIP = "trafford-supplier-spend-2024-25.zip"
TRAFFORD_MONTHS = ("2024-04", "2024-05")  # by EffectiveDate (the month end the line belongs to)
REGISTER = DATA / "salford" / "2022-07.csv"
OCDS = (
    DATA / "ocds-contracts-finder" / "json_1_1_raw",
    DATA / "ocds-contracts-finder" / "json_1_1_supplier_ids_match",
)
PROCLASS = DATA / "codelists" / "proclass_17.csv"


def trafford_months(folder: Path) -> Path:
    """Trafford's 2024-25 file cut to two months (a temporary file; the data stays in
    ../shared/data). Rows are copied verbatim, so the loader reads them as it would the zip."""
    source = need(DATA / "trafford" / TRAFFORD_ZIP)
    target = folder / "trafford-2024-04-05.csv"
    with zipfile.ZipFile(source) as z:
        name = next(n for n in z.namelist() if n.endswith(".csv"))
        with z.open(name) as raw, target.open("w", encoding="utf-8", newline="") as out:
            reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
            writer = csv.writer(out)
            header = next(reader)
            writer.writerow(header)
            at = header.index("EffectiveDate")
            for row in reader:
                if len(row) > at and row[at][:7] in TRAFFORD_MONTHS:
                    writer.writerow(row)
    return target


def build_small_warehouse(path: Path, scratch: Path) -> None:
    """Load, resolve and classify the small real warehouse on DuckDB."""
    from observatory.classify.categories import import_code_list
    from observatory.classify.classification import classify
    from observatory.resolve.suppliers import resolve
    from observatory.sources.contracts import load_contracts
    from observatory.sources.spend import load_spend
    from observatory.store import Warehouse

    with Warehouse.open(path) as w:
        for org, months in SPEND_MONTHS.items():
            load_spend(w, [str(need(DATA / org / m)) for m in months], org)
        load_spend(w, [str(trafford_months(scratch))], "trafford")
        load_contracts(w, [str(need(REGISTER))], "salford")
        load_contracts(w, [str(need(p)) for p in OCDS])
        resolve(w, threads=2)
        import_code_list(w, need(PROCLASS))
        classify(w)


@pytest.fixture(scope="session")
def spark_session_local() -> Iterator[Any]:
    """One Spark session at local[2] for the whole run (Java 17+ and pyspark needed)."""
    from observatory.store.spark import spark_session

    spark = spark_session("local[2]")
    yield spark


@pytest.fixture(scope="session")
def real_small_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small real warehouse as a DuckDB file, loaded, resolved and classified once."""
    folder = tmp_path_factory.mktemp("cross-engine")
    path = folder / "small.duckdb"
    build_small_warehouse(path, folder)
    return path


@pytest.fixture(scope="session")
def real_small_layout(real_small_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small real warehouse written as a Parquet layout (DuckDB writes it)."""
    from observatory.store import Warehouse
    from observatory.store.parquet_layout import write_layout

    out = tmp_path_factory.mktemp("cross-engine-layout") / "layout"
    with Warehouse.open(real_small_warehouse, read_only=True) as w:
        write_layout(w, out)
    return out


# -- comparing results ----------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A result as plain comparable values: dataclasses to dicts, lists kept in order, money kept
    as Decimal (compared exactly), timestamps at midnight as dates (DuckDB gives a timestamp
    where Spark gives a date for date + interval), floats to 9 significant digits (the engines
    sum doubles in different orders)."""
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    if isinstance(value, float):
        return float(f"{value:.9g}")
    return value


def sort_key(row: Any) -> str:
    return repr(plain(row))


def same_rows(duck: list[Any], spark: list[Any]) -> tuple[list[Any], list[Any]]:
    """Both sides as plain values, sorted by all columns (row order is the engine's business
    where the SQL leaves ties)."""
    a = sorted((plain(r) for r in duck), key=repr)
    b = sorted((plain(r) for r in spark), key=repr)
    return a, b


__all__ = [
    "Decimal",
    "date",
    "plain",
    "real_small_layout",
    "real_small_warehouse",
    "same_rows",
    "sort_key",
    "spark_session_local",
]
