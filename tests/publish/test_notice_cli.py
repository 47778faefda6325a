"""The `notices`, `reference` and `load payments` commands as cli.py wires them, and their docs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from independent import DATA, need
from notice_fixtures import uk7
from typer.testing import CliRunner

from observatory.publish.commands import load_payments_command, register
from observatory.sources.contracts import load_contracts
from observatory.store import Warehouse

DOCS = Path(__file__).resolve().parents[2] / "docs"
runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    load = typer.Typer()
    load.command("payments")(load_payments_command)
    app.add_typer(load, name="load")
    register(app)
    return app


def _commands(group: Any, prefix: str = "observatory") -> list[tuple[str, Any]]:
    out = []
    if hasattr(group, "commands"):
        for name, command in group.commands.items():
            out += _commands(command, f"{prefix} {name}")
    else:
        out.append((prefix, group))
    return out


def test_every_command_and_option_is_documented() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### (observatory [^\n]+)\n(.*?)(?=^##|\Z)", text, re.M | re.S))
    missing = []
    for path, command in _commands(typer.main.get_command(_app())):
        if path not in sections:
            missing.append(path)
            continue
        for param in command.params:
            for opt in getattr(param, "opts", []):
                common = opt in {"--db", "--json", "--help"}
                if opt.startswith("--") and not common and opt not in sections[path]:
                    missing.append(f"{path} {opt}")
    assert not missing, f"undocumented in docs/cli.md: {missing}"
    notes = {p.stem for p in (DOCS / "methods").glob("*.md")}
    assert {"notices", "payments"} <= notes


def test_validate_exit_status_and_messages(schema_dir: Path, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(uk7()))
    broken = uk7()
    del broken["releases"][0]["ocid"]
    bad.write_text(json.dumps(broken))
    result = runner.invoke(_app(), ["notices", "validate", str(good), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["passed"] == 1
    result = runner.invoke(_app(), ["notices", "validate", str(good), str(bad), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert (report["notices"], report["failed"]) == (2, 1)
    assert "'ocid' is missing but required" in [
        e["message"] for e in report["reports"][1]["errors"]
    ]


def test_no_schema_folder_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OBSERVATORY_SCHEMAS", str(tmp_path / "empty"))
    package = tmp_path / "p.json"
    package.write_text(json.dumps(uk7()))
    result = runner.invoke(_app(), ["notices", "validate", str(package)])
    assert result.exit_code == 2
    assert "observatory reference fetch" in result.output
    status = runner.invoke(_app(), ["reference", "status", "--json"])
    assert status.exit_code == 1 and json.loads(status.output)["installed"] is False


def _supplier_without_identifier(release: dict[str, Any]) -> int:
    parties = {p.get("id"): p for p in release.get("parties", [])}
    count = 0
    for award in release.get("awards", []):
        for supplier in award.get("suppliers", []):
            party = parties.get(supplier.get("id"), {})
            ids = [party.get("identifier") or {}, supplier.get("identifier") or {}]
            ids += party.get("additionalIdentifiers") or []
            if not any(str(i.get("id") or "").strip() for i in ids):
                count += 1
    return count


def test_quality_and_loaded_validation_on_contracts_finder(
    schema_dir: Path, tmp_path: Path
) -> None:
    folder = need(DATA / "ocds-contracts-finder")
    db = tmp_path / "cf.duckdb"
    with Warehouse.open(db) as warehouse:
        load_contracts(warehouse, [str(folder)])
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(folder.rglob("*.json")):
        for release in json.loads(path.read_text(encoding="utf-8-sig"))["releases"]:
            seen.setdefault((release["ocid"].split("-", 2)[2], release["id"]), release)
    result = runner.invoke(_app(), ["notices", "quality", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    totals = json.loads(result.output)["totals"]
    assert totals["releases"] == len(seen)
    expected = sum(_supplier_without_identifier(r) for r in seen.values())
    assert totals["supplier without identifier"] == expected
    assert totals["no notice code after the Act"] == 0  # all 2018-2020
    # Loaded releases are judged as releases (their package metadata is not kept): all pass.
    result = runner.invoke(_app(), ["notices", "validate", "--loaded", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["notices"], report["passed"]) == (len(seen), len(seen))


def test_load_payments_and_pipeline_commands(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    extract = tmp_path / "ap.csv"
    extract.write_text(
        "Invoice Number,Supplier Name,Invoice Received Date,Payment Date,Amount\n"
        "1,Acme,2026-01-05,2026-01-20,10.00\n2,Acme,2026-01-06,,5.00\n3,Acme,bad,,1.00\n"
    )
    args = ["load", "payments", str(extract), "--org", "salford", "--db", str(db), "--json"]
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0, result.output
    receipt = json.loads(result.output)
    assert (receipt["rows_loaded"], receipt["rows_rejected"]) == (2, 1)
    assert receipt["reject_reasons"] == {"invoice received date not understood": 1}
    add = [
        "notices", "pipeline", "add", "--org", "Salford City Council", "--title", "Leisure",
        "--value", "£2,500,000", "--advert", "2026-09-01", "--category", "services",
        "--db", str(db), "--json",
    ]  # fmt: skip
    result = runner.invoke(_app(), add)
    assert result.exit_code == 0, result.output
    listed = runner.invoke(_app(), ["notices", "pipeline", "list", "--db", str(db), "--json"])
    [entry] = json.loads(listed.output)["entries"]
    assert (entry["organisation"], entry["value_amount"]) == ("salford", "2500000.00")
    bad = runner.invoke(_app(), [*add[:-3], "--category", "stuff", "--db", str(db)])
    assert bad.exit_code == 2 and "category must be one of goods, services, works" in bad.output
