"""Notice tests read the OCDS schemas from ../shared/schemas (in CI a missing folder fails)."""

from __future__ import annotations

from pathlib import Path

import pytest
from independent import SHARED, need


@pytest.fixture
def schema_dir(monkeypatch: pytest.MonkeyPatch) -> Path:
    found = need(SHARED / "schemas")
    monkeypatch.setenv("OBSERVATORY_SCHEMAS", str(found))
    return found
