"""A real slice of the network for classification tests, loaded with the project's own loaders:
one supplier in eight of Trafford's two labelled years (every line of each chosen supplier, so
suppliers that are new in 2025-26 stay new), one month of Manchester (a member that publishes no
labels), Salford's contracts register (ProClass) and the Contracts Finder notices (CPV); with
the official code lists installed. Tests that change it work on a copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from classify_network import load_network


@pytest.fixture(scope="session")
def network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("classify")
    path = folder / "network.duckdb"
    load_network(path, folder)
    return path


@pytest.fixture
def network_copy(network: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "network.duckdb"
    shutil.copy(network, copy)
    return copy
