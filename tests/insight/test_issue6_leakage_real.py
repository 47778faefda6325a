"""Leakage on real data is empty for a reason the command states: the postcode lookup shipped for
tests covers Greater Manchester only, so no supplier of a Greater Manchester member can be placed
outside its region. Checked on the first 3,000 Trafford payments with Salford's contracts register
(postcodes) and the test lookups; the expected counts come from the raw files."""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

import pytest
import typer
from independent import DATA, need
from outcomes_helpers import PROJECT_DATA, member_warehouse, trafford_sample
from typer.testing import CliRunner

from observatory import organisations as orgs
from observatory.insight import wealth
from observatory.insight.outcomes_commands import register_priority2
from observatory.resolve.registers import import_postcodes
from observatory.sources.contracts import load_contracts
from observatory.sources.spend import load_spend
from observatory.store import Warehouse

ROWS = 3000
LOOKUPS = ("gm_postcodes.csv", "trafford_postcodes.csv")


def _load(w: Warehouse, out: Path) -> list[dict[str, str]]:
    path, rows = trafford_sample(out, ROWS)
    load_spend(w, [str(path)], "trafford")
    load_contracts(w, [str(need(DATA / "salford" / "2022-07.csv"))], "salford")
    import_postcodes(w, [need(DATA / "geography" / name) for name in LOOKUPS])
    return rows


def test_leakage_is_empty_because_nothing_can_be_placed_outside_the_region(tmp_path: Path) -> None:
    w = member_warehouse()
    rows = _load(w, tmp_path)
    gm = set(
        tomllib.loads((PROJECT_DATA / "community_wealth_boundaries.toml").read_text())["region"][
            "greater-manchester"
        ]["districts"]
    )
    districts = set()
    for name, column in zip(LOOKUPS, ("area_code", "la_code"), strict=True):
        with (DATA / "geography" / name).open(encoding="utf-8-sig") as handle:
            districts |= {r[column] for r in csv.DictReader(handle)}
    assert districts <= gm  # the test lookups know no district outside Greater Manchester

    wealth.build(w)
    assert wealth.leakage(w) == []
    [trafford] = wealth.leakage_coverage(w, "trafford")
    assert trafford.categories == len({r["ProclassCode"] for r in rows} - {"", "NA"})
    assert trafford.with_spend_outside_region == 0 and trafford.qualifying == 0
    assert (trafford.lookup_districts_in_region, trafford.lookup_districts_outside_region) == (
        len(districts),
        0,
    )
    assert "no district outside its region" in trafford.reason


def test_the_command_says_how_many_categories_were_tested_and_why_none_qualified(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.duckdb"
    with Warehouse.open(db) as w:
        orgs.register(w, orgs.read_config())
        _load(w, tmp_path)
    app = typer.Typer()
    register_priority2(app)
    runner = CliRunner()
    text = runner.invoke(app, ["wealth", "leakage", "--org", "trafford", "--db", str(db)])
    assert text.exit_code == 0, text.output
    assert "Categories tested" in text.output and "What would fill it" in text.output
    answer = runner.invoke(app, ["wealth", "leakage", "--db", str(db), "--json"])
    assert answer.exit_code == 0, answer.output
    payload = json.loads(answer.stdout)
    assert payload["leakage"] == []
    network = payload["coverage"][-1]
    assert network["organisation"] == "network" and network["qualifying"] == 0
    assert "ONS postcode directory" in network["what_would_fill_it"]
    assert network["categories"] == sum(c["categories"] for c in payload["coverage"][:-1])
    assert pytest.approx(network["spend"]) == sum(c["spend"] for c in payload["coverage"][:-1])
