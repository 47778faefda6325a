"""The Spark side of the engine seam: ``SparkWarehouse`` takes the same calls as ``Warehouse``
(execute, execute_script, fetch, fetch_value, register, unregister, transaction) and runs our
DuckDB SQL text on Spark after translating it (``store/transpile.py``).

Tables are temporary views: ``SparkWarehouse.open(layout)`` shows every table of a Parquet
layout (``store/parquet_layout.py``) as one, and ``CREATE TEMP TABLE x AS …`` becomes a view of
the rows it computed (a local checkpoint), so an analysis's staged tables are computed once.
How to run on a cluster: docs/spark.md.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from observatory.store.transpile import SparkDialect, Statement
from observatory.store.warehouse import DATA_VERSION_SQL, split_statements

DEFAULT_MASTER = "local[*]"
_sessions: dict[str, Any] = {}

# What a local session is given; a cluster takes its own settings from spark-submit or the
# Connect server. The time zone is UTC so dates and timestamps come back as DuckDB gives them;
# ANSI mode is off because DuckDB gives NULL (not an error) on division by zero.
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.showConsoleProgress": "false",
}


def local_driver_memory() -> str:
    """A local driver is the whole cluster: ``$OBSERVATORY_SPARK_DRIVER_MEMORY``, else half of
    the machine's memory (supplier resolution at a million lines needed more than 4 GB)."""
    chosen = os.environ.get("OBSERVATORY_SPARK_DRIVER_MEMORY")
    if chosen:
        return chosen
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(2, total // 2**31)}g"


SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
    # Hive-style partition values ('organisation=trafford', 'month=2021-04') stay strings.
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
}


def spark_session(master: str | None = None) -> Any:
    """The process's Spark session (one per process): the master from the argument, else
    ``$OBSERVATORY_SPARK_MASTER``, else ``local[*]``. An ``sc://host:port`` URL connects to a
    Spark Connect server instead of starting a driver here."""
    url = master or os.environ.get("OBSERVATORY_SPARK_MASTER") or DEFAULT_MASTER
    if _sessions:
        # One driver per process: a second master cannot be started beside the first.
        return next(iter(_sessions.values()))
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("observatory")
    if (
        master is None
        and "PYSPARK_GATEWAY_PORT" in os.environ
        and not os.environ.get("OBSERVATORY_SPARK_MASTER")
    ):
        # Started by spark-submit: its --master and resources stand.
        for key, value in SESSION_CONF.items():
            builder = builder.config(key, value)
        spark = builder.getOrCreate()
        _workers_use_this_python(spark)
        _sessions["spark-submit"] = spark
        return spark
    if url.startswith("sc://"):
        builder = builder.remote(url)
    else:
        builder = builder.master(url)
        if url.startswith("local"):
            for key, value in {**LOCAL_CONF, "spark.driver.memory": local_driver_memory()}.items():
                builder = builder.config(key, value)
    for key, value in SESSION_CONF.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    if not url.startswith("sc://"):
        spark.sparkContext.setLogLevel("ERROR")
        _workers_use_this_python(spark)
    _sessions[url] = spark
    return spark


def _workers_use_this_python(spark: Any) -> None:
    """Local Spark starts its Python workers (UDFs, RDD scoring) with ``$PYSPARK_PYTHON`` or
    ``python3`` from PATH, which need not be this environment (where observatory, numpy and
    scikit-learn are): a local driver uses the interpreter running it. A cluster sets its own."""
    if not os.environ.get("PYSPARK_PYTHON") and str(spark.sparkContext.master).startswith("local"):
        spark.sparkContext.pythonExec = sys.executable


def python_value(value: Any) -> Any:
    """A collected Spark value as DuckDB's Python client gives it (structs as dicts)."""
    from pyspark.sql import Row

    if isinstance(value, Row):
        return {k: python_value(v) for k, v in value.asDict(recursive=False).items()}
    if isinstance(value, list):
        return [python_value(v) for v in value]
    if isinstance(value, dict):
        return {k: python_value(v) for k, v in value.items()}
    return value


class SparkWarehouse:
    """A warehouse on Spark. Open a Parquet layout with ``SparkWarehouse.open(path)``."""

    def __init__(self, spark: Any, path: Path | None = None) -> None:
        self.spark = spark
        self.path = path
        self.dialect = SparkDialect()
        self._stored: dict[str, Any] = {}
        self._on_close: list[Callable[[], None]] = []
        self._layout_tables: list[str] = []
        self._layout_writes = 0

    @classmethod
    def open(cls, layout: Path | str, master: str | None = None) -> SparkWarehouse:
        """Every table of the Parquet layout at ``layout`` as a temporary view."""
        from observatory.store.parquet_layout import spark_tables

        base = spark_session(master)
        try:
            spark = base.newSession()  # its own temp views, the same driver
        except Exception:  # Spark Connect sessions cannot be split; share the one
            spark = base
        for key, value in SESSION_CONF.items():
            spark.conf.set(key, value)
        warehouse = cls(spark, Path(layout))
        for name, frame in spark_tables(spark, Path(layout)).items():
            frame.createOrReplaceTempView(name)
            warehouse._layout_tables.append(name)
        return warehouse

    def on_close(self, action: Callable[[], None]) -> None:
        self._on_close.append(action)

    def close(self) -> None:
        self._stored.clear()
        for name in self.tables():
            self.spark.catalog.dropTempView(name)
        for action in self._on_close:
            action()
        self._on_close.clear()

    def __enter__(self) -> SparkWarehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def tables(self) -> list[str]:
        return [t.name for t in self.spark.catalog.listTables() if t.isTemporary]

    # -- the seam -------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> None:
        self._run(sql, params)

    def execute_script(self, script: str) -> None:
        for statement in split_statements(script):
            self.execute(statement)

    def fetch(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        frame = self._run(sql, params)
        if frame is None:
            return []
        names = frame.columns
        return [
            {name: python_value(row[i]) for i, name in enumerate(names)} for row in frame.collect()
        ]

    def fetch_value(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        frame = self._run(sql, params)
        if frame is None:
            return None
        rows = frame.limit(1).collect()
        return python_value(rows[0][0]) if rows else None

    def register(self, name: str, table: Any) -> None:
        """A pandas DataFrame or Arrow table as a temporary view."""
        try:
            frame = self.spark.createDataFrame(table)
        except ImportError:
            # PySpark reads Arrow through pandas; without pandas the rows go as Python values.
            if not hasattr(table, "to_pylist"):
                raise
            frame = self.spark.createDataFrame(table.to_pylist())
        frame.createOrReplaceTempView(name)

    def data_version(self) -> tuple[Any, ...]:
        """The layout's files (name, size, time) and this session's writes to its tables: a
        directory listing, where counting the tables would be five Spark jobs per analysis."""
        if self.path is None or not self.path.is_dir():
            return tuple(self.fetch(DATA_VERSION_SQL)[0].values())
        files = sorted(
            (str(f.relative_to(self.path)), stat.st_size, stat.st_mtime_ns)
            for f in self.path.rglob("*.parquet")
            for stat in [f.stat()]
        )
        return (self._layout_writes, *files)

    def unregister(self, name: str) -> None:
        self._forget(name)
        self.spark.catalog.dropTempView(name)

    @contextmanager
    def transaction(self) -> Iterator[SparkWarehouse]:
        """Nothing to commit: the analyses only read, and temp views are this session's."""
        yield self

    # -- statements -----------------------------------------------------------------------
    def _run(self, sql: str, params: Sequence[Any] | dict[str, Any] | None) -> Any:
        lowered = sql.lower()
        if "information_schema" in lowered:
            self._catalogue_views(columns="information_schema.columns" in lowered)
        bound = params if params is None or isinstance(params, dict) else list(params)
        statement = self.dialect.statement(sql, bound)
        kind = statement.kind
        if kind == "macro":
            return None
        if kind == "query":
            return self.spark.sql(statement.sql)
        if kind == "create_as":
            if statement.if_not_exists and self._exists(statement.table):
                return None
            self._replace(statement.table, self.spark.sql(statement.sql))
            return None
        if kind == "create":
            if self._exists(statement.table) and statement.if_not_exists:
                return None
            self._replace(statement.table, self.spark.createDataFrame([], statement.columns))
            return None
        if kind == "insert":
            self._insert(statement)
            return None
        if kind == "drop":
            self._forget(statement.table)
            self.spark.catalog.dropTempView(statement.table)
            return None
        first = statement.sql.split(None, 1)[0].upper() if statement.sql.strip() else ""
        if first in ("SET", "BEGIN", "COMMIT", "ROLLBACK", "CHECKPOINT", "PRAGMA"):
            return None  # DuckDB settings and transactions: nothing to do on Spark
        return self.spark.sql(statement.sql)

    def _exists(self, name: str) -> bool:
        return bool(self.spark.catalog.tableExists(name))

    def _replace(self, name: str, frame: Any) -> None:
        """Compute the new table before the old one is dropped (the new one may have been
        computed from it). A local checkpoint, not a cache: the table's plan starts afresh from
        its stored rows, so a staged table built on staged tables is not re-planned from the
        layout each time, and dropping a view it was read from (``ref_x_rows`` after ``CREATE
        TABLE ref_x AS SELECT * FROM ref_x_rows``) cannot un-cache it. Measured on
        the real network (582,185 lines): ``wealth shares`` staged in half the time."""
        from pyspark import StorageLevel

        frame = frame.localCheckpoint(eager=True, storageLevel=StorageLevel.MEMORY_AND_DISK)
        if name in self._layout_tables:
            self._layout_writes += 1
        self._stored[name] = frame
        frame.createOrReplaceTempView(name)

    def _forget(self, name: str) -> None:
        # Held until the table is dropped: Spark Connect frees a checkpoint when its Python
        # frame is collected, even while a view still reads it; locally, Spark's cleaner frees it
        # once nothing refers to it.
        self._stored.pop(name, None)

    def _insert(self, statement: Statement) -> None:
        from pyspark.sql import functions as F

        target = self.spark.table(statement.table)
        rows = self.spark.sql(statement.sql)
        names = (
            [c.strip() for c in statement.columns.split(",")]
            if statement.columns
            else target.columns[: len(rows.columns)]
        )
        given = dict(zip(names, rows.columns, strict=True))
        types = dict(target.dtypes)
        new = rows.select(
            *[
                (F.col(f"`{given[c]}`") if c in given else F.lit(None)).cast(types[c]).alias(c)
                for c in target.columns
            ]
        )
        self._replace(statement.table, target.unionByName(new))

    def _catalogue_views(self, columns: bool = False) -> None:
        """DuckDB's information_schema.tables (and .columns when asked for: it reads every
        table's schema), from Spark's catalogue. The layout's tables count as base tables."""
        tables: list[tuple[str, str, str]] = []
        described: list[tuple[str, str, str, int, str]] = []
        base = set(self._layout_tables)
        for t in self.spark.catalog.listTables():
            if t.name.startswith("information_schema_"):
                continue
            kind = "BASE TABLE" if t.name in base else "LOCAL TEMPORARY"
            tables.append((t.name, "main", kind))
            if columns:
                for i, (name, dtype) in enumerate(self.spark.table(t.name).dtypes, start=1):
                    described.append((t.name, "main", name, i, dtype.upper()))
        self.spark.createDataFrame(
            tables, "table_name STRING, table_schema STRING, table_type STRING"
        ).createOrReplaceTempView("information_schema_tables")
        self.spark.createDataFrame(
            described,
            "table_name STRING, table_schema STRING, column_name STRING, "
            "ordinal_position INT, data_type STRING",
        ).createOrReplaceTempView("information_schema_columns")
