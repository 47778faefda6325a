"""Every priority-1 analysis gives the same answer on DuckDB and on Spark (local[2]) over real
data: a small warehouse of real spend, notices and a contracts register, resolved and classified
on DuckDB and handed to Spark as a Parquet layout (fixtures in tests/cross_engine.py). Results
are compared row for row, money as Decimal to the penny, both sides sorted by all columns."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cross_engine import (  # noqa: F401  (fixtures)
    plain,
    real_small_layout,
    real_small_warehouse,
    same_rows,
    spark_session_local,
)
from typer.testing import CliRunner

from observatory.insight import collaboration, contracts, red_flags, savings, suppliers_insight
from observatory.insight.scope import Scope, make_scope
from observatory.store import Warehouse
from observatory.store.parquet_layout import read_layout, write_layout

pytestmark = pytest.mark.spark


class Engines:
    """The same warehouse on both engines, with the scope each one works out for itself."""

    def __init__(self, duck: Warehouse, spark: Any) -> None:
        self.duck, self.spark = duck, spark

    def both(self, analysis: Callable[[Any, Scope], Any], **scope: Any) -> tuple[Any, Any]:
        a = analysis(self.duck, make_scope(self.duck, **scope))
        b = analysis(self.spark, make_scope(self.spark, **scope))
        return a, b


@pytest.fixture(scope="module")
def engines(
    real_small_warehouse: Path,  # noqa: F811
    real_small_layout: Path,  # noqa: F811
    spark_session_local: Any,  # noqa: F811
) -> Iterator[Engines]:
    from observatory.store.spark import SparkWarehouse

    duck = Warehouse.open(real_small_warehouse, read_only=True)
    spark = SparkWarehouse.open(real_small_layout)
    yield Engines(duck, spark)
    duck.close()
    spark.close()


def assert_same(duck: Any, spark: Any) -> None:
    """Equal as plain values; lists compared as sorted rows (ties may come in any order)."""
    if isinstance(duck, list):
        a, b = same_rows(duck, spark)
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert x == y
    else:
        assert plain(duck) == plain(spark)


# -- the seam -------------------------------------------------------------------------------------


def test_the_seam_on_spark_gives_duckdbs_python_values(spark_session_local: Any) -> None:  # noqa: F811
    import pyarrow as pa

    from observatory.store.spark import SparkWarehouse

    sql = (
        "SELECT CAST('12.30' AS DECIMAL(18,2)) AS amount, DATE '2021-04-01' AS day, 'x' AS text, "
        "[1, 2] AS ids, {'a': 1, 'b': 'two'} AS pair, 7 // 2 AS whole, 7 / 2 AS half, "
        "$orgs AS orgs, NULL::VARCHAR AS nothing"
    )
    params = {"orgs": ["salford"]}
    duck = Warehouse.memory()
    with SparkWarehouse(spark_session_local.newSession()) as spark:
        assert spark.fetch(sql, params) == duck.fetch(sql, params)
        assert spark.fetch(sql, params)[0]["amount"] == Decimal("12.30")
        spark.execute("CREATE TEMP MACRO plus_vat(x) AS x * 1.2")
        spark.execute("CREATE TEMP TABLE t (name VARCHAR, amount DECIMAL(18,2))")
        spark.execute("INSERT INTO t VALUES (?, ?)", ["a", Decimal("10.00")])
        spark.execute("INSERT INTO t VALUES (?, ?)", ["b", Decimal("2.50")])
        assert spark.fetch_value("SELECT sum(plus_vat(amount)) FROM t") == Decimal("15.000")
        spark.execute("CREATE OR REPLACE TEMP TABLE t AS SELECT * FROM t WHERE name = 'a'")
        assert spark.fetch_value("SELECT count(*) FROM t") == 1
        spark.register("frame", pa.table({"n": [1, 2, 3]}))
        spark.register("arrow", pa.table({"n": [4, 5]}))
        assert spark.fetch_value("SELECT sum(n) FROM frame") == 6
        assert spark.fetch_value("SELECT sum(n) FROM arrow") == 9
        tables = {
            r["table_name"] for r in spark.fetch("SELECT table_name FROM information_schema.tables")
        }
        assert {"t", "frame", "arrow"} <= tables
        spark.unregister("frame")
        assert "frame" not in {
            r["table_name"] for r in spark.fetch("SELECT table_name FROM information_schema.tables")
        }
        with spark.transaction():
            spark.execute("DROP TABLE IF EXISTS t")
        assert spark.fetch_value("SELECT 1 WHERE false") is None


def test_a_spark_warehouse_knows_when_its_layout_changes(
    real_small_layout: Path,  # noqa: F811
    spark_session_local: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Staged analysis tables are kept while the data version stands: on Spark it comes from the
    layout's files, so a rewritten file must change it and nothing else may."""
    from observatory.store.spark import SparkWarehouse

    layout = tmp_path / "layout"
    shutil.copytree(real_small_layout, layout)
    with SparkWarehouse.open(layout) as spark:
        before = spark.data_version()
        assert spark.data_version() == before
        spark.execute("CREATE OR REPLACE TEMP TABLE scratch AS SELECT 1 AS n")
        assert spark.data_version() == before  # a staged table is not the data
        part = next(layout.glob("spend_lines/**/*.parquet"))
        stat = part.stat()
        os.utime(part, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert spark.data_version() != before


# -- the analyses ---------------------------------------------------------------------------------


def test_scope_is_worked_out_the_same(engines: Engines) -> None:
    duck, spark = engines.both(lambda w, s: s)
    assert duck == spark
    assert duck.as_of == date(2024, 5, 31)  # Trafford's last payment date in the two months


def test_shared_overview(engines: Engines) -> None:
    duck, spark = engines.both(collaboration.shared_overview)
    assert_same(duck, spark)
    assert duck.shared_suppliers > 50
    assert {m.organisation for m in duck.members} == {
        "calderdale",
        "manchester",
        "salford",
        "trafford",
    }
    # The network's spend is every loaded line's amount (checked with plain SQL).
    total = engines.duck.fetch_value("SELECT sum(amount) FROM spend_lines")
    assert duck.total_amount == total == spark.total_amount


def test_shared_suppliers_and_categories(engines: Engines) -> None:
    for analysis in (collaboration.shared_suppliers, collaboration.shared_categories):
        duck, spark = engines.both(analysis)
        assert duck, analysis.__name__
        assert_same(duck, spark)


def test_opportunities(engines: Engines) -> None:
    duck, spark = engines.both(collaboration.opportunities)
    assert len(duck) > 10
    assert any(o.price_variation > 0 for o in duck)
    assert_same(duck, spark)
    # ranks follow savings, so both engines rank the same opportunities first
    assert [o.opportunity_id for o in duck[:10]] == [o.opportunity_id for o in spark[:10]]


def test_opportunity_detail(engines: Engines) -> None:
    top = collaboration.opportunities(engines.duck, make_scope(engines.duck), limit=1)[0]
    duck, spark = engines.both(
        lambda w, s: collaboration.opportunity_detail(w, s, top.opportunity_id)
    )
    assert duck.lines
    assert_same(duck, spark)


def test_contract_pipeline(engines: Engines) -> None:
    duck, spark = engines.both(
        lambda w, s: contracts.pipeline(w, s), organisations=None, as_of=date(2021, 5, 31)
    )
    assert duck.contracts
    assert_same(duck, spark)


def test_off_contract_by_supplier_and_category(engines: Engines) -> None:
    for by in ("supplier", "category"):
        duck, spark = engines.both(lambda w, s, by=by: contracts.off_contract(w, s, by, limit=None))
        assert duck.items, by
        assert_same(duck, spark)


def test_spend_vs_contract(engines: Engines) -> None:
    duck, spark = engines.both(contracts.spend_vs_contract)
    assert any(c.spent > 0 for c in duck)
    assert_same(duck, spark)


def test_supplier_concentration_and_dependency(engines: Engines) -> None:
    for analysis in (suppliers_insight.concentration, suppliers_insight.dependency):
        duck, spark = engines.both(analysis)
        assert duck, analysis.__name__
        assert_same(duck, spark)


def test_red_flags(engines: Engines) -> None:
    duck, spark = engines.both(red_flags.red_flags)
    assert sum(duck.counts.values()) > 0
    assert duck.counts == spark.counts
    assert_same(duck.flags, spark.flags)


def test_a_chosen_scope_two_members_one_year(engines: Engines) -> None:
    """Parameters (member list, financial year, as-of date) reach Spark as literals."""
    chosen = {"organisations": ["salford", "manchester"], "year": "2021-22"}
    duck, spark = engines.both(collaboration.shared_overview, **chosen)
    assert [m.organisation for m in duck.members] == ["manchester", "salford"]
    assert_same(duck, spark)
    duck, spark = engines.both(red_flags.red_flags, **chosen)
    assert_same(duck.flags, spark.flags)


# -- savings (the register is empty in the real data: two initiatives are recorded here) ---------


@pytest.fixture(scope="module")
def savings_engines(
    real_small_warehouse: Path,  # noqa: F811
    spark_session_local: Any,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Engines]:
    from observatory.store.spark import SparkWarehouse

    folder = tmp_path_factory.mktemp("savings")
    path = folder / "with-savings.duckdb"
    shutil.copy(real_small_warehouse, path)
    duck = Warehouse.open(path)
    savings.add_initiative(
        duck,
        savings.Initiative(
            title="Joint adult social care framework",
            members=["salford", "manchester", "trafford"],
            benefit_type="cashable saving",
            category_code="321000",
            amounts=[
                savings.YearAmount("2024-25", Decimal("100000.00")),
                savings.YearAmount("2024-25", Decimal("5000.50"), "salford", "forecast"),
            ],
        ),
    )
    savings.add_initiative(
        duck,
        savings.Initiative(
            title="Shared legal services",
            members=["calderdale"],
            benefit_type="cost avoidance",
            amounts=[savings.YearAmount("2023-24", Decimal("1234.56"))],
        ),
    )
    write_layout(duck, folder / "layout")
    spark = SparkWarehouse.open(folder / "layout")
    yield Engines(duck, spark)
    duck.close()
    spark.close()


def test_savings_report(savings_engines: Engines) -> None:
    duck, spark = savings_engines.both(lambda w, s: savings.report(w))
    assert_same(duck, spark)
    # £100,000 split three ways: a third each, to the penny as the SQL rounds it
    salford = [r for r in duck if r.organisation == "salford" and r.basis == "actual"]
    assert salford[0].amount == Decimal("33333.33")
    network = [r for r in duck if r.organisation == "network" and r.financial_year == "2024-25"]
    assert {r.basis: r.amount for r in network} == {
        "actual": Decimal("99999.99"),
        "forecast": Decimal("5000.50"),
    }


# -- the layout and the command line --------------------------------------------------------------


def test_a_layout_written_on_spark_comes_back_to_duckdb(
    engines: Engines,
    tmp_path: Path,
    real_small_layout: Path,  # noqa: F811
) -> None:
    from observatory.store.parquet_layout import read_manifest

    counts = write_layout(engines.spark, tmp_path / "from-spark")
    assert counts == {k: v["rows"] for k, v in read_manifest(real_small_layout)["tables"].items()}
    assert (
        tmp_path / "from-spark" / "spend_lines" / "organisation=trafford" / "month=2024-05"
    ).is_dir()
    back = Warehouse.memory()
    assert read_layout(back, tmp_path / "from-spark") == counts
    sums = (
        "SELECT organisation, count(*) AS n, sum(amount) AS amount FROM spend_lines "
        "GROUP BY organisation ORDER BY organisation"
    )
    assert back.fetch(sums) == engines.duck.fetch(sums)


def test_command_line_engine_spark_gives_the_same_json(
    real_small_warehouse: Path,  # noqa: F811
    real_small_layout: Path,  # noqa: F811
    spark_session_local: Any,  # noqa: F811
) -> None:
    from observatory.cli import app

    runner = CliRunner()
    args = ["suppliers", "concentration", "--top", "5", "--json"]
    duck = runner.invoke(app, [*args, "--db", str(real_small_warehouse)])
    assert duck.exit_code == 0, duck.output
    spark = runner.invoke(
        app,
        [*args, "--db", str(real_small_layout), "--engine", "spark", "--spark-master", "local[2]"],
    )
    assert spark.exit_code == 0, spark.output
    a, b = json.loads(duck.stdout), json.loads(spark.stdout)
    assert len(a["suppliers"]) == 20  # five for each of the four members
    assert a == b
