"""Docs that cannot fall behind: every command and option the CLI offers is in docs/cli.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from observatory.cli import app

DOCS = Path(__file__).resolve().parents[1] / "docs"
COMMON = {"--db", "--json", "--help"}


def _commands(group: Any, prefix: str = "observatory") -> list[tuple[str, Any]]:
    out = []
    if hasattr(group, "commands"):  # Typer ships its own click: duck-type the group
        for name, command in group.commands.items():
            out += _commands(command, f"{prefix} {name}")
    else:
        out.append((prefix, group))
    return out


def test_every_command_and_option_is_documented() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### (observatory [^\n]+)\n(.*?)(?=^##|\Z)", text, re.M | re.S))
    missing = []
    for path, command in _commands(typer.main.get_command(app)):
        if path not in sections:
            missing.append(path)
            continue
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt not in COMMON and opt not in sections[path]:
                    missing.append(f"{path} {opt}")
    assert not missing, f"undocumented in docs/cli.md: {missing}"


def test_method_notes_exist_for_what_the_product_shows() -> None:
    notes = {p.stem for p in (DOCS / "methods").glob("*.md")}
    assert {"loading", "contracts-ocds"} <= notes
