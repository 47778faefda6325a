"""Random bytes and mangled real files never crash the loader: they load, reject rows with a
reason, or fail with a LoadError; whatever loads reconciles."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from independent import DATA, need

from observatory.sources.receipt import LoadError
from observatory.sources.spend import load_spend
from observatory.store import Warehouse

SEEDS = [
    "hyndburn/1705.csv",
    "lambeth/2012-06-payments.csv",
    "salford/2021-06.csv",
    "hyndburn/April-25-CSV.csv",
    "calderdale/2022-03-card.csv",
]


def _load_or_refuse(tmp: Path, data: bytes) -> None:
    path = tmp / "fuzz.csv"
    path.write_bytes(data)
    warehouse = Warehouse.memory()
    try:
        receipts = load_spend(warehouse, [str(path)], organisation="hyndburn")
    except LoadError as exc:
        assert str(exc)  # a clear message, never an empty one
        assert warehouse.fetch_value("SELECT count(*) FROM spend_lines") == 0
        return
    for r in receipts:
        assert r.reconciles()
        loaded = warehouse.fetch_value("SELECT count(*) FROM spend_lines")
        rejected = warehouse.fetch_value("SELECT count(*) FROM rejects")
        assert loaded == r.rows_loaded and rejected == r.rows_rejected


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=3000))
def test_random_bytes(tmp_path: Path, data: bytes) -> None:
    _load_or_refuse(tmp_path, data)


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    name = draw(st.sampled_from(SEEDS))
    data = need(DATA / name).read_bytes()[:6000]
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        size = draw(st.integers(1, 200))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "flip", "truncate"]))
        if action == "delete":
            data = data[:at] + data[at + size :]
        elif action == "duplicate":
            data = data[:at] + data[at : at + size] * 2 + data[at + size :]
        elif action == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=40)) + data[at:]
        elif action == "flip" and data:
            data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]
        else:
            data = data[:at]
    return data


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mangled())
def test_mangled_real_files(tmp_path: Path, data: bytes) -> None:
    _load_or_refuse(tmp_path, data)


@pytest.mark.parametrize(
    "data", [b"", b"\n\n\n", b",,,\n,,,\n", b"\xff\xfe\x00", b"PK\x03\x04junk"]
)
def test_degenerate_files(tmp_path: Path, data: bytes) -> None:
    _load_or_refuse(tmp_path, data)
