"""The Parquet layout: a DuckDB warehouse written out and read back is the same warehouse
(counts and £ sums checked with plain SQL on both sides), spend lines are partitioned by member
and month, and the web app's private tables stay behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from independent import DATA, need

from observatory.sources.contracts import load_contracts
from observatory.sources.spend import load_spend
from observatory.store import Warehouse
from observatory.store.parquet_layout import LayoutError, read_layout, write_layout


@pytest.fixture(scope="module")
def small() -> Warehouse:
    """Two real months (Manchester and Salford) and Salford's contracts register."""
    w = Warehouse.memory()
    load_spend(w, [str(need(DATA / "manchester" / "2021-04.csv"))], "manchester")
    load_spend(w, [str(need(DATA / "salford" / "2021-05.csv"))], "salford")
    load_contracts(w, [str(need(DATA / "salford" / "2022-07.csv"))], "salford")
    w.execute(
        "INSERT INTO web_users (email, organisation, role, password_hash) "
        "VALUES ('a@example.org', 'salford', 'member_analyst', 'secret-hash')"
    )
    return w


CHECKS = {
    "spend_lines": "SELECT organisation, strftime(payment_date, '%Y-%m') AS month, count(*) AS n, "
    "sum(amount) AS amount, sum(net_amount) AS net, count(DISTINCT line_key) AS keys, "
    "count(supplier_name) AS named FROM spend_lines GROUP BY ALL ORDER BY ALL",
    "contracts": "SELECT count(*) AS n, sum(value_amount) AS value, min(start_date) AS first, "
    "max(end_date) AS last, count(DISTINCT contract_key) AS keys FROM contracts",
    "contract_suppliers": "SELECT count(*) AS n, count(company_number) AS numbered "
    "FROM contract_suppliers",
    "organisations": "SELECT org_id, name, aliases FROM organisations ORDER BY org_id",
    "load_receipts": "SELECT count(*) AS n, sum(amount_loaded) AS loaded, max(loaded_at) AS at "
    "FROM load_receipts",
}


def test_duckdb_layout_duckdb_gives_the_same_tables(small: Warehouse, tmp_path: Path) -> None:
    counts = write_layout(small, tmp_path / "layout")
    assert counts["spend_lines"] == small.fetch_value("SELECT count(*) FROM spend_lines") > 0
    back = Warehouse.memory()
    assert read_layout(back, tmp_path / "layout") == counts
    for name, sql in CHECKS.items():
        assert back.fetch(sql) == small.fetch(sql), name
    # a second load replaces the rows, it does not add to them
    read_layout(back, tmp_path / "layout")
    assert back.fetch(CHECKS["spend_lines"]) == small.fetch(CHECKS["spend_lines"])


def test_spend_lines_are_partitioned_by_member_and_month(small: Warehouse, tmp_path: Path) -> None:
    write_layout(small, tmp_path / "layout")
    parts = sorted(
        str(p.relative_to(tmp_path / "layout" / "spend_lines"))
        for p in (tmp_path / "layout" / "spend_lines").glob("*/*")
    )
    months = small.fetch(
        "SELECT DISTINCT 'organisation=' || organisation || '/month=' "
        "|| strftime(payment_date, '%Y-%m') AS part FROM spend_lines ORDER BY part"
    )
    assert parts == [m["part"] for m in months]
    assert "organisation=salford/month=2021-05" in parts
    manifest = json.loads((tmp_path / "layout" / "manifest.json").read_text())
    spend = manifest["tables"]["spend_lines"]
    assert spend["partitioned_by"] == ["organisation", "month"]
    assert {"name": "amount", "type": "DECIMAL(18,2)"} in spend["columns"]


def test_the_web_apps_accounts_stay_behind(small: Warehouse, tmp_path: Path) -> None:
    counts = write_layout(small, tmp_path / "layout")
    assert not [t for t in counts if t.startswith("web_")]
    assert not (tmp_path / "layout" / "web_users").exists()
    assert b"secret-hash" not in b"".join(
        p.read_bytes() for p in (tmp_path / "layout").rglob("*.parquet")
    )


def test_a_folder_that_is_not_a_layout_is_refused(small: Warehouse, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(LayoutError, match="not a layout"):
        write_layout(small, tmp_path)
    with pytest.raises(LayoutError, match="no manifest.json"):
        read_layout(Warehouse.memory(), tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_loading_after_a_layout_takes_new_ids(small: Warehouse, tmp_path: Path) -> None:
    write_layout(small, tmp_path / "layout")
    fresh = Warehouse.memory()
    read_layout(fresh, tmp_path / "layout")
    before = {r["load_id"] for r in fresh.fetch("SELECT load_id FROM load_receipts")}
    receipts = load_spend(fresh, [str(need(DATA / "salford" / "2021-06.csv"))], "salford")
    after = {r["load_id"] for r in fresh.fetch("SELECT load_id FROM load_receipts")}
    assert receipts[0].rows_loaded > 0
    assert len(after) == len(before) + 1 and before < after


def test_export_and_load_warehouse_commands_round_trip(tmp_path: Path) -> None:
    """`observatory export warehouse` then `observatory load warehouse` on a real month: the
    lines and pounds come back as the independent reader counts them; a folder without a
    manifest is refused with the reason."""
    from independent import read
    from typer.testing import CliRunner

    from observatory.cli import app

    source = need(DATA / "manchester" / "2021-04.csv")
    first, second, layout = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "layout"
    with Warehouse.open(first) as w:
        load_spend(w, [str(source)], "manchester")
    runner = CliRunner()
    done = runner.invoke(
        app, ["export", "warehouse", "--out", str(layout), "--db", str(first), "--json"]
    )
    assert done.exit_code == 0, done.output
    expected = read(source)
    assert json.loads(done.stdout)["tables"]["spend_lines"] == expected.rows
    done = runner.invoke(app, ["load", "warehouse", str(layout), "--db", str(second), "--json"])
    assert done.exit_code == 0, done.output
    with Warehouse.open(second, read_only=True) as w:
        assert w.fetch_value("SELECT count(*) FROM spend_lines") == expected.rows
        assert w.fetch_value("SELECT sum(amount) FROM spend_lines") == expected.amount
    refused = runner.invoke(app, ["load", "warehouse", str(tmp_path), "--db", str(second)])
    assert refused.exit_code != 0 and "manifest.json" in refused.output
