"""The priority-2 commands: each documented in docs/cli.md, and each answering with --json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer
from typer.testing import CliRunner

from observatory import organisations as orgs
from observatory.insight.outcomes_commands import register_priority2
from observatory.store import Warehouse

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
COMMON = {"--db", "--json", "--help"}


def _app() -> typer.Typer:
    app = typer.Typer()
    register_priority2(app)
    return app


def _commands(group, prefix: str = "observatory"):  # type: ignore[no-untyped-def]
    if hasattr(group, "commands"):
        return [
            c for name, sub in group.commands.items() for c in _commands(sub, f"{prefix} {name}")
        ]
    return [(prefix, group)]


def test_every_priority2_command_and_option_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### (observatory [^\n]+)\n(.*?)(?=^##|\Z)", text, re.M | re.S))
    missing = []
    for path, command in _commands(typer.main.get_command(_app())):
        if path not in sections:
            missing.append(path)
            continue
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt not in COMMON and opt not in sections[path]:
                    missing.append(f"{path} {opt}")
    assert not missing, f"undocumented in docs/cli.md: {missing}"


def test_commands_answer_in_json(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with Warehouse.open(db) as w:
        orgs.register(w, orgs.read_config())
    runner = CliRunner()
    app = _app()

    def run(*args: str) -> object:
        result = runner.invoke(app, [*args, "--db", str(db), "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    assert run("social-value", "framework", "import", "--example")["measures"] == 8  # type: ignore[index]
    assert run("social-value", "commit", "C1", "S1", "10", "--org", "Salford City Council")
    assert (
        run(
            "carbon",
            "override",
            "add",
            "Acme Ltd",
            "--intensity",
            "0.2",
            "--year",
            "2023",
            "--source",
            "report",
        )["supplier_key"]
        == "name:acme"
    )  # type: ignore[index]
    assert run("carbon", "plan", "add", "Acme Ltd", "--net-zero-year", "2040", "--scopes", "1,2")
    assert run(
        "slavery",
        "evidence",
        "add",
        "Acme Ltd",
        "--turnover",
        "40,000,000",
        "--statement-year",
        "2024",
        "--assessment",
    )
    assert len(run("carbon", "override", "list")) == 1  # type: ignore[arg-type]
    assert len(run("carbon", "plan", "list")) == 1  # type: ignore[arg-type]
    assert len(run("slavery", "evidence", "list")) == 1  # type: ignore[arg-type]
    # An empty warehouse still answers: no spend, no figures, nothing dropped.
    estimate = run("carbon", "estimate", "--by", "year")
    assert estimate["total"]["lines"] == 0  # type: ignore[index]
    shares = run("wealth", "shares")
    assert shares["shares"][-1]["organisation"] == "network"  # type: ignore[index]
    assert run("payments") == []
    report = run("social-value", "report", "--by", "member")
    assert report["example_framework"] is True  # type: ignore[index]
