"""Our DuckDB SQL as Spark SQL: one text per analysis, translated with sqlglot
(``read="duckdb", write="spark"``) plus the fix-ups sqlglot does not make (docs/spark.md lists
them and why).

A ``SparkDialect`` keeps the temporary macros a connection has defined (``CREATE MACRO``), so
later statements can use them: Spark has no SQL macros, so each call is expanded in place. It
also writes parameters (``$name`` and ``?``) in as literals, because Spark SQL takes no bound
parameters of list, date or Decimal type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp

READ, WRITE = "duckdb", "spark"

# DuckDB's len() is a list's length in our SQL (strings use length()); sqlglot reads both as
# LENGTH, which on Spark is a string's length. Renamed before parsing so the two stay apart.
_LEN = re.compile(r"(?<![\w.$])len\s*\(", re.IGNORECASE)


class TranspileError(ValueError):
    """A statement uses a construct this translation does not carry to Spark."""


@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    body: exp.Expression


@dataclass(frozen=True)
class Statement:
    """One statement, translated. ``kind``: 'macro' (kept, nothing to run), 'query' (run and
    fetch ``sql``), 'create_as' (``table`` becomes the result of ``sql``), 'create' (an empty
    ``table`` with the ``columns`` Spark DDL), 'insert' (append the rows of ``sql`` to
    ``table``), 'drop' (forget ``table``), 'other' (run ``sql`` as it is)."""

    kind: str
    sql: str = ""
    table: str = ""
    columns: str = ""
    replace: bool = True
    if_not_exists: bool = False


@dataclass
class SparkDialect:
    """Translates statements for Spark, remembering this connection's macros."""

    macros: dict[str, Macro] = field(default_factory=dict)

    # -- entry points -------------------------------------------------------------------------
    def statement(
        self, sql: str, params: dict[str, Any] | list[Any] | tuple[Any, ...] | None = None
    ) -> Statement:
        tree = parse(sql)
        tree = bind(tree, params)
        if isinstance(tree, exp.Create) and str(tree.args.get("kind", "")).upper() == "MACRO":
            macro = _macro(tree)
            self.macros[macro.name] = macro
            return Statement("macro", table=macro.name)
        tree = self.expand(tree)
        tree = fix_for_spark(tree)
        if isinstance(tree, exp.Create) and str(tree.args.get("kind", "")).upper() in (
            "TABLE",
            "VIEW",
        ):
            target = tree.this
            if isinstance(target, exp.Schema):
                # Name and type only: constraints and defaults mean nothing to a temp view.
                columns = ", ".join(
                    f"{c.name} {c.args['kind'].sql(WRITE)}"
                    for c in target.expressions
                    if isinstance(c, exp.ColumnDef)
                )
                return Statement(
                    "create",
                    table=target.this.name,
                    columns=columns,
                    replace=bool(tree.args.get("replace")),
                    if_not_exists=bool(tree.args.get("exists")),
                )
            query = tree.expression
            return Statement(
                "create_as",
                sql=query.sql(WRITE),
                table=target.name,
                replace=bool(tree.args.get("replace")),
                if_not_exists=bool(tree.args.get("exists")),
            )
        if isinstance(tree, exp.Insert):
            target = tree.this
            name = target.this.name if isinstance(target, exp.Schema) else target.name
            columns = (
                ", ".join(c.name for c in target.expressions)
                if isinstance(target, exp.Schema)
                else ""
            )
            return Statement("insert", sql=tree.expression.sql(WRITE), table=name, columns=columns)
        if isinstance(tree, exp.Drop) and str(tree.args.get("kind", "")).upper() in (
            "TABLE",
            "VIEW",
        ):
            tables = tree.args.get("tables") or [tree.this]
            return Statement("drop", table=tables[0].name)
        if isinstance(tree, exp.Query):
            return Statement("query", sql=tree.sql(WRITE))
        return Statement("other", sql=tree.sql(WRITE))

    def to_spark(
        self, sql: str, params: dict[str, Any] | list[Any] | tuple[Any, ...] | None = None
    ) -> str:
        """One query's Spark SQL text (macros expanded, parameters written in)."""
        return self.statement(sql, params).sql

    # -- macros -------------------------------------------------------------------------------
    def expand(self, tree: exp.Expression, depth: int = 0) -> exp.Expression:
        """Replace calls to known macros by their bodies (macros may call macros)."""
        if depth > 20:
            raise TranspileError("macros call each other more than 20 deep")
        if not self.macros:
            return tree
        found = False

        def replace(node: exp.Expression) -> exp.Expression:
            nonlocal found
            if isinstance(node, exp.Anonymous) and node.name.lower() in self.macros:
                found = True
                return _apply(self.macros[node.name.lower()], node.expressions)
            return node

        tree = tree.transform(replace, copy=False)
        return self.expand(tree, depth + 1) if found else tree


# DuckDB's catalogue views; SparkWarehouse answers them from Spark's catalogue under these names.
CATALOGUE_VIEWS = {
    "information_schema.tables": "information_schema_tables",
    "information_schema.columns": "information_schema_columns",
}
_CATALOGUE = re.compile("|".join(re.escape(k) for k in CATALOGUE_VIEWS), re.IGNORECASE)


def parse(sql: str) -> exp.Expression:
    text = _LEN.sub("array_length(", sql)
    text = _CATALOGUE.sub(lambda m: CATALOGUE_VIEWS[m.group(0).lower()], text)
    trees = sqlglot.parse(text, read=READ)
    if len(trees) != 1 or trees[0] is None:
        raise TranspileError(f"expected one statement, got {len(trees)}: {sql[:80]!r}")
    return trees[0]


def _macro(tree: exp.Create) -> Macro:
    udf = tree.this
    name = udf.this.name if isinstance(udf.this, exp.Table) else udf.name
    params = tuple(p.name for p in udf.expressions)
    body = tree.expression
    if body is None:
        raise TranspileError(f"macro {name}: only scalar macros (AS expression) are supported")
    return Macro(name.lower(), params, body)


def _apply(macro: Macro, args: list[exp.Expression]) -> exp.Expression:
    if len(args) != len(macro.params):
        raise TranspileError(
            f"macro {macro.name} takes {len(macro.params)} argument(s), got {len(args)}"
        )
    values = dict(zip(macro.params, args, strict=True))

    def substitute(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name in values:
            return exp.paren(values[node.name].copy(), copy=False)
        return node

    return exp.paren(macro.body.copy().transform(substitute, copy=False), copy=False)


# -- parameters -----------------------------------------------------------------------------------


def literal(value: Any) -> exp.Expression:
    """A Python value as a SQL literal of the type DuckDB would bind it as."""
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        return exp.cast(exp.Literal.number(repr(value)), exp.DataType.build("DOUBLE"))
    if isinstance(value, Decimal):
        sign, digits, exponent = value.as_tuple()
        scale = max(0, -int(exponent))
        precision = max(len(digits), scale + 1, 1)
        return exp.cast(
            exp.Literal.string(str(value)), exp.DataType.build(f"DECIMAL({precision}, {scale})")
        )
    if isinstance(value, datetime):
        return exp.cast(
            exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.build("TIMESTAMP")
        )
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("DATE"))
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, list | tuple):
        if not value:
            # An empty list has no element type; ours are lists of member ids or words.
            return exp.cast(exp.Array(expressions=[]), exp.DataType.build("ARRAY<TEXT>"))
        return exp.Array(expressions=[literal(v) for v in value])
    raise TranspileError(f"no SQL literal for {type(value).__name__} {value!r}")


def bind(
    tree: exp.Expression, params: dict[str, Any] | list[Any] | tuple[Any, ...] | None
) -> exp.Expression:
    """Write ``$name`` (dict) or ``?`` (sequence) parameters into the tree as literals."""
    positional = list(params) if isinstance(params, list | tuple) else None
    named = params if isinstance(params, dict) else {}
    index = 0

    def replace(node: exp.Expression) -> exp.Expression:
        nonlocal index
        if isinstance(node, exp.Placeholder):
            name = node.name if node.name != "?" else ""
            if name:
                if name not in named:
                    raise TranspileError(f"parameter ${name} has no value")
                return literal(named[name])
            if positional is None or index >= len(positional):
                raise TranspileError("more ? placeholders than parameters")
            index += 1
            return literal(positional[index - 1])
        return node

    return tree.transform(replace, copy=False)


# -- fix-ups for Spark ----------------------------------------------------------------------------


def fix_for_spark(tree: exp.Expression) -> exp.Expression:
    """The rewrites sqlglot does not make (each one's why is in docs/spark.md). sqlglot's
    transform does not descend into a node it has just replaced, so it runs until nothing
    changes (rewritten nodes are stable: a second pass leaves them alone)."""
    before = None
    for _ in range(10):
        tree = tree.transform(_fix, copy=False)
        text = tree.sql(WRITE)
        if text == before:
            return tree
        before = text
    return tree


def _fix(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Filter) and isinstance(node.this, exp.ArrayAgg):
        return _ordered_list(node.this, node.expression)
    if isinstance(node, exp.ArrayAgg) and not isinstance(node.parent, exp.Filter):
        return _ordered_list(node, None)
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
        index = node.expressions[0]
        if isinstance(index, exp.Slice):
            return _slice(node.this, index)
    if isinstance(node, exp.DateDiff):
        return _date_diff(node)
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        if name == "to_months":
            return exp.Anonymous(
                this="make_ym_interval", expressions=[exp.Literal.number(0), node.expressions[0]]
            )
        if name == "to_days":
            return exp.Anonymous(this="make_dt_interval", expressions=[node.expressions[0]])
        if name == "list_sum":
            return _list_sum(node.expressions[0])
        if name == "regexp_full_match":
            return _full_match(node.expressions[0], node.expressions[1])
    if isinstance(node, exp.RegexpFullMatch):
        return _full_match(node.this, node.expression)
    if isinstance(node, exp.RegexpReplace):
        return _regexp_replace(node)
    if isinstance(node, exp.Count) and isinstance(node.this, exp.Distinct):
        items = node.this.expressions
        if len(items) == 1 and isinstance(items[0], exp.Tuple):
            # DuckDB counts distinct rows (a, b); Spark's count(DISTINCT a, b) would skip any
            # row with a NULL in it, so the tuple becomes one struct, as in DuckDB.
            packed = exp.Struct(expressions=list(items[0].expressions))
            return exp.Count(this=exp.Distinct(expressions=[packed]))
    if isinstance(node, exp.Array) and any(
        isinstance(e, exp.Comprehension) for e in node.expressions
    ):
        return _comprehension(node.expressions[0])
    if isinstance(node, exp.Div) and not node.args.get("typed"):
        # DuckDB's / is always floating-point division (DECIMAL / x gives DOUBLE); Spark keeps
        # DECIMAL / DECIMAL as DECIMAL, so money divided would round differently.
        return exp.Div(
            this=exp.cast(node.this, exp.DataType.build("DOUBLE")),
            expression=node.expression,
            typed=True,
        )
    return node


def _ordered_list(agg: exp.ArrayAgg, where: exp.Expression | None) -> exp.Expression:
    """DuckDB ``list(x [ORDER BY k …]) [FILTER (WHERE …)]``: Spark's collect_list has no ORDER
    BY, so the keys travel with the value in a struct, the array is sorted by a comparator that
    follows DuckDB's order (NULLS LAST unless said) and the values are taken back out."""
    inner = agg.this
    order: list[exp.Ordered] = []
    if isinstance(inner, exp.Order):
        order = list(inner.expressions)
        inner = inner.this
    distinct = isinstance(inner, exp.Distinct)
    value = inner.expressions[0] if distinct else inner

    def filtered(func: exp.Expression) -> exp.Expression:
        return exp.Filter(this=func, expression=where) if where is not None else func

    if distinct:
        collected = filtered(exp.Anonymous(this="collect_set", expressions=[value]))
        if order and all(o.this == value for o in order):
            return _sorted(collected, [(o, None) for o in order])
        if order:
            raise TranspileError("list(DISTINCT x ORDER BY y) with y other than x")
        return collected
    if not order:
        # Spark's collect_list drops NULLs, DuckDB's list keeps them: wrapped in a struct (never
        # NULL itself) they survive, and come back out below.
        packed = exp.Struct(expressions=[exp.alias_(value.copy(), "v", copy=False)])
        return exp.Anonymous(
            this="transform",
            expressions=[
                filtered(exp.Anonymous(this="collect_list", expressions=[packed])),
                _lambda(["e"], exp.column("v", table="e")),
            ],
        )
    fields = [exp.alias_(o.this.copy(), f"k{i}", copy=False) for i, o in enumerate(order)] + [
        exp.alias_(value.copy(), "v", copy=False)
    ]
    collected = filtered(
        exp.Anonymous(this="collect_list", expressions=[exp.Struct(expressions=fields)])
    )
    keys: list[tuple[exp.Ordered, str | None]] = [(o, f"k{i}") for i, o in enumerate(order)]
    ordered = _sorted(collected, keys)
    return exp.Anonymous(
        this="transform",
        expressions=[ordered, _lambda(["e"], exp.column("v", table="e"))],
    )


def _sorted(array: exp.Expression, keys: list[tuple[exp.Ordered, str | None]]) -> exp.Expression:
    """array_sort with a comparator over struct fields (or the elements themselves)."""
    result: exp.Expression = exp.Literal.number(0)
    for ordered, name in reversed(keys):
        left = exp.column(name, table="l") if name else exp.column("l")
        right = exp.column(name, table="r") if name else exp.column("r")
        desc = bool(ordered.args.get("desc"))
        nulls_first = bool(ordered.args.get("nulls_first"))
        less, more = ("1", "-1") if desc else ("-1", "1")
        null_l, null_r = ("-1", "1") if nulls_first else ("1", "-1")
        result = sqlglot.parse_one(
            f"CASE WHEN {left.sql()} IS NULL AND {right.sql()} IS NULL THEN __next "
            f"WHEN {left.sql()} IS NULL THEN {null_l} WHEN {right.sql()} IS NULL THEN {null_r} "
            f"WHEN {left.sql()} < {right.sql()} THEN {less} "
            f"WHEN {left.sql()} > {right.sql()} THEN {more} ELSE __next END",
            read=WRITE,
        ).transform(
            lambda n, r=result: r.copy() if isinstance(n, exp.Column) and n.name == "__next" else n
        )
    return exp.Anonymous(this="array_sort", expressions=[array, _lambda(["l", "r"], result)])


def _lambda(names: list[str], body: exp.Expression) -> exp.Lambda:
    return exp.Lambda(this=body, expressions=[exp.to_identifier(n) for n in names])


def _slice(array: exp.Expression, index: exp.Slice) -> exp.Expression:
    """DuckDB ``l[a:b]`` (1-based, both ends included) is Spark ``slice(l, a, b - a + 1)``."""
    start = index.this or exp.Literal.number(1)
    end = index.expression
    if end is None:
        length: exp.Expression = exp.Anonymous(this="size", expressions=[array.copy()])
    elif isinstance(start, exp.Literal) and isinstance(end, exp.Literal):
        length = exp.Literal.number(int(end.this) - int(start.this) + 1)
    else:
        length = exp.Add(this=exp.Sub(this=end, expression=start), expression=exp.Literal.number(1))
    return exp.Anonymous(this="slice", expressions=[array, start, length])


def _date_diff(node: exp.DateDiff) -> exp.Expression:
    """DuckDB ``date_diff(part, a, b)`` counts part boundaries crossed (Jan 31 to Feb 1 is one
    month); Spark's datediff(unit, …) counts whole units elapsed. Written out per part."""
    unit = (node.text("unit") or "DAY").upper()
    start, end = node.expression, node.this
    if unit in ("DAY", "DAYS", "D"):
        return exp.Anonymous(
            this="datediff",
            expressions=[
                exp.cast(end, exp.DataType.build("DATE")),
                exp.cast(start, exp.DataType.build("DATE")),
            ],
        )
    if unit in ("MONTH", "MONTHS", "MM", "MON"):
        return sqlglot.parse_one(
            f"((year({end.sql(WRITE)}) - year({start.sql(WRITE)})) * 12"
            f" + month({end.sql(WRITE)}) - month({start.sql(WRITE)}))",
            read=WRITE,
        )
    if unit in ("YEAR", "YEARS", "Y", "YY"):
        return sqlglot.parse_one(f"(year({end.sql(WRITE)}) - year({start.sql(WRITE)}))", read=WRITE)
    raise TranspileError(f"date_diff('{unit.lower()}', …) is not translated for Spark")


def _list_sum(array: exp.Expression) -> exp.Expression:
    """DuckDB ``list_sum(l)`` (NULL for an empty list) as Spark's aggregate()."""
    total = sqlglot.parse_one("aggregate(__l, 0, (acc, x) -> acc + x)", read=WRITE)
    total = total.transform(
        lambda n: array.copy() if isinstance(n, exp.Column) and n.name == "__l" else n
    )
    return exp.If(
        this=exp.EQ(
            this=exp.Anonymous(this="size", expressions=[array.copy()]),
            expression=exp.Literal.number(0),
        ),
        true=exp.null(),
        false=total,
    )


def _comprehension(node: exp.Comprehension) -> exp.Expression:
    """DuckDB ``[expr FOR x IN l IF cond]`` as ``transform(filter(l, x -> cond), x -> expr)``."""
    var = node.expression.name
    source = node.args["iterator"]
    condition = node.args.get("condition")
    if condition is not None:
        source = exp.Anonymous(this="filter", expressions=[source, _lambda([var], condition)])
    return exp.Anonymous(this="transform", expressions=[source, _lambda([var], node.this)])


def _full_match(text: exp.Expression, pattern: exp.Expression) -> exp.Expression:
    """DuckDB ``regexp_full_match`` anchors the pattern at both ends; Spark's RLIKE finds."""
    if isinstance(pattern, exp.Literal) and pattern.is_string:
        anchored: exp.Expression = exp.Literal.string(f"^(?:{pattern.this})$")
    else:
        anchored = exp.DPipe(
            this=exp.DPipe(this=exp.Literal.string("^(?:"), expression=pattern),
            expression=exp.Literal.string(")$"),
        )
    return exp.RegexpLike(this=text, expression=anchored)


def _regexp_replace(node: exp.RegexpReplace) -> exp.Expression:
    """Without 'g' DuckDB replaces the first match only; Spark replaces every match. Patterns
    anchored at the start or end match once anyway; others would differ, so they are refused."""
    modifiers = node.args.get("modifiers")
    flags = modifiers.this if isinstance(modifiers, exp.Literal) else ""
    if "g" in flags:
        node.set("single_replace", None)
        flags = flags.replace("g", "")
    pattern = node.expression
    if "i" in flags and isinstance(pattern, exp.Literal):
        node.set("expression", exp.Literal.string("(?i)" + pattern.this))
    node.set("modifiers", None)
    if node.args.get("single_replace"):
        text = pattern.this if isinstance(pattern, exp.Literal) else ""
        if not (text.startswith("^") or (text.endswith("$") and not text.endswith("\\$"))):
            raise TranspileError(
                f"regexp_replace without 'g' on an unanchored pattern {text!r}: DuckDB replaces "
                "the first match only, Spark every match; anchor it or add 'g'"
            )
        node.set("single_replace", None)
    return node
