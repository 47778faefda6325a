"""The generated demonstration network promises (in its manifest) which spellings belong to one
supplier; resolution must give each of those one supplier id."""

from __future__ import annotations

import re
from pathlib import Path

from observatory.demonstration import load_generated
from observatory.resolve.suppliers import resolve
from observatory.store import Warehouse


def _promised(manifest: str) -> dict[str, list[tuple[str, str]]]:
    section = manifest.split("## One supplier, many spellings", 1)[1].split("\n## ", 1)[0]
    out = {}
    for line in section.splitlines():
        if line.startswith("- "):
            supplier, names = line[2:].split(": ", 1)
            out[supplier] = [
                (m.group(1), m.group(2))
                for m in re.finditer(r"(\w+)(?: \(some lines\))?: `([^`]+)`", names)
            ]
    return out


def test_each_suppliers_spellings_resolve_to_one_supplier(tmp_path: Path) -> None:
    with Warehouse.open(tmp_path / "demo.duckdb") as w:
        _, errors = load_generated(w, tmp_path / "network")
        assert not errors
        resolve(w, threads=2)
        manifest = next((tmp_path / "network").rglob("*.md")).read_text(encoding="utf-8")
        promised = _promised(manifest)
        assert len(promised) == 5
        for supplier, spellings in promised.items():
            assert len({m for m, _ in spellings}) >= 2
            ids = {
                r["supplier_id"]
                for member, name in spellings
                for r in w.fetch(
                    "SELECT supplier_id FROM supplier_records WHERE organisation = ? "
                    "AND supplier_name = ?",
                    [member, name],
                )
            }
            assert len(ids) == 1, (supplier, spellings, ids)
