"""The command line for suppliers, through a throwaway Typer app that calls ``register`` (as
cli.py will), on a copy of the resolved real slice (conftest.py)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import typer
from independent import DATA, need
from typer.testing import CliRunner

from observatory.resolve.commands import register
from observatory.store import Warehouse

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def other() -> None:
        """Stands for the rest of the CLI."""

    register(app)
    return app


def run(*args: str) -> object:
    result = runner.invoke(_app(), list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in args else result.stdout


def _register_names() -> list[str]:
    text = (DATA / "salford" / "2022-07.csv").read_bytes().decode("utf-8-sig", errors="replace")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeffï»¿"), newline="")))
    return sorted({r["Supplier Company Name"].strip() for r in rows if r["Supplier Company Name"]})


def test_resolve_list_show_and_summary(slice_copy: Path) -> None:
    db = str(slice_copy)
    done = run("resolve", "--keep-model", "--db", db, "--json")
    assert done["new_ids"] == 0 and done["kept_ids"] == done["entities"]
    shared = run("suppliers", "list", "--shared", "--limit", "0", "--db", db, "--json")
    assert shared["suppliers"] and all(len(s["organisations"]) >= 2 for s in shared["suppliers"])
    with Warehouse.open(slice_copy, read_only=True) as w:
        expected = w.fetch_value("SELECT count(*) FROM suppliers WHERE len(organisations) >= 2")
    assert len(shared["suppliers"]) == expected
    sid = shared["suppliers"][0]["supplier_id"]
    shown = run("suppliers", "show", sid, "--db", db, "--json")
    assert shown["supplier"]["supplier_id"] == sid
    assert {a["organisation"] for a in shown["aliases"]} >= set(shown["supplier"]["organisations"])
    text = run("suppliers", "show", sid.lower(), "--db", db)
    assert "why" in text and sid in text
    summary = run("suppliers", "summary", "--db", db, "--json")
    assert summary["entities"] == done["entities"]


def test_unknown_supplier_is_an_error_that_teaches(slice_copy: Path) -> None:
    result = runner.invoke(_app(), ["suppliers", "show", "SUP9999999", "--db", str(slice_copy)])
    assert result.exit_code == 2
    assert "suppliers list --search" in result.output


def test_split_and_merge_from_the_command_line(slice_copy: Path) -> None:
    db = str(slice_copy)
    with Warehouse.open(slice_copy, read_only=True) as w:
        row = w.fetch(
            "SELECT supplier_id, min(supplier_name) AS name FROM supplier_records "
            "GROUP BY supplier_id HAVING count(DISTINCT lower(supplier_name)) >= 2 "
            "ORDER BY supplier_id LIMIT 1"
        )[0]
    done = run("suppliers", "split", row["supplier_id"], "--alias", row["name"], "--db", db,
               "--json")  # fmt: skip
    assert done["records_moved"] >= 1
    run("suppliers", "merge", row["supplier_id"], done["other_id"], "--note", "undo", "--db", db)
    again = run("resolve", "--keep-model", "--db", db, "--json")
    assert again["new_ids"] == 0
    with Warehouse.open(slice_copy, read_only=True) as w:
        ids = w.fetch(
            "SELECT DISTINCT supplier_id FROM supplier_records WHERE supplier_name = ?",
            [row["name"]],
        )
    assert [r["supplier_id"] for r in ids] == [row["supplier_id"]]


def test_match_a_users_list(slice_copy: Path, tmp_path: Path) -> None:
    names = _register_names()
    # A user's own list: register names re-typed (capitals, 'Limited' for 'Ltd'), and one
    # name no member pays.
    retyped = {n: n.upper().replace(" LTD", " LIMITED") for n in names[:40]}
    source = tmp_path / "mine.csv"
    with source.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Ref", "Supplier"])
        for i, n in enumerate(retyped.values()):
            w.writerow([i, n])
        w.writerow([999, "Zzyzx Quantum Hovercraft Repairs"])
    out = tmp_path / "matched.csv"
    report = run(
        "suppliers", "match", str(source), "--column", "supplier", "--out", str(out),
        "--db", str(slice_copy), "--json",
    )  # fmt: skip
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0].keys() >= {"Ref", "Supplier", "supplier_id", "canonical_name",
                              "match_probability", "match_reason"}  # fmt: skip
    assert report["rows"] == len(retyped) + 1
    with Warehouse.open(slice_copy, read_only=True) as w:
        for original, typed in retyped.items():
            want = {
                r["supplier_id"]
                for r in w.fetch(
                    "SELECT supplier_id FROM supplier_records WHERE organisation = 'salford' "
                    "AND supplier_name = ?",
                    [original],
                )
            }
            got = next(r for r in rows if r["Supplier"] == typed)
            assert got["supplier_id"] in want, (original, got)
            assert float(got["match_probability"]) >= 0.8
    assert rows[-1]["supplier_id"] == ""


def test_match_finds_a_body_under_its_official_abbreviation(
    slice_copy: Path, tmp_path: Path
) -> None:
    # Calderdale publishes 'APSE' and 'Chartered Trading Standards Institute'; a user's list
    # has the other form of each.
    published = (need(DATA / "calderdale" / "2021-06.csv").read_bytes()
                 + need(DATA / "calderdale" / "2021-08.csv").read_bytes())  # fmt: skip
    assert b"Chartered Trading Standards Institute" in published and b"APSE" in published
    source = tmp_path / "mine.csv"
    source.write_text("Supplier\nAssociation for Public Service Excellence\nCTSI\n", "utf-8")
    out = tmp_path / "matched.csv"
    run("suppliers", "match", str(source), "--column", "Supplier", "--out", str(out),
        "--db", str(slice_copy))  # fmt: skip
    rows = {r["Supplier"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    with Warehouse.open(slice_copy, read_only=True) as w:
        for typed, name in (("Association for Public Service Excellence", "APSE"),
                            ("CTSI", "Chartered Trading Standards Institute")):  # fmt: skip
            want = w.fetch_value(
                "SELECT any_value(supplier_id) FROM supplier_records "
                "WHERE organisation = 'calderdale' AND supplier_name = ?",
                [name],
            )
            assert want and rows[typed]["supplier_id"] == want, (typed, rows[typed])
            assert rows[typed]["match_reason"].startswith("official abbreviation")


def test_evaluate_and_import_commands(slice_copy: Path) -> None:
    gold = need(DATA / "labels" / "supplier_company_numbers.csv")
    result = run("evaluate", "suppliers", "--gold", str(gold), "--db", str(slice_copy), "--json")
    (evaluation,) = result["evaluations"]
    assert evaluation["model"] == "the network's trained model"
    assert 0 < evaluation["raw"]["precision"] <= 1 and evaluation["disagreements"]
    here = Path(__file__).parent / "data"
    companies = str(here / "BasicCompanyData-fixture.csv")
    imported = run("suppliers", "import-companies-house", companies, "--db", str(slice_copy),
                   "--json")  # fmt: skip
    assert imported["rows"] == 6
    extract = str(here / "publicextract.charity.fixture.txt")
    charities = run("suppliers", "import-charities", extract, "--db", str(slice_copy),
                    "--json")  # fmt: skip
    assert charities["rows"] == 4
    trafford = need(DATA / "geography" / "trafford_postcodes.csv")
    postcodes = run("reference", "import-postcodes", str(trafford), "--db", str(slice_copy),
                    "--json")  # fmt: skip
    with trafford.open(encoding="utf-8") as f:
        assert postcodes["rows"] == len({r["postcode"] for r in csv.DictReader(f)})


def test_evaluate_as_resolved_scores_the_warehouses_own_suppliers(resolved_slice: Path) -> None:
    """--as-resolved reads the warehouse's resolution, identifiers and all: Calderdale gives
    Beacon Construction and its '(UK) Ltd' successor two numbers, so the network keeps them
    apart, where names alone join them."""
    gold = need(DATA / "labels" / "supplier_company_numbers.csv")
    with gold.open(encoding="utf-8-sig", newline="") as f:
        numbers = {
            r["supplier_name_as_published"]: r["company_number_normalised"]
            for r in csv.DictReader(f)
            if r["supplier_name_as_published"].startswith("Beacon Construction")
        }
    assert len(set(numbers.values())) == 2, numbers  # two companies, as published
    result = run("evaluate", "suppliers", "--gold", str(gold), "--as-resolved", "--show", "-1",
                 "--db", str(resolved_slice), "--json")  # fmt: skip
    (evaluation,) = result["evaluations"]
    assert evaluation["model"].startswith("the warehouse's own resolution")
    with Warehouse.open(resolved_slice, read_only=True) as w:
        ids = {
            name: w.fetch_value(
                "SELECT any_value(supplier_id) FROM supplier_records "
                "WHERE organisation = 'calderdale' AND supplier_name = ?",
                [name],
            )
            for name in numbers
        }
    assert None not in ids.values() and len(set(ids.values())) == 2, ids
    listed = {(d["name_a"], d["name_b"]) for d in evaluation["disagreements"]}
    assert tuple(sorted(numbers)) not in listed
