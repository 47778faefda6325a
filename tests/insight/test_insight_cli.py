"""The priority-1 commands: registered next to another area's `suppliers` group, documented in
docs/cli.md, and printing JSON that names its scope."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer
from conftest import MONTH, REGISTER
from independent import need
from typer.testing import CliRunner

from observatory.insight.commands import register_priority1
from observatory.sources.contracts import load_contracts
from observatory.sources.spend import load_spend
from observatory.store import Warehouse

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _app() -> typer.Typer:
    app = typer.Typer()
    existing = typer.Typer()

    @existing.command("show")
    def show() -> None:  # stands in for the resolution area's `suppliers show`
        """Show a supplier."""

    app.add_typer(existing, name="suppliers")
    register_priority1(app)
    return app


def _commands(group, prefix="observatory"):
    out = []
    if hasattr(group, "commands"):
        for name, command in group.commands.items():
            out += _commands(command, f"{prefix} {name}")
    else:
        out.append((prefix, group))
    return out


def test_commands_join_an_existing_suppliers_group_and_are_documented():
    app = _app()
    suppliers = [g for g in app.registered_groups if g.name == "suppliers"]
    assert len(suppliers) == 1
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### (observatory [^\n]+)\n(.*?)(?=^##|\Z)", text, re.M | re.S))
    missing = []
    for path, command in _commands(typer.main.get_command(app)):
        if path == "observatory suppliers show":
            continue
        if path not in sections:
            missing.append(path)
            continue
        for param in command.params:
            for opt in getattr(param, "opts", []):
                common = opt in ("--db", "--json", "--help")
                if opt.startswith("--") and not common and opt not in sections[path]:
                    missing.append(f"{path} {opt}")
    assert not missing, missing
    notes = {p.stem for p in (DOCS / "methods").glob("*.md")}
    assert {
        "collaboration",
        "contracts-pipeline",
        "suppliers-concentration",
        "red-flags",
        "savings",
    } <= notes


def test_json_output_names_its_scope(tmp_path):
    db = tmp_path / "w.duckdb"
    with Warehouse.open(db) as w:
        load_spend(w, [str(need(MONTH["salford"]))], "salford")
        load_spend(w, [str(need(MONTH["manchester"]))], "manchester")
        load_contracts(w, [str(need(REGISTER))], "salford")
    runner = CliRunner()
    app = _app()
    result = runner.invoke(app, ["collaborate", "--db", str(db), "--year", "2021-22", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["scope"]["period"] == "2021-22" and data["scope"]["as_of"] == "2021-04-30"
    assert data["overview"]["shared_suppliers"] > 0
    first = data["opportunities"][0]["opportunity_id"]
    drill = runner.invoke(app, ["collaborate", "--db", str(db), "--drill", first, "--json"])
    assert drill.exit_code == 0, drill.output
    assert json.loads(drill.output)["lines"]
    for args in (
        ["contracts", "pipeline", "--as-of", "2022-03-31"],
        ["contracts", "off-contract", "--org", "Salford"],
        ["contracts", "spend-vs-contract", "--over-only"],
        ["suppliers", "concentration", "--top", "3"],
        ["suppliers", "dependency"],
        ["red-flags", "--rule", "split-orders"],
        ["savings", "list"],
    ):
        result = runner.invoke(app, [*args, "--db", str(db), "--json"])
        assert result.exit_code == 0, (args, result.output)
        json.loads(result.output)
    added = runner.invoke(
        app,
        ["savings", "add", "--db", str(db), "--title", "Joint recruitment framework",
         "--member", "salford", "--member", "manchester", "--type", "cashable saving",
         "--amount", "2022-23=10000", "--json"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    found = runner.invoke(app, ["savings", "library", "search", "recruitment", "--db", str(db)])
    assert "Joint recruitment framework" in found.output
    bad = runner.invoke(app, ["contracts", "off-contract", "--org", "atlantis", "--db", str(db)])
    assert bad.exit_code == 2
