"""Which engine runs the analyses: DuckDB (the default, on the warehouse file) or Spark (on a
Parquet layout of the same warehouse). Chosen by ``--engine`` or ``$OBSERVATORY_ENGINE``.

With Spark, a DuckDB warehouse file is first written out as a Parquet layout in a temporary
folder (removed when the engine closes); a folder holding a layout is read as it is.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from observatory.store.warehouse import Warehouse, default_db_path

if TYPE_CHECKING:
    from observatory.store.spark import SparkWarehouse

ENGINES = ("duckdb", "spark")


def default_engine() -> str:
    return os.environ.get("OBSERVATORY_ENGINE", "duckdb").strip().lower() or "duckdb"


def is_layout(path: Path) -> bool:
    """A folder written by ``write_layout`` (it carries a manifest)."""
    from observatory.store.parquet_layout import MANIFEST

    return path.is_dir() and (path / MANIFEST).exists()


def open_engine(
    engine: str | None,
    db: Path | str | None,
    master: str | None = None,
    *,
    read_only: bool = True,
) -> Warehouse | SparkWarehouse:
    """The warehouse ``db`` on the chosen engine. DuckDB opens the file; Spark opens the Parquet
    layout ``db`` names, or writes the DuckDB file ``db`` to a temporary layout first."""
    name = (engine or default_engine()).lower()
    if name not in ENGINES:
        raise ValueError(f"engine {name!r}: use duckdb or spark")
    path = Path(db) if db is not None else default_db_path()
    if name == "duckdb":
        if is_layout(path):
            from observatory.store.parquet_layout import read_layout

            warehouse = Warehouse.memory()
            read_layout(warehouse, path)
            return warehouse
        return Warehouse.open(path, read_only=read_only)

    from observatory.store.spark import SparkWarehouse

    if is_layout(path):
        return SparkWarehouse.open(path, master=master)
    from observatory.store.parquet_layout import write_layout

    folder = Path(tempfile.mkdtemp(prefix="observatory-layout-"))
    try:
        with Warehouse.open(path, read_only=True) as source:
            write_layout(source, folder / "layout")
        spark = SparkWarehouse.open(folder / "layout", master=master)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    spark.on_close(lambda: shutil.rmtree(folder, ignore_errors=True))
    return spark
