"""The DuckDB → Spark SQL translation: each fix-up on top of sqlglot, and the macros and
parameters. Pure text checks (no Spark here); tests/test_cross_engine.py runs the results."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from observatory.store.transpile import SparkDialect, TranspileError
from observatory.store.warehouse import split_statements, sql_text


def spark(sql: str, params: dict | list | None = None, dialect: SparkDialect | None = None) -> str:
    return (dialect or SparkDialect()).to_spark(sql, params)


def flat(sql: str) -> str:
    return " ".join(sql.split()).upper()


def test_macros_are_collected_and_expanded_even_when_they_call_macros() -> None:
    d = SparkDialect()
    assert d.statement("CREATE OR REPLACE TEMP MACRO twice(x) AS x * 2").kind == "macro"
    d.statement("CREATE TEMP MACRO quad(x) AS twice(twice(x))")
    out = flat(spark("SELECT quad(a + 1) AS q FROM t", dialect=d))
    assert "TWICE" not in out and "QUAD" not in out
    assert out == "SELECT ((((((A + 1)) * 2)) * 2)) AS Q FROM T"


def test_every_insight_macro_file_expands_to_builtin_functions_only() -> None:
    d = SparkDialect()
    for name in ("insight_macros", "macros"):
        for statement in split_statements(sql_text(name)):
            d.statement(statement)
    assert {"insight_name_key", "insight_supplier_key", "parse_amount", "blank_token"} <= set(
        d.macros
    )
    out = flat(spark("SELECT insight_supplier_key(id, name) AS k FROM t", dialect=d))
    assert "INSIGHT_" not in out
    # the comparable name's regular expressions keep their backslashes for Spark's literals
    assert "'\\\\S*[&+]\\\\S*'" in out


def test_named_and_positional_parameters_become_literals() -> None:
    out = flat(
        spark(
            "SELECT * FROM t WHERE d BETWEEN $start AND $end AND list_contains($orgs, o) "
            "AND v >= $min AND r = $rate AND n IS NOT DISTINCT FROM $none",
            {
                "start": date(2021, 4, 1),
                "end": date(2022, 3, 31),
                "orgs": ["salford", "trafford"],
                "min": Decimal("100000"),
                "rate": 0.8,
                "none": None,
            },
        )
    )
    assert "CAST('2021-04-01' AS DATE)" in out
    assert "ARRAY_CONTAINS(ARRAY('SALFORD', 'TRAFFORD'), O)" in out
    assert "CAST('100000' AS DECIMAL(6, 0))" in out
    assert "CAST(0.8 AS DOUBLE)" in out
    assert "$" not in out and ":" not in out
    positional = flat(spark("INSERT INTO x VALUES (?, ?, ?)", ["a", 2, True]))
    assert positional == "VALUES ('A', 2, TRUE)"


def test_an_empty_list_parameter_has_a_type() -> None:
    out = flat(spark("SELECT len($orgs) = 0 AS everyone", {"orgs": []}))
    assert out == "SELECT SIZE(CAST(ARRAY() AS ARRAY<STRING>)) = 0 AS EVERYONE"


def test_len_of_a_list_is_size_but_length_of_a_string_stays_length() -> None:
    out = flat(spark("SELECT len(members) AS n, length(name) AS c FROM t"))
    assert "SIZE(MEMBERS)" in out and "LENGTH(NAME)" in out


def test_ordered_list_aggregate_keeps_its_order_and_filter() -> None:
    out = flat(
        spark("SELECT list(o ORDER BY amount DESC, o) FILTER (WHERE amount > 0) AS l FROM t")
    )
    assert out.startswith("SELECT TRANSFORM(ARRAY_SORT(COLLECT_LIST(STRUCT(AMOUNT AS K0, O AS K1")
    assert "FILTER(WHERE AMOUNT > 0)" in out
    assert "WHEN L.K0 < R.K0 THEN 1" in out  # descending on the first key
    assert "WHEN L.K1 < R.K1 THEN -1" in out  # ascending on the second
    assert out.endswith("E -> E.V) AS L FROM T")


def test_a_plain_list_keeps_its_nulls() -> None:
    out = flat(spark("SELECT list(x) AS l FROM t"))
    assert out == "SELECT TRANSFORM(COLLECT_LIST(STRUCT(X AS V)), E -> E.V) AS L FROM T"


def test_distinct_ordered_list_is_a_sorted_set() -> None:
    out = flat(spark("SELECT list(DISTINCT x ORDER BY x) AS l FROM t"))
    assert out.startswith("SELECT ARRAY_SORT(COLLECT_SET(X), (L, R) ->")


def test_list_slice_is_one_based_and_inclusive() -> None:
    out = flat(spark("SELECT list(x ORDER BY y)[1:5] AS top FROM t"))
    assert out.startswith("SELECT SLICE(TRANSFORM(") and out.endswith(", 1, 5) AS TOP FROM T")


def test_month_and_day_differences_count_boundaries_as_duckdb_does() -> None:
    out = flat(spark("SELECT date_diff('month', a, b) AS m, date_diff('day', a, b) AS d FROM t"))
    assert "((YEAR(B) - YEAR(A)) * 12 + MONTH(B) - MONTH(A)) AS M" in out
    assert "DATEDIFF(CAST(B AS DATE), CAST(A AS DATE)) AS D" in out


def test_to_months_is_a_year_month_interval() -> None:
    out = flat(spark("SELECT d + to_months(6) AS later FROM t"))
    assert out == "SELECT D + MAKE_YM_INTERVAL(0, 6) AS LATER FROM T"


def test_regexp_full_match_is_anchored() -> None:
    out = spark("SELECT regexp_full_match(x, '(19|20)[0-9][0-9]') AS y FROM t")
    assert "x RLIKE '^(?:(19|20)[0-9][0-9])$'" in out


def test_regexp_matches_finds_anywhere() -> None:
    assert "x RLIKE 'REDACT'" in spark("SELECT regexp_matches(x, 'REDACT') AS r FROM t")


def test_regexp_replace_global_and_first_match() -> None:
    assert flat(spark("SELECT regexp_replace(x, '[^A-Z]', '', 'g') AS y FROM t")) == (
        "SELECT REGEXP_REPLACE(X, '[^A-Z]', '') AS Y FROM T"
    )
    # anchored: one match either way, so it carries over
    assert "'^THE '" in spark("SELECT regexp_replace(x, '^THE ', '') AS y FROM t")
    with pytest.raises(TranspileError, match="first match only"):
        spark("SELECT regexp_replace(x, 'A', 'B') AS y FROM t")


def test_count_distinct_of_a_tuple_counts_rows_with_nulls() -> None:
    out = flat(spark("SELECT count(DISTINCT (coalesce(t, ''), d)) AS n FROM x"))
    assert "COUNT(DISTINCT STRUCT(COALESCE(T, ''), D))" in out


def test_division_is_floating_point_as_in_duckdb() -> None:
    out = flat(spark("SELECT sum(amount) * 12.0 / months AS annual, a // b AS whole FROM t"))
    assert "CAST(SUM(AMOUNT) * 12.0 AS DOUBLE) / MONTHS" in out
    assert "A DIV B" in out


def test_list_comprehension_and_list_sum() -> None:
    out = flat(
        spark(
            "SELECT list_sum([CASE WHEN contains(t, w) THEN 1 ELSE 0 END FOR w IN $w]) AS s",
            {"w": ["a"]},
        )
    )
    assert "TRANSFORM(ARRAY('A'), W -> CASE WHEN CONTAINS(T, W) THEN 1 ELSE 0 END)" in out
    assert "AGGREGATE(" in out


def test_ordered_mode_string_agg_and_strftime_carry_over() -> None:
    out = flat(
        spark(
            "SELECT mode() WITHIN GROUP (ORDER BY n) AS m, "
            "string_agg(DISTINCT s, '; ' ORDER BY s) AS a, strftime(d, '%Y-%m-%d') AS f FROM t"
        )
    )
    assert "MODE() WITHIN GROUP (ORDER BY N NULLS LAST)" in out
    assert "LISTAGG(DISTINCT S, '; ') WITHIN GROUP (ORDER BY S NULLS LAST)" in out
    assert "DATE_FORMAT(D, 'YYYY-MM-DD')" in out


def test_statements_are_classified_for_the_spark_warehouse() -> None:
    d = SparkDialect()
    created = d.statement("CREATE OR REPLACE TEMP TABLE x AS SELECT 1 AS a")
    assert (created.kind, created.table, created.sql) == ("create_as", "x", "SELECT 1 AS a")
    empty = d.statement("CREATE TEMP TABLE y (a VARCHAR NOT NULL, b DECIMAL(18,2), c VARCHAR[])")
    assert (empty.kind, empty.columns) == ("create", "a STRING, b DECIMAL(18, 2), c ARRAY<STRING>")
    assert d.statement("SELECT table_name FROM information_schema.tables").sql == (
        "SELECT table_name FROM information_schema_tables"
    )
    assert d.statement("DROP TABLE IF EXISTS x").kind == "drop"


def test_every_priority_one_sql_file_translates() -> None:
    """Every statement of the priority-1 analyses' SQL goes through (what runs is checked on
    Spark in tests/test_cross_engine.py)."""
    d = SparkDialect()
    for statement in split_statements(sql_text("insight_macros")):
        d.statement(statement)
    params = {
        "orgs": [],
        "start": date(1900, 1, 1),
        "end": date(2999, 12, 31),
        "as_of": date(2022, 3, 31),
    }
    names = [
        "insight_scope", "insight_shared", "insight_shared_summary", "insight_network_counts",
        "insight_shared_suppliers", "insight_shared_categories", "insight_opportunities",
        "insight_opportunity_prices", "insight_opportunity_lines", "insight_opportunity_contracts",
        "insight_pipeline", "insight_member_annual_spend", "insight_off_contract",
        "insight_off_contract_items", "insight_spend_vs_contract", "insight_concentration",
        "insight_dependency", "insight_flag_duplicate_invoice", "insight_flag_duplicate_amount",
        "insight_flag_split_orders", "insight_flag_no_notice", "insight_savings_report",
        "insight_practice_search",
    ]  # fmt: skip
    values = params | {
        "min_members": 2, "horizon_months": 18, "window_months": 6, "min_off_contract": 1,
        "min_combined": 1, "min_payments": 2, "kind": "category", "unit_key": "x",
        "decision_lead_months": 6, "vat_rate": Decimal("0.2"), "by": "supplier", "top": 10,
        "min_annual": Decimal("100000"), "min_amount": Decimal("500"), "min_invoice_length": 3,
        "window_days": 30, "band": 0.1, "kinds": ["notice"], "member": None, "year": None,
        "words": ["care"], "category": None, "priority": None, "outcome": None,
    }  # fmt: skip
    for name in names:
        for statement in split_statements(sql_text(name)):
            used = {k: v for k, v in values.items() if f"${k}" in statement}
            out = d.statement(statement, used)
            assert out.kind in ("create_as", "query"), name
            assert not re.search(r"[$:][a-z_]+\b", out.sql.replace("$'", "'")), name
