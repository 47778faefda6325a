"""A real slice of the network, loaded with the project's own loaders and resolved once per
session: Calderdale's spend (company numbers, a VCSE column), Salford's contracts register (SME
flags, postcodes, company numbers without leading zeros) and the Contracts Finder notices
(org-ids, postcodes). Tests that change it work on a copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from independent import DATA, need

from observatory.resolve.registers import import_postcodes
from observatory.resolve.suppliers import resolve
from observatory.sources.contracts import load_contracts
from observatory.sources.spend import load_spend
from observatory.store import Warehouse


def load_slice(path: Path) -> None:
    need(DATA / "calderdale")
    need(DATA / "salford" / "2022-07.csv")
    need(DATA / "ocds-contracts-finder")
    need(DATA / "geography" / "gm_postcodes.csv")
    with Warehouse.open(path) as w:
        load_spend(w, [str(DATA / "calderdale")], "calderdale")
        load_contracts(w, [str(DATA / "salford" / "2022-07.csv")], "salford")
        load_contracts(w, [str(DATA / "ocds-contracts-finder")])
        import_postcodes(w, [DATA / "geography" / "gm_postcodes.csv"])
        resolve(w, threads=2)


@pytest.fixture(scope="session")
def resolved_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("slice") / "slice.duckdb"
    load_slice(path)
    return path


@pytest.fixture
def slice_copy(resolved_slice: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "slice.duckdb"
    shutil.copy(resolved_slice, copy)
    return copy
