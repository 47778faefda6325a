"""Supplier resolution's splink scoring on Apache Spark: the same settings, the same trained
parameters, the same pairs as ``linkage.score`` on DuckDB.

What runs where (docs/spark.md, "Resolution and classification on Spark"):

- training's sampled steps (u probabilities from seeded random pairs, EM on pairs sharing their
  first words) run once on the driver with splink's DuckDB backend, exactly as ``linkage.score``
  runs them: they read a bounded sample, and a Spark sample would draw other pairs;
- every blocked pair is then compared and scored by splink's ``SparkAPI``, and the name levels'
  m and u and the prior are fitted from the pair counts Spark found (``linkage._fit_name_levels``
  on a Spark cursor), then each pair is rescored with ``linkage._rescore_sql`` turned into Spark
  SQL. Given a trained model, only the Spark part runs.

The comparison levels are written in DuckDB SQL (``linkage.COMPARISONS``); ``to_spark_sql``
translates them with sqlglot plus the few fixes Spark needs, so there is still one model text.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

from observatory.resolve import linkage

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# The Spark SQL name of ``jaro_winkler_similarity`` below (a vectorised Python UDF).
JARO_WINKLER_UDF = "duckdb_jaro_winkler"

# DuckDB function names that sqlglot passes through unchanged but Spark spells differently.
# ``len`` of a list is ``size`` (sqlglot would write LENGTH, a string function on Spark); our
# settings use ``length`` for strings and ``len`` only for lists.
_RENAMES = {
    r"\blen\(": "size(",
    r"\blist_intersect\(": "array_intersect(",
    r"\blist_distinct\(": "array_distinct(",
    # (Spark's concat is read back as a string concat by splink's own transpiling.)
    r"\blist_concat\(": "array_union(",
}


def _spark_node(node: exp.Expression) -> exp.Expression | None:
    """The Spark form of one DuckDB node whose children are already Spark (None: as it is)."""
    if isinstance(node, exp.JarowinklerSimilarity):
        # splink's Scala jaro_winkler scores 'community security' / 'community resourcing'
        # 0.919 where DuckDB scores 0.925 (either side of a 0.92 level): use DuckDB's own.
        return exp.Anonymous(this=JARO_WINKLER_UDF, expressions=[node.this, node.expression])
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
        # DuckDB's list[i] is 1-based and NULL past the end; Spark's ANSI mode raises:
        # try_element_at (1-based). sqlglot stores a literal index 0-based, an expression as is.
        index = node.expressions[0]
        if isinstance(index, exp.Literal) and index.is_int:
            index = exp.Literal.number(int(index.this) + 1)
        return exp.Anonymous(this="try_element_at", expressions=[node.this, index])
    if isinstance(node, exp.Anonymous) and node.name.lower() == "printf":
        # Spark reads 13.69… as a DECIMAL, which Java's %f refuses: format it as a double.
        fmt, *values = node.expressions
        doubles = [exp.cast(v, exp.DataType.build("double")) for v in values]
        return exp.Anonymous(this="format_string", expressions=[fmt, *doubles])
    return None


def to_spark_sql(sql: str) -> str:
    """A DuckDB expression or query of the resolution model, as Spark SQL."""
    for pattern, replacement in _RENAMES.items():
        sql = re.sub(pattern, replacement, sql, flags=re.IGNORECASE)
    tree = sqlglot.parse_one(sql, read="duckdb")
    # Deepest nodes first, so that a rewritten node is built from rewritten children.
    for node in reversed(list(tree.walk(bfs=True))):
        new = _spark_node(node)
        if new is None:
            continue
        if node is tree:
            tree = new
        else:
            node.replace(new)
    return tree.sql(dialect="spark")


def spark_settings(model: dict[str, Any], link_type: str = "dedupe_only") -> dict[str, Any]:
    """The model's settings with every comparison level in Spark SQL."""
    settings = copy.deepcopy(model)
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level["sql_condition"].strip().upper() != "ELSE":
                level["sql_condition"] = to_spark_sql(level["sql_condition"])
    settings["sql_dialect"] = "spark"
    settings["link_type"] = link_type
    settings["blocking_rules_to_generate_predictions"] = linkage.BLOCKING_RULES
    # gamma (the level each pair reached) is only kept with the matching columns.
    settings["retain_matching_columns"] = True
    settings["retain_intermediate_calculation_columns"] = True
    return settings


def jaro_winkler_similarity(a: str | None, b: str | None) -> float | None:
    """DuckDB's ``jaro_winkler_similarity``, bit for bit: its bundled rapidfuzz algorithm on the
    UTF-8 bytes (window ``max(len) / 2 - 1``, the lowest free match in the window, transpositions
    halved by integer division, prefix of up to 4 weighing 0.1 above 0.7), with the Winkler step
    as the fused multiply-add DuckDB's build computes (``fma(prefix * 0.1, 1 - sim, sim)``,
    rounded once: exact with fractions here)."""
    if a is None or b is None:
        return None
    p, t = a.encode(), b.encode()
    lp, lt = len(p), len(t)
    if not lp or not lt:
        sim = 0.0
    elif lp == 1 and lt == 1:
        sim = float(p == t)
    else:
        bound = max(lp, lt) // 2 - 1
        taken = [False] * lp
        t_hits: list[int] = []
        for j, c in enumerate(t):
            for i in range(max(0, j - bound), min(lp - 1, j + bound) + 1):
                if not taken[i] and p[i] == c:
                    taken[i] = True
                    t_hits.append(j)
                    break
        common = len(t_hits)
        if not common:
            sim = 0.0
        else:
            p_hits = [i for i in range(lp) if taken[i]]
            swaps = sum(1 for j, i in zip(t_hits, p_hits, strict=True) if t[j] != p[i]) // 2
            sim = 0.0
            sim += common / lp
            sim += common / lt
            sim += (common - swaps) / common
            sim = sim / 3.0
    prefix = 0
    for k in range(min(lp, lt, 4)):
        if p[k] != t[k]:
            break
        prefix += 1
    if sim > 0.7:
        sim = float(Fraction(prefix * 0.1) * Fraction(1.0 - sim) + Fraction(sim))
    return sim


def register_similarity(spark: SparkSession) -> None:
    """Make DuckDB's Jaro-Winkler callable from this session's SQL."""
    from pyspark.sql.functions import udf

    spark.udf.register(JARO_WINKLER_UDF, udf(jaro_winkler_similarity, "double", useArrow=False))


class _SparkCursor:
    """Just enough of a DuckDB connection (``execute(sql).fetchall()``) for
    ``linkage._fit_name_levels`` to count pairs on Spark."""

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark
        self._rows: list[tuple[Any, ...]] = []

    def execute(self, sql: str) -> _SparkCursor:
        self._rows = [tuple(r) for r in self.spark.sql(to_spark_sql(sql)).collect()]
        return self

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._rows


def train_on_driver(
    nodes: pa.Table, threads: int | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Training's sampled steps, on DuckDB exactly as ``linkage.score`` does them; m floored."""
    notes: list[str] = []
    con = linkage._load(nodes, threads)
    linker = linkage._linker(con, linkage.base_settings())
    n = nodes.num_rows
    if n >= 2:
        linkage.train_sampled(linker, con, max(n * (n - 1) / 2, 1.0), notes)
    model = linker.misc.save_model_to_json()
    con.close()
    linkage._floor_m(model)
    return model, notes


def score_on_spark(
    nodes: pa.Table,
    spark: SparkSession,
    model: dict[str, Any] | None = None,
    threads: int | None = None,
    keep_below: float = linkage.EVIDENCE_THRESHOLD,
) -> linkage.Scored:
    """``linkage.score`` with splink's Spark backend: the same pairs, weights and evidence."""
    from splink import Linker, SparkAPI

    logging.getLogger("splink").setLevel(logging.ERROR)
    register_similarity(spark)
    trained = model is None
    notes: list[str] = []
    if model is None:
        model, notes = train_on_driver(nodes, threads)
    frame = spark.createDataFrame(nodes)
    frame.createOrReplaceTempView("supplier_nodes")
    db_api = SparkAPI(
        spark_session=spark, break_lineage_method="persist", register_udfs_automatically=False
    )
    linker = Linker(
        db_api.register("supplier_nodes", table_name="supplier_nodes_input"),
        spark_settings(model),
        log_level=None,
    )
    predictions = linker.inference.predict(warning_mode="never")
    table = predictions.physical_name
    model_now = copy.deepcopy(model)
    if trained:
        n = nodes.num_rows
        total_pairs = max(n * (n - 1) / 2, 1.0)
        # ``_fit_name_levels`` only runs SQL through ``execute().fetchall()``.
        cursor: Any = _SparkCursor(spark)
        linkage._fit_name_levels(cursor, table, model_now, total_pairs, notes)
    pairs = spark.sql(to_spark_sql(linkage._rescore_sql(model_now, table, keep_below))).toArrow()
    predictions.drop_table_from_database_and_remove_from_cache()
    spark.catalog.dropTempView("supplier_nodes")
    return linkage.Scored(model_now, pairs, notes)


Scorer = Callable[..., linkage.Scored]


def scorer(spark: SparkSession) -> Scorer:
    """A drop-in for ``linkage.score`` (what ``suppliers.resolve(scorer=…)`` takes)."""

    def score(
        nodes: pa.Table,
        model: dict[str, Any] | None = None,
        threads: int | None = None,
        keep_below: float = linkage.EVIDENCE_THRESHOLD,
    ) -> linkage.Scored:
        return score_on_spark(nodes, spark, model, threads=threads, keep_below=keep_below)

    return score
