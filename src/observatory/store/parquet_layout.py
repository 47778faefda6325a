"""The warehouse as Parquet: the layout a DuckDB warehouse hands to Spark (and back).

One folder per table. ``spend_lines`` is partitioned Hive-style by member and payment month
(``spend_lines/organisation=trafford/month=2024-04/….parquet``), so a cluster reads one member's
or one month's lines without touching the rest; every other table is one file. ``manifest.json``
gives each table's row count and columns (name and DuckDB type), so an empty table keeps its
schema and a reader can check it has everything. docs/spark.md describes the layout.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from observatory.store.warehouse import Warehouse

if TYPE_CHECKING:
    from observatory.store.spark import SparkWarehouse

MANIFEST = "manifest.json"
FORMAT = "observatory-parquet-layout/1"
# Tables partitioned by member and month: (partition columns, the SQL for each, in DuckDB).
PARTITIONED = {
    "spend_lines": {"organisation": "organisation", "month": "strftime(payment_date, '%Y-%m')"},
}


# The web app's accounts, sessions, API tokens and audit log stay with the warehouse file: no
# analysis reads them, and a layout is handed to other machines.
PRIVATE_PREFIX = "web_"


class LayoutError(ValueError):
    """The folder is not a layout this version reads."""


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _duckdb_tables(warehouse: Warehouse) -> dict[str, list[tuple[str, str]]]:
    rows = warehouse.fetch(
        "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_catalog, table_schema, table_name) "
        "WHERE t.table_type = 'BASE TABLE' AND t.table_schema = 'main' "
        "AND t.table_catalog = current_database() "
        "ORDER BY c.table_name, c.ordinal_position"
    )
    tables: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        if r["table_name"].startswith(PRIVATE_PREFIX):
            continue
        tables.setdefault(r["table_name"], []).append((r["column_name"], r["data_type"]))
    return tables


def write_layout(warehouse: Warehouse | SparkWarehouse, out_dir: Path | str) -> dict[str, int]:
    """Write every warehouse table under ``out_dir`` (replacing what is there); returns the row
    count of each table."""
    out = Path(out_dir)
    if out.exists():
        if not (out / MANIFEST).exists() and any(out.iterdir()):
            raise LayoutError(f"{out} exists and is not a layout: choose an empty folder")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if isinstance(warehouse, Warehouse):
        manifest = _write_duckdb(warehouse, out)
    else:
        manifest = _write_spark(warehouse, out)
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return {name: t["rows"] for name, t in manifest["tables"].items()}


def _write_duckdb(warehouse: Warehouse, out: Path) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for name, columns in _duckdb_tables(warehouse).items():
        rows = int(warehouse.fetch_value(f'SELECT count(*) FROM "{name}"'))
        folder = out / name
        folder.mkdir()
        parts = PARTITIONED.get(name)
        if parts and rows:
            select = ", ".join(f'"{c}"' for c, _ in columns if c not in parts)
            keys = ", ".join(f"{sql} AS {key}" for key, sql in parts.items())
            warehouse.execute(
                f'COPY (SELECT {select}, {keys} FROM "{name}") TO {_quote(folder)} '
                f"(FORMAT parquet, PARTITION_BY ({', '.join(parts)}), OVERWRITE_OR_IGNORE true)"
            )
        elif not parts:
            warehouse.execute(
                f'COPY (SELECT * FROM "{name}") TO {_quote(folder / "part-0.parquet")} '
                "(FORMAT parquet)"
            )
        tables[name] = {
            "rows": rows,
            "columns": [{"name": c, "type": t} for c, t in columns],
            "partitioned_by": list(parts) if parts else [],
        }
    return {"format": FORMAT, "tables": tables}


def _write_spark(warehouse: SparkWarehouse, out: Path) -> dict[str, Any]:
    """A layout written from Spark (a warehouse opened on a layout, or tables it made)."""
    from pyspark.sql import functions as F

    source = read_manifest(warehouse.path) if warehouse.path else {"tables": {}}
    tables: dict[str, Any] = {}
    for name, table in source["tables"].items():
        frame = warehouse.spark.table(name)
        rows = frame.count()
        parts = PARTITIONED.get(name)
        target = str(out / name)
        if parts:
            frame.withColumn("month", F.date_format("payment_date", "yyyy-MM")).write.mode(
                "overwrite"
            ).partitionBy(*parts).parquet(target)
        else:
            frame.coalesce(1).write.mode("overwrite").parquet(target)
        tables[name] = {**table, "rows": rows}
    return {"format": FORMAT, "tables": tables}


def read_manifest(layout: Path | str) -> dict[str, Any]:
    path = Path(layout) / MANIFEST
    if not path.exists():
        raise LayoutError(f"{layout} is not a Parquet layout (no {MANIFEST})")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise LayoutError(f"{path}: format {manifest.get('format')!r}, expected {FORMAT!r}")
    return manifest


def _files(layout: Path, name: str) -> str:
    return _quote(layout / name / "**" / "*.parquet")


def read_layout(warehouse: Warehouse, layout_dir: Path | str) -> dict[str, int]:
    """Load a layout into a DuckDB warehouse, replacing the rows of each table it holds
    (tables the warehouse lacks are created). Returns each table's row count as loaded."""
    layout = Path(layout_dir)
    manifest = read_manifest(layout)
    present = {
        r["table_name"]
        for r in warehouse.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_catalog = current_database()"
        )
    }
    loaded: dict[str, int] = {}
    with warehouse.transaction():
        for name, table in manifest["tables"].items():
            columns = [c["name"] for c in table["columns"]]
            cast = ", ".join(
                f'CAST("{c["name"]}" AS {c["type"]}) AS "{c["name"]}"' for c in table["columns"]
            )
            if table["rows"]:
                source = (
                    f"read_parquet({_files(layout, name)}, hive_partitioning = true, "
                    "hive_types_autocast = false, union_by_name = true)"
                )
            else:
                source = (
                    "(SELECT "
                    + ", ".join(f'NULL::{c["type"]} AS "{c["name"]}"' for c in table["columns"])
                    + " LIMIT 0)"
                )
            select = f"SELECT {cast} FROM {source}"
            if name in present:
                warehouse.execute(f'DELETE FROM "{name}"')
                warehouse.execute(
                    f'INSERT INTO "{name}" ({", ".join(chr(34) + c + chr(34) for c in columns)}) '
                    f"{select}"
                )
            else:
                warehouse.execute(f'CREATE TABLE "{name}" AS {select}')
            loaded[name] = int(warehouse.fetch_value(f'SELECT count(*) FROM "{name}"'))
        _advance_sequences(warehouse, set(loaded))
    return loaded


# The ids that commands take from a sequence and write into a table: after a layout is loaded,
# each sequence is moved past the largest id it holds, so the next load or record gets a new one.
SEQUENCE_IDS = {
    "load_seq": ("load_receipts", "load_id"),
    "classification_run_seq": ("classification_runs", "run_id"),
    "category_decision_seq": ("category_decisions", "decision_id"),
    "supplier_override_seq": ("supplier_overrides", "override_id"),
    "savings_initiative_seq": ("savings_initiatives", "initiative_id"),
    "social_value_seq": ("social_value_commitments", "commitment_id"),
    "pipeline_seq": ("pipeline_entries", "entry_id"),
    "kpi_seq": ("contract_kpis", "kpi_id"),
}


def _advance_sequences(warehouse: Warehouse, tables: set[str]) -> None:
    for sequence, (table, column) in SEQUENCE_IDS.items():
        if table not in tables:
            continue
        top = warehouse.fetch_value(f'SELECT max("{column}") FROM "{table}"') or 0
        if sequence == "social_value_seq" and "social_value_returns" in tables:
            top = max(
                top, warehouse.fetch_value("SELECT max(return_id) FROM social_value_returns") or 0
            )
        # DuckDB cannot restart a sequence in use; drawing values moves it on.
        warehouse.fetch(f"SELECT max(nextval('{sequence}')) FROM range({int(top)})")


def spark_tables(spark: Any, layout: Path) -> dict[str, Any]:
    """Each table of the layout as a Spark DataFrame with the manifest's columns, in order."""
    from sqlglot import exp

    manifest = read_manifest(layout)
    frames: dict[str, Any] = {}
    for name, table in manifest["tables"].items():
        columns = table["columns"]
        ddl = ", ".join(f"`{c['name']}` {_spark_type(exp, c['type'])}" for c in columns)
        if not table["rows"]:
            frames[name] = spark.createDataFrame([], ddl)
            continue
        # The schema is given, so Spark lists the files but runs no job to infer it.
        read = ddl
        for key in PARTITIONED.get(name, {}):
            if key not in {c["name"] for c in columns}:
                read += f", `{key}` STRING"
        frame = (
            spark.read.schema(read)
            .option("basePath", str(layout / name))
            .parquet(str(layout / name))
        )
        frames[name] = frame.select(*[f"`{c['name']}`" for c in columns])
    return frames


def _spark_type(exp: Any, duckdb_type: str) -> str:
    if duckdb_type.upper() == "JSON":
        return "STRING"
    return exp.DataType.build(duckdb_type, dialect="duckdb").sql("spark")
