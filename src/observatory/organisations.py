"""Members of the network, declared in a small TOML file (name, type, ONS code, org identifier)."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from observatory.store import Warehouse


@dataclass(frozen=True)
class Organisation:
    org_id: str
    name: str
    org_type: str = "council"
    ons_code: str | None = None
    identifier: str | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def read_config(path: Path | None = None) -> list[Organisation]:
    """Members from ``path``, ``OBSERVATORY_ORGANISATIONS`` or the file shipped with us."""
    env = os.environ.get("OBSERVATORY_ORGANISATIONS")
    if path is None and env:
        path = Path(env)
    if path is None:
        text = resources.files("observatory").joinpath("data/organisations.toml").read_text("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    entries = tomllib.loads(text).get("organisation", [])
    return [
        Organisation(
            org_id=e["org_id"],
            name=e["name"],
            org_type=e.get("org_type", "council"),
            ons_code=e.get("ons_code"),
            identifier=e.get("identifier"),
            aliases=tuple(e.get("aliases", [])),
        )
        for e in entries
    ]


def register(warehouse: Warehouse, organisations: list[Organisation]) -> None:
    for o in organisations:
        warehouse.execute(
            "INSERT OR REPLACE INTO organisations VALUES (?, ?, ?, ?, ?, ?)",
            [o.org_id, o.name, o.org_type, o.ons_code, o.identifier, list(o.aliases)],
        )


def known(warehouse: Warehouse) -> list[Organisation]:
    """Members in the warehouse; on first use the shipped config is registered."""
    rows = warehouse.fetch("SELECT * FROM organisations ORDER BY org_id")
    if not rows:
        register(warehouse, read_config())
        rows = warehouse.fetch("SELECT * FROM organisations ORDER BY org_id")
    return [
        Organisation(
            org_id=r["org_id"],
            name=r["name"],
            org_type=r["org_type"],
            ons_code=r["ons_code"],
            identifier=r["identifier"],
            aliases=tuple(r["aliases"] or ()),
        )
        for r in rows
    ]


def identify(name_in_file: str, organisations: list[Organisation]) -> Organisation | None:
    """The member a file names in its organisation column, if any matches."""
    wanted = _key(name_in_file)
    if not wanted:
        return None
    for o in organisations:
        names = (o.org_id, o.name, o.identifier or "", o.ons_code or "", *o.aliases)
        if any(wanted == _key(n) for n in names if n):
            return o
    return None


def resolve_org_option(value: str, organisations: list[Organisation]) -> Organisation:
    """``--org`` accepts the id, the name or an alias."""
    found = identify(value, organisations)
    if found is None:
        ids = ", ".join(o.org_id for o in organisations)
        raise ValueError(
            f"unknown organisation {value!r}; known: {ids}. "
            "Add it to the organisations file (OBSERVATORY_ORGANISATIONS)."
        )
    return found
