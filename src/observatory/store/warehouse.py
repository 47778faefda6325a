"""The engine seam: a warehouse only executes SQL, registers tables and fetches rows.

Everything else is SQL text kept in files under ``store/sql`` (and next to each analysis), so a
later engine can run the same statements.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

SQL_PACKAGE = "observatory.store"


def default_db_path() -> Path:
    return Path(os.environ.get("OBSERVATORY_DB", "observatory.duckdb"))


def schema_scripts() -> list[str]:
    """``schema.sql`` then every ``sql/schema_*.sql`` (one per area: suppliers, categories …)."""
    base = resources.files(SQL_PACKAGE)
    extra = sorted(
        p.name
        for p in (base / "sql").iterdir()
        if p.name.startswith("schema_") and p.name.endswith(".sql")
    )
    return [(base / "schema.sql").read_text("utf-8")] + [
        (base / "sql" / name).read_text("utf-8") for name in extra
    ]


def sql_text(name: str) -> str:
    """The text of a SQL file shipped with the package (``store/sql/NAME.sql`` or ``schema``)."""
    base = resources.files(SQL_PACKAGE)
    path = base / ("schema.sql" if name == "schema" else f"sql/{name}.sql")
    return path.read_text(encoding="utf-8")


# What staged analysis tables depend on: they are rebuilt when any of it changes.
DATA_VERSION_SQL = (
    "SELECT (SELECT count(*) FROM spend_lines) AS lines, "
    "(SELECT max(load_id) FROM spend_lines) AS load_id, "
    "(SELECT count(*) FROM contracts) AS contracts, "
    "(SELECT count(supplier_id) FROM spend_lines) AS resolved, "
    "(SELECT count(*) FROM line_categories) AS classified"
)


class WarehouseLocked(RuntimeError):
    """Another process (usually the web server) holds the warehouse for writing."""


class Warehouse:
    """A DuckDB warehouse file. Open it with ``Warehouse.open(path)``."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | None) -> None:
        self.con = con
        self.path = path
        self._depth = 0

    @classmethod
    def open(cls, path: Path | str | None = None, *, read_only: bool = False) -> Warehouse:
        db = Path(path) if path is not None else default_db_path()
        try:
            con = duckdb.connect(str(db), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise WarehouseLocked(
                    f"{db} is in use by another process (is `observatory serve` running?). "
                    "Stop it, or load through the running server's upload page or API."
                ) from exc
            raise
        warehouse = cls(con, db)
        warehouse.tune()
        if not read_only:
            warehouse.create_schema()
        return warehouse

    @classmethod
    def memory(cls) -> Warehouse:
        warehouse = cls(duckdb.connect(":memory:"), None)
        warehouse.tune()
        warehouse.create_schema()
        return warehouse

    def create_schema(self) -> None:
        for script in schema_scripts():
            self.execute_script(script)

    def tune(self) -> None:
        # Row order is carried by explicit columns (source_line), so inserts may run in parallel.
        self.execute("SET preserve_insertion_order = false")
        # Our own progress bars go to stderr; DuckDB's would interleave with --json output.
        self.execute("SET enable_progress_bar = false")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the seam -------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> None:
        self.con.execute(sql, params).fetchall()

    def execute_script(self, script: str) -> None:
        for statement in split_statements(script):
            self.execute(statement)

    def fetch(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql, params)
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def fetch_value(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        rows = self.con.execute(sql, params).fetchall()
        return rows[0][0] if rows else None

    def register(self, name: str, table: Any) -> None:
        self.con.register(name, table)

    def data_version(self) -> tuple[Any, ...]:
        """Changes whenever lines, contracts, suppliers or categories do (another process may
        load while the web app has tables staged)."""
        return tuple(self.fetch(DATA_VERSION_SQL)[0].values())

    def unregister(self, name: str) -> None:
        self.con.unregister(name)

    @contextmanager
    def transaction(self) -> Iterator[Warehouse]:
        """One transaction; a nested call joins the outer one, which commits or rolls back."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        self.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield self
        except BaseException:
            self.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0
        self.execute("COMMIT")


def split_statements(script: str) -> list[str]:
    """Split a SQL script on semicolons that end a line (our files keep one statement per block)."""
    statements, current = [], []
    for line in script.splitlines():
        stripped = line.strip()
        if stripped.startswith("--") and not current:
            continue
        current.append(line)
        if stripped.endswith(";"):
            text = "\n".join(current).strip().rstrip(";").strip()
            if text:
                statements.append(text)
            current = []
    tail = "\n".join(current).strip()
    if tail:
        statements.append(tail)
    return statements
