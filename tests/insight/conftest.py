"""Small real warehouses for the insight tests: one month per member (and Salford's register),
loaded into memory once per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from independent import DATA, need

from observatory.sources.contracts import load_contracts
from observatory.sources.spend import load_spend
from observatory.store import Warehouse

MONTH = {
    "manchester": DATA / "manchester" / "2021-04.csv",
    "salford": DATA / "salford" / "2021-04.csv",
    "calderdale": DATA / "calderdale" / "2021-04.csv",
}
REGISTER = DATA / "salford" / "2022-07.csv"


def month_files() -> dict[str, Path]:
    return {org: need(path) for org, path in MONTH.items()}


@pytest.fixture(scope="module")
def three_members() -> Iterator[Warehouse]:
    """April 2021 of Manchester, Salford and Calderdale, and Salford's contracts register."""
    files = month_files()
    need(REGISTER)
    w = Warehouse.memory()
    for org, path in files.items():
        load_spend(w, [str(path)], org)
    load_contracts(w, [str(REGISTER)], "salford")
    yield w
    w.close()
