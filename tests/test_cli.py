"""The command line as users' scripts call it: the installed `observatory` program, real files."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from independent import DATA, need, read
from openpyxl import load_workbook

RECEIPT_KEYS = {
    "file",
    "organisation",
    "rows_read",
    "rows_loaded",
    "rows_rejected",
    "rows_duplicate",
    "amount_read",
    "amount_loaded",
    "amount_rejected",
    "amount_duplicate",
}
EXPORT_KEYS = [
    "source_file",
    "source_row",
    "organisation",
    "payment_date",
    "amount",
    "supplier_name",
    "supplier_id",
    "category_scheme",
    "category_code",
    "category_confidence",
]
OBSERVATORY = str(Path(sys.executable).with_name("observatory"))


def run(
    *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [OBSERVATORY, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}: {result.stderr}")
    return result


def test_receipt_for_one_file_and_for_many(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    one = need(DATA / "newcastle" / "2022-04.csv")
    receipt = json.loads(
        run("load", "spend", str(one), "--org", "newcastle", "--db", db, "--json").stdout
    )
    assert set(receipt) >= RECEIPT_KEYS
    expected = read(one)
    assert receipt["file"] == str(one) and receipt["organisation"] == "newcastle"
    assert receipt["rows_read"] == receipt["rows_loaded"] == expected.rows
    assert receipt["amount_loaded"] == f"{expected.amount:.2f}"
    files = [need(DATA / "salford" / f"2021-0{m}.csv") for m in (4, 5)]
    many = json.loads(run("load", "spend", *map(str, files), "--db", db, "--json").stdout)
    assert [f["file"] for f in many["files"]] == [str(f) for f in files]
    assert many["totals"]["rows_read"] == sum(read(f).rows for f in files)
    assert Decimal(many["totals"]["amount_read"]) == sum(read(f).amount for f in files)
    again = json.loads(
        run(
            "load", "spend", str(one), "--org", "Newcastle City Council", "--db", db, "--json"
        ).stdout
    )
    assert again["rows_duplicate"] == again["rows_read"] and again["rows_loaded"] == 0


def test_status_rejects_and_default_db(tmp_path: Path) -> None:
    env = {"OBSERVATORY_DB": str(tmp_path / "env.duckdb")}
    lambeth = need(DATA / "lambeth" / "2012-06-payments.csv")
    run("load", "spend", str(lambeth), "--org", "lambeth", env=env)
    status = json.loads(run("status", "--json", env=env).stdout)["organisations"]
    assert [s["organisation"] for s in status] == ["lambeth"]
    assert status[0]["rejects"] == 1
    rejects = json.loads(run("rejects", "--org", "lambeth", "--json", env=env).stdout)["rejects"]
    total_line = next(
        i
        for i, line in enumerate(lambeth.read_text("utf-8").splitlines(), 1)
        if line.startswith("Total")
    )
    assert rejects == [
        {
            "organisation": "lambeth",
            "kind": "spend",
            "file": str(lambeth),
            "sheet": "",
            "line": total_line,
            "reason": "total row",
            "raw_text": lambeth.read_text("utf-8").splitlines()[total_line - 1],
        }
    ]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_export_columns_and_source_rows(tmp_path: Path, fmt: str) -> None:
    db = str(tmp_path / "w.duckdb")
    source = need(DATA / "manchester" / "2021-04.csv")
    run("load", "spend", str(source), "--db", db)
    out = tmp_path / f"spend.{fmt}"
    run("export", "spend", "--format", fmt, "--out", str(out), "--db", db)
    if fmt == "csv":
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
    elif fmt == "parquet":
        relation = duckdb.sql(f"SELECT * FROM '{out}'")
        rows = [dict(zip(relation.columns, r, strict=True)) for r in relation.fetchall()]
    else:
        sheet = load_workbook(out, read_only=True).active
        values = list(sheet.values)
        rows = [dict(zip(values[0], r, strict=True)) for r in values[1:]]
    assert list(rows[0])[: len(EXPORT_KEYS)] == EXPORT_KEYS
    published = list(csv.reader(source.read_text("utf-8").splitlines()))
    assert len(rows) == len(published) - 1
    first = next(r for r in rows if str(r["source_row"]) == "1")
    # Row 1 is the first data row after the header: Manchester's columns, read by hand.
    assert first["supplier_name"] == published[1][6]
    assert Decimal(str(first["amount"])) == Decimal(published[1][5])
    assert str(first["payment_date"])[:10] == published[1][3]


def test_inspect_reports_layout_and_writes_plain_csv(tmp_path: Path) -> None:
    lambeth = need(DATA / "lambeth" / "2012-06-payments.csv")
    report = json.loads(
        run("inspect", str(lambeth), "--json", "--out", str(tmp_path / "t.csv")).stdout
    )
    sheet = report["sheets"][0]
    assert sheet["header_position"] == "first" and sheet["header_line"] == 10
    # title, report date, "Parameters:", date from, date to, threshold (blank lines excluded)
    assert sheet["preamble_lines"] == 6
    fields = {c["header"]: c["field"] for c in sheet["columns"]}
    assert fields["Supplier Name"] == "supplier_name"
    assert fields["Invoice Nett Amount"] == "net_amount"
    written = list(csv.reader((tmp_path / "t.csv").open(encoding="utf-8")))
    assert written[0] == [
        "Body",
        "Department",
        "Supplier Name",
        "Invoice Creation Date",
        "Invoice Nett Amount",
        "Subj Description",
    ]
    assert written[1][2] == "170 Community Project"
    last = json.loads(
        run("inspect", str(need(DATA / "hyndburn" / "April-25-CSV.csv")), "--json").stdout
    )
    assert last["sheets"][0]["header_position"] == "last"
    cp = json.loads(run("inspect", str(need(DATA / "hyndburn" / "1705.csv")), "--json").stdout)
    assert cp["encoding"] == "cp1252" and cp["line_ending"] == "\\r"


def test_unknown_layout_exits_with_the_map_to_pass(tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("When,Who,How much\n01/04/2024,Acme Ltd,100.00\n", encoding="utf-8")
    result = run(
        "load",
        "spend",
        str(odd),
        "--org",
        "trafford",
        "--db",
        str(tmp_path / "w.duckdb"),
        check=False,
    )
    assert result.returncode == 1
    assert "--map payment_date=When" in result.stderr.replace("\n", " ")


def test_a_second_writer_gets_a_clear_message(tmp_path: Path) -> None:
    db = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db)!r}); "
            "print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        result = run(
            "load",
            "spend",
            str(need(DATA / "salford" / "2021-04.csv")),
            "--db",
            str(db),
            check=False,
        )
        assert result.returncode == 3
        assert "in use by another process" in result.stderr.replace("\n", " ")
    finally:
        holder.kill()


def test_a_load_killed_half_way_leaves_nothing(tmp_path: Path) -> None:
    db = tmp_path / "killed.duckdb"
    trafford = sorted(need(DATA / "trafford").glob("*.zip"))
    load = subprocess.Popen(
        [OBSERVATORY, "load", "spend", *map(str, trafford), "--org", "trafford", "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with contextlib.suppress(subprocess.TimeoutExpired):
        load.wait(timeout=4)
    assert load.returncode is None, "the load finished before it could be killed"
    load.kill()
    load.wait()
    with duckdb.connect(str(db)) as con:
        tables = {
            t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        if "spend_lines" in tables:
            assert con.execute("SELECT count(*) FROM spend_lines").fetchall() == [(0,)]
            assert con.execute("SELECT count(*) FROM load_receipts").fetchall() == [(0,)]


def test_a_load_committed_every_few_files_stopped_half_way_resumes(tmp_path: Path) -> None:
    """`--commit-every` (national loads: bounded memory) keeps what it committed when a load
    stops (here at a broken zip, the fifth input); the re-run loads the rest, and the end state
    is the one-transaction load's, row for row."""
    files = [str(need(DATA / "salford" / f"{y}-{m:02d}.csv")) for y, m in SALFORD_YEAR]
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    stopped, whole = str(tmp_path / "stopped.duckdb"), str(tmp_path / "whole.duckdb")
    inputs = [*files[:4], str(broken), *files[4:]]
    result = run("load", "spend", *inputs, "--commit-every", "2", "--db", stopped, check=False)
    assert result.returncode == 2 and "broken.zip" in result.stderr
    with duckdb.connect(stopped) as con:
        kept = con.execute("SELECT file, rows_loaded, load_id FROM load_receipts").fetchall()
        assert sorted(f for f, _, _ in kept) == sorted(files[:4])  # two whole batches
        for _, loaded, load_id in kept:
            lines = con.execute("SELECT count(*) FROM spend_lines WHERE load_id = ?", [load_id])
            assert lines.fetchall()[0][0] == loaded > 0
    resumed = json.loads(
        run("load", "spend", *files, "--commit-every", "2", "--db", stopped, "--json").stdout
    )
    assert resumed["totals"]["files"] == len(files)
    assert resumed["totals"]["rows_read"] == sum(read(Path(f)).rows for f in files)
    run("load", "spend", *files, "--db", whole)
    sql = "SELECT * EXCLUDE (load_id) FROM spend_lines ORDER BY line_key"
    with duckdb.connect(stopped) as a, duckdb.connect(whole) as b:
        assert a.execute(sql).fetchall() == b.execute(sql).fetchall()


SALFORD_YEAR = [(2021, m) for m in range(4, 13)] + [(2022, m) for m in range(1, 4)]
