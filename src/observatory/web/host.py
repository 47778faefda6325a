"""The server owns the warehouse: one read-write DuckDB connection for the process's lifetime.

DuckDB lets one process write a database file. The server opens it once; every worker thread gets
its own cursor on that connection (a cursor is a separate DuckDB connection to the same database,
so threads never share one), and loads are serialised by a lock so that two uploads cannot race
each other's staging tables. A CLI load while the server runs gets ``WarehouseLocked`` and is
told to go through the server's API instead.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from observatory.store import Warehouse

T = TypeVar("T")


class WarehouseHost:
    """Per-thread warehouse cursors, a load lock, and a cache invalidated by each load."""

    def __init__(self, warehouse: Warehouse, cache_size: int = 512) -> None:
        self.warehouse = warehouse
        self.path: Path | None = warehouse.path
        self._local = threading.local()
        self._cursors: list[Warehouse] = []
        self._cursor_lock = threading.Lock()
        self.load_lock = threading.Lock()
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._cache_size = cache_size
        self._generation = 0

    @classmethod
    def open(cls, path: Path | str) -> WarehouseHost:
        return cls(Warehouse.open(path))

    def current(self) -> Warehouse:
        """This thread's warehouse (a cursor on the server's one connection)."""
        found: Warehouse | None = getattr(self._local, "warehouse", None)
        if found is None:
            found = Warehouse(self.warehouse.con.cursor(), self.path)
            found.tune()
            self._local.warehouse = found
            with self._cursor_lock:
                self._cursors.append(found)
        return found

    @contextmanager
    def loading(self) -> Iterator[Warehouse]:
        """The warehouse for a load: one at a time; cached figures are dropped afterwards."""
        with self.load_lock:
            try:
                yield self.current()
            finally:
                self.data_changed()

    def data_changed(self) -> None:
        with self._cache_lock:
            self._generation += 1
            self._cache.clear()

    def cached(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """A figure computed once per state of the data (loads clear the cache)."""
        with self._cache_lock:
            # Keyed by the generation seen before computing: a load that lands meanwhile makes
            # this entry unreachable rather than stale.
            full = (self._generation, *key)
            if full in self._cache:
                self._cache.move_to_end(full)
                return self._cache[full]  # type: ignore[no-any-return]
        value = compute()
        with self._cache_lock:
            self._cache[full] = value
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return value

    def close(self) -> None:
        with self._cursor_lock:
            for cursor in self._cursors:
                # A cursor of a finished thread may already be gone.
                with contextlib.suppress(Exception):
                    cursor.close()
            self._cursors.clear()
        self.warehouse.close()
