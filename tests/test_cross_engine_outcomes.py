"""Supplier resolution, classification and the priority-2 analyses on Spark give what they give
on DuckDB, over the small real warehouse of ``cross_engine`` (two months each of four members,
the OCDS packages and Salford's register): the same scored pairs and suppliers, the same
category, confidence and reason per line, and every figure row for row (money compared exactly
as Decimals)."""

# ruff: noqa: F811  (pytest fixtures imported from cross_engine are named as arguments)
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from cross_engine import (  # noqa: F401
    real_small_layout,
    real_small_warehouse,
    same_rows,
    spark_session_local,
)

from observatory.store import Warehouse

pytestmark = pytest.mark.spark


def _copy(source: Path, folder: Path, name: str) -> Path:
    target = folder / name
    shutil.copy(source, target)
    return target


def _nodes(path: Path) -> Any:
    """The name nodes splink compares, built as ``resolve`` builds them."""
    from observatory.resolve.suppliers import prepare
    from observatory.store.warehouse import sql_text

    with Warehouse.open(path) as w:
        prepare(w)
        w.execute_script(sql_text("supplier_collect"))
        w.execute_script(sql_text("supplier_nodes"))
        return w.con.sql("SELECT * FROM resolve_splink_nodes").to_arrow_table()


def _pairs(table: Any) -> list[tuple[Any, ...]]:
    columns = ["node_l", "node_r", "match_weight", "match_probability", "detail"]
    return sorted(zip(*[table[c].to_pylist() for c in columns], strict=True))


# -- resolution ------------------------------------------------------------------------------------
def test_jaro_winkler_is_duckdbs_bit_for_bit(real_small_warehouse: Path) -> None:
    """The Python Jaro-Winkler Spark calls equals DuckDB's own function on every pair of words
    (and of whole names sharing a first letter) in the real names: the 0.9 and 0.92 levels
    must cut at the same place."""
    from observatory.resolve.spark_linkage import jaro_winkler_similarity

    con = duckdb.connect()
    with Warehouse.open(real_small_warehouse, read_only=True) as w:
        names = [r["n"] for r in w.fetch("SELECT DISTINCT name_core AS n FROM supplier_records")]
    names = sorted(n for n in names if n)[:1500]
    words = sorted({t for n in names for t in n.split()})[:400]
    pairs = [(a, b) for a in words for b in words if a < b]
    pairs += [(a, b) for a in names for b in names if a < b and a[:2] == b[:2]]
    con.execute("CREATE TABLE p (a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO p VALUES (?, ?)", pairs)
    got = con.execute("SELECT a, b, jaro_winkler_similarity(a, b) FROM p").fetchall()
    assert len(got) > 50_000
    wrong = [(a, b, j) for a, b, j in got if jaro_winkler_similarity(a, b) != j]
    assert wrong == []


def test_scored_pairs_are_the_same_on_spark(
    real_small_warehouse: Path, spark_session_local: Any, tmp_path: Path
) -> None:
    """With the warehouse's trained model, splink on Spark scores exactly the pairs splink on
    DuckDB scores, with the same weights, probabilities and evidence."""
    from observatory.resolve import linkage
    from observatory.resolve.spark_linkage import score_on_spark
    from observatory.resolve.suppliers import stored_model

    path = _copy(real_small_warehouse, tmp_path, "nodes.duckdb")
    nodes = _nodes(path)
    with Warehouse.open(path, read_only=True) as w:
        model = stored_model(w)
    assert model is not None
    duck = _pairs(linkage.score(nodes, model, threads=2).pairs)
    spark = _pairs(score_on_spark(nodes, spark_session_local, model).pairs)
    assert len(duck) > 300
    assert spark == duck


def test_training_on_spark_fits_the_same_model(
    real_small_warehouse: Path, spark_session_local: Any, tmp_path: Path
) -> None:
    """Training with the Spark scorer (sampled steps on the driver, name levels fitted from
    Spark's pair counts) gives DuckDB's model and pairs. DuckDB's multi-threaded EM may differ
    in the last bit between two runs, so parameters are compared to 1e-12."""
    from observatory.resolve import linkage
    from observatory.resolve.spark_linkage import score_on_spark

    nodes = _nodes(_copy(real_small_warehouse, tmp_path, "train.duckdb"))
    duck = linkage.score(nodes, threads=2)
    spark = score_on_spark(nodes, spark_session_local, threads=2)

    def parameters(model: dict[str, Any]) -> list[float]:
        out = [model["probability_two_random_records_match"]]
        for c in model["comparisons"]:
            for lv in c["comparison_levels"]:
                if not lv.get("is_null_level"):
                    out += [lv["m_probability"], lv["u_probability"]]
        return out

    assert parameters(spark.model) == pytest.approx(parameters(duck.model), rel=1e-12)
    a, b = _pairs(duck.pairs), _pairs(spark.pairs)
    assert [p[:2] for p in b] == [p[:2] for p in a]
    assert [float(p[2]) for p in b] == pytest.approx([float(p[2]) for p in a], abs=1e-9)


def test_resolve_on_spark_makes_the_same_suppliers(
    real_small_warehouse: Path, spark_session_local: Any, tmp_path: Path
) -> None:
    """``resolve --keep-model`` on both engines: every record gets the same supplier id, and
    the same links are used and refused."""
    from observatory.resolve.spark_linkage import scorer
    from observatory.resolve.suppliers import resolve

    duck_path = _copy(real_small_warehouse, tmp_path, "duck.duckdb")
    spark_path = _copy(real_small_warehouse, tmp_path, "spark.duckdb")
    with Warehouse.open(duck_path) as w:
        resolve(w, retrain=False, threads=2)
    with Warehouse.open(spark_path) as w:
        resolve(w, retrain=False, threads=2, scorer=scorer(spark_session_local))
    queries = {
        "records": "SELECT record_key, supplier_id, joined_by, joined_to FROM supplier_records",
        "suppliers": "SELECT supplier_id, canonical_name FROM suppliers",
        "links": "SELECT * FROM supplier_links",
    }
    for name, sql in queries.items():
        with Warehouse.open(duck_path, read_only=True) as a:
            duck = a.fetch(sql + " ORDER BY ALL")
        with Warehouse.open(spark_path, read_only=True) as b:
            spark = b.fetch(sql + " ORDER BY ALL")
        assert duck, name
        assert spark == duck, name
    with Warehouse.open(duck_path, read_only=True) as w:
        shared = w.fetch_value(
            "SELECT count(*) FROM (SELECT supplier_id FROM supplier_records "
            "GROUP BY 1 HAVING count(DISTINCT organisation) >= 2)"
        )
    assert shared > 0


# -- classification --------------------------------------------------------------------------------
def test_classification_scored_on_spark_is_the_same(
    real_small_warehouse: Path, spark_session_local: Any, tmp_path: Path
) -> None:
    """The model fitted once and broadcast gives every line and contract the same code,
    confidence and reason as scoring on the driver."""
    from observatory.classify.classification import classify
    from observatory.classify.spark_scoring import predictor

    duck_path = _copy(real_small_warehouse, tmp_path, "duck.duckdb")
    spark_path = _copy(real_small_warehouse, tmp_path, "spark.duckdb")
    with Warehouse.open(duck_path) as w:
        classify(w)
    with Warehouse.open(spark_path) as w:
        classify(w, predict=predictor(spark_session_local, partitions=4))
    for table in ("line_categories", "contract_categories"):
        sql = f"SELECT * EXCLUDE (run_id) FROM {table} ORDER BY ALL"
        with Warehouse.open(duck_path, read_only=True) as a:
            duck = a.fetch(sql)
        with Warehouse.open(spark_path, read_only=True) as b:
            spark = b.fetch(sql)
        assert len(spark) == len(duck) > 0
        assert spark == duck, table
    assert any(r["source"] == "model" for r in duck)


# -- priority-2 analyses ---------------------------------------------------------------------------
def _both(layout: Path, warehouse: Path, run: Any) -> tuple[list[Any], list[Any]]:
    from observatory.store.spark import SparkWarehouse

    with Warehouse.open(warehouse, read_only=True) as w:
        duck = run(w)
    with SparkWarehouse.open(layout) as s:
        spark = run(s)
    return same_rows(duck, spark)


def _wealth(w: Any) -> list[Any]:
    from observatory.insight import wealth

    out: list[Any] = [("shares", wealth.location_shares(w, None))]
    out += [("unknown", r) for r in wealth.unknown_reasons(w, None)]
    out += [("unlocated", r) for r in wealth.top_unlocated(w, None, 10)]
    wealth.build(w)
    out += [("flags", r) for r in wealth.flag_shares(w, None)]
    out += [("leakage", r) for r in wealth.leakage(w, None, 10)]
    out += [("coverage", wealth.leakage_coverage(w, None))]
    out += [("lm3", r) for r in wealth.lm3(w, wealth.Lm3Assumptions(0.4, 0.2, 0.5, False))]
    return out


def _carbon(w: Any) -> list[Any]:
    from observatory.insight import carbon

    out: list[Any] = [("total", carbon.total(w, None))]
    for by in ("member", "category", "supplier"):
        out += [(by, r) for r in carbon.figures(w, by, None, None, 10)]
    return out


def _slavery(w: Any) -> list[Any]:
    from observatory.insight import slavery

    out: list[Any] = []
    for by in ("category", "supplier", "member"):
        out += [(by, r) for r in slavery.figures(w, by, None, 20)]
    out += [("high", r) for r in slavery.high_risk_spend(w, None, 3, 20)]
    return out


@pytest.mark.parametrize("analysis", [_wealth, _carbon, _slavery], ids=lambda f: f.__name__)
def test_priority2_analysis_is_the_same_on_spark(
    analysis: Any, real_small_warehouse: Path, real_small_layout: Path, spark_session_local: Any
) -> None:
    duck, spark = _both(real_small_layout, real_small_warehouse, analysis)
    assert len(duck) > 3
    assert spark == duck


def test_social_value_and_payments_are_the_same_on_spark(
    real_small_warehouse: Path, spark_session_local: Any, tmp_path: Path
) -> None:
    """Social value on the example framework with commitments and a delivery return, and the
    UK17 payment figures on the demonstration network's accounts-payable extracts (no real
    file has both an invoice and a payment date)."""
    from decimal import Decimal

    from observatory import organisations as orgs
    from observatory.demo import write_demo_network
    from observatory.insight import prompt_payment
    from observatory.insight import social_value as sv
    from observatory.sources.payments import load_payments
    from observatory.store.parquet_layout import write_layout

    path = _copy(real_small_warehouse, tmp_path, "outcomes.duckdb")
    demo = write_demo_network(tmp_path / "demo")
    with Warehouse.open(path) as w:
        sv.install_framework(w, sv.read_framework())
        sv.add_commitment(w, "salford", "S1417", "J1", Decimal(2), "Underwater Diving Services")
        sv.add_commitment(w, "salford", "S1417", "S1", Decimal(200))
        returns = tmp_path / "returns.csv"
        returns.write_text(
            "Contract Ref,Measure ID,Period End,Quantity,Evidence\n"
            "S1417,J1,30/09/2025,1,payroll extract\nS1417,S1,2025-09-30,80,\n"
            "S1417,S1,2026-03-31,90,\n",
            encoding="utf-8",
        )
        sv.import_returns(w, returns, "salford")
        orgs.register(w, orgs.read_config(demo.organisations_file))
        for f in demo.of_kind("payments"):
            load_payments(w, [str(f.path)], f.organisation)
        write_layout(w, tmp_path / "layout")

    def run(w: Any) -> list[Any]:
        out: list[Any] = [("payments", r) for r in prompt_payment.payment_figures(w, None)]
        for by in ("contract", "member", "theme", "measure", "period"):
            out += [(by, r) for r in sv.report(w, by, None)]
        return out

    duck, spark = _both(tmp_path / "layout", path, run)
    assert any(r[0] == "payments" for r in duck)
    assert any(r[0] == "contract" for r in duck)
    assert spark == duck
