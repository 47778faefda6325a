"""The command line: `categories import|list|set`, `classify` and `evaluate classification`,
registered beside another area's `evaluate` commands."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from independent import DATA, need
from typer.testing import CliRunner

from observatory.classify.commands import register

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    other = typer.Typer()
    other.command("suppliers")(lambda: None)
    app.add_typer(other, name="evaluate")  # as supplier resolution's register() does
    register(app)
    return app


def test_register_joins_an_existing_evaluate_group() -> None:
    app = _app()
    groups = [g for g in app.registered_groups if g.name == "evaluate"]
    assert len(groups) == 1
    names = {c.name for c in groups[0].typer_instance.registered_commands}
    assert names == {"suppliers", "classification"}
    alone = typer.Typer()
    register(alone)
    assert [g.name for g in alone.registered_groups] == ["categories", "evaluate"]


def test_import_list_and_set_from_the_command_line(tmp_path: Path) -> None:
    app, db = _app(), str(tmp_path / "w.duckdb")
    path = need(DATA / "codelists" / "proclass_17.csv")
    done = runner.invoke(app, ["categories", "import", str(path), "--db", db, "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["imported"][0]["codes"] == 586
    found = runner.invoke(
        app, ["categories", "list", "--search", "domiciliary", "--db", db, "--json"]
    )
    assert [c["code"] for c in json.loads(found.stdout)["codes"]] == [
        "321014",
        "321600",
        "321699",
    ]
    refused = runner.invoke(app, ["categories", "set", "32101", "--supplier", "X", "--db", db])
    assert refused.exit_code == 2
    assert "321010" in refused.output or "Did you mean" in refused.output


def test_classify_and_evaluate_in_json(network_copy: Path) -> None:
    app, db = _app(), str(network_copy)
    done = runner.invoke(app, ["classify", "--db", db, "--json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert set(result["lines_by_source"]) == {"published", "model"}
    measured = runner.invoke(
        app, ["evaluate", "classification", "--org", "trafford", "--db", db, "--json"]
    )
    assert measured.exit_code == 0, measured.output
    figures = json.loads(measured.stdout)
    assert figures["model"]["accuracy"] > figures["baseline"]["accuracy"]
    assert figures["cpv"]["notices"] == 133
