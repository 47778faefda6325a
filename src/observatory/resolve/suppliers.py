"""Supplier entity resolution: every supplier name in spend lines, contracts and notices becomes
part of one supplier entity, with a stable id, its aliases, identifiers and the evidence.

The steps (docs/methods/supplier-resolution.md):

1. collect records (``supplier_collect.sql``): distinct published name + identifiers per source
   and member; redacted payees are left out;
2. clean names and build name nodes (``supplier_nodes.sql``, macros in ``supplier_macros.sql``);
3. score node pairs with splink (``linkage.py``), trained on these names;
4. join records into entities, strongest links first, never across conflicting identifiers, with
   people's merges and splits replayed (``clustering.py``);
5. keep last run's ids (``stable_ids.py``), write records, links and entities, and fill
   ``spend_lines.supplier_id`` and ``contract_suppliers.supplier_id``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from observatory.insight.outcomes_reference import data_rows, temp_table
from observatory.resolve import linkage
from observatory.resolve.clustering import Entities, Override, forced_groups_and_tags
from observatory.resolve.stable_ids import assign
from observatory.store import Warehouse
from observatory.store.warehouse import sql_text

Progress = Callable[[str], None]
# linkage.score's signature: (nodes, model or None, threads=…) -> Scored.
Scorer = Callable[..., linkage.Scored]

# Conflict keys: a supplier entity never holds two different values of one of these.
CONFLICT_KEYS = ("company_number", "charity_number", "ppon")


@dataclass
class Resolution:
    records: int = 0
    names: int = 0
    nodes: int = 0
    entities: int = 0
    kept_ids: int = 0
    new_ids: int = 0
    retired_ids: int = 0
    links_used: dict[str, int] = field(default_factory=dict)
    links_refused: int = 0
    # Identifiers a publisher gave to unrelated names (a row mix-up): they neither link nor
    # forbid a link for those records.
    identifiers_doubted: int = 0
    scored_pairs: int = 0
    model_notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def prepare(warehouse: Warehouse) -> None:
    """The macros and reference tables resolution needs on this connection."""
    warehouse.execute_script(sql_text("macros"))
    warehouse.execute_script(sql_text("supplier_macros"))
    warehouse.execute_script(sql_text("supplier_rows"))
    # The official abbreviations public bodies and a few national suppliers go by, each with
    # the source that states it.
    rows = data_rows("supplier_abbreviations.csv")
    columns = ("abbreviation", "name", "legal_form", "source")
    temp_table(
        warehouse,
        "supplier_abbreviation_rows",
        dict.fromkeys(columns, pa.string()),
        [tuple(r[c].strip() for c in columns) for r in rows],
    )
    warehouse.execute(
        "CREATE OR REPLACE TEMP TABLE supplier_abbreviations AS "
        "SELECT lower(abbreviation) AS abbreviation, name, nullif(legal_form, '') AS legal_form, "
        "source, supplier_core(name) AS name_core FROM supplier_abbreviation_rows"
    )


def resolve(
    warehouse: Warehouse,
    *,
    retrain: bool = True,
    threshold: float = linkage.LINK_THRESHOLD,
    threads: int | None = None,
    progress: Progress | None = None,
    scorer: Scorer | None = None,
) -> Resolution:
    """Resolve every supplier name in the warehouse; re-runs keep ids and people's decisions.
    ``scorer``: what scores pairs of names (default ``linkage.score``, splink on DuckDB;
    ``spark_linkage.scorer(spark)`` runs the same model on Spark)."""
    say = progress or (lambda _: None)
    started = time.perf_counter()
    prepare(warehouse)
    say("collecting supplier names")
    warehouse.execute_script(sql_text("supplier_collect"))
    result = resolve_seen(
        warehouse, retrain=retrain, threshold=threshold, threads=threads, say=say, scorer=scorer
    )
    say("giving spend lines and contracts their supplier ids")
    t = time.perf_counter()
    with warehouse.transaction():
        warehouse.execute_script(sql_text("supplier_fill"))
    result.seconds["fill"] = time.perf_counter() - t
    result.seconds["total"] = time.perf_counter() - started
    return result


def resolve_seen(
    warehouse: Warehouse,
    *,
    retrain: bool = True,
    threshold: float = linkage.LINK_THRESHOLD,
    threads: int | None = None,
    model: dict[str, Any] | None = None,
    say: Progress = lambda _: None,
    scorer: Scorer | None = None,
) -> Resolution:
    """Resolve the records in the temp table ``resolve_seen`` (built by supplier_collect.sql, or
    by a benchmark or an evaluation) and write supplier_records, supplier_links and suppliers.
    ``model``: score with this trained model instead of training or the stored one."""
    prepare(warehouse)
    result = Resolution()
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.seconds[step] = round(now - clock, 3)
        clock = now

    say("cleaning names")
    warehouse.execute_script(sql_text("supplier_nodes"))
    result.records = warehouse.fetch_value("SELECT count(*) FROM resolve_seen")
    result.names = warehouse.fetch_value("SELECT count(DISTINCT supplier_name) FROM resolve_seen")
    result.nodes = warehouse.fetch_value("SELECT count(*) FROM resolve_nodes")
    result.identifiers_doubted = warehouse.fetch_value(
        "SELECT count(*) FROM resolve_doubted_identifiers"
    )
    lap("clean")

    say("scoring pairs of names (splink)")
    nodes = warehouse.con.sql("SELECT * FROM resolve_splink_nodes").to_arrow_table()
    if model is None and not retrain:
        model = stored_model(warehouse)
    scored = (scorer or linkage.score)(nodes, model, threads=threads)
    result.model_notes = scored.notes
    result.scored_pairs = scored.pairs.num_rows
    lap("score")

    say("joining names into suppliers")
    warehouse.register("resolve_pairs_arrow", scored.pairs)
    warehouse.execute(
        "CREATE OR REPLACE TEMP TABLE resolve_pairs AS SELECT * FROM resolve_pairs_arrow"
    )
    warehouse.unregister("resolve_pairs_arrow")
    warehouse.execute_script(sql_text("supplier_links"))
    assignment, status, counts = _cluster(warehouse, threshold)
    result.__dict__.update(counts)
    lap("cluster")

    say("writing suppliers")
    with warehouse.transaction():
        warehouse.register("resolve_assignment_arrow", assignment)
        warehouse.register("resolve_link_status_arrow", status)
        warehouse.execute(
            "CREATE OR REPLACE TEMP TABLE resolve_assignment AS "
            "SELECT * FROM resolve_assignment_arrow"
        )
        warehouse.execute(
            "CREATE OR REPLACE TEMP TABLE resolve_link_status AS "
            "SELECT * FROM resolve_link_status_arrow"
        )
        warehouse.unregister("resolve_assignment_arrow")
        warehouse.unregister("resolve_link_status_arrow")
        warehouse.execute_script(sql_text("supplier_write"))
        _write_history(warehouse, counts["_retired"])
        warehouse.execute("DELETE FROM supplier_models")
        warehouse.execute(
            "INSERT INTO supplier_models VALUES (current_timestamp, ?, ?)",
            [result.nodes, json.dumps(scored.model)],
        )
        warehouse.execute_script(sql_text("supplier_entities"))
    result.__dict__.pop("_retired", None)
    result.entities = warehouse.fetch_value("SELECT count(*) FROM suppliers")
    lap("write")
    return result


def stored_model(warehouse: Warehouse) -> dict[str, Any] | None:
    text = warehouse.fetch_value("SELECT model FROM supplier_models ORDER BY trained_at DESC")
    return json.loads(text) if text else None


def load_overrides(warehouse: Warehouse, index: dict[str, int]) -> tuple[list[Override], set[str]]:
    """People's merges and splits in the order they were made, as record indexes."""
    rows = warehouse.fetch(
        "SELECT override_id, action, supplier_id, record_keys, kept_keys "
        "FROM supplier_overrides ORDER BY made_at, override_id"
    )
    overrides, preferred = [], set()
    for r in rows:
        moved = frozenset(index[k] for k in r["record_keys"] or [] if k in index)
        kept = frozenset(index[k] for k in r["kept_keys"] or [] if k in index)
        overrides.append(Override(r["action"], moved, kept, r["override_id"]))
        if r["action"] == "merge":
            preferred.add(r["supplier_id"])
    return overrides, preferred


def _cluster(warehouse: Warehouse, threshold: float) -> tuple[pa.Table, pa.Table, dict[str, Any]]:
    records = warehouse.con.sql(
        "SELECT n.record_key, n.company_number, n.charity_number, n.ppon, p.supplier_id "
        "FROM resolve_names n LEFT JOIN resolve_previous p USING (record_key) "
        "ORDER BY n.record_key"
    ).to_arrow_table()
    keys: list[str] = records["record_key"].to_pylist()
    index = {k: i for i, k in enumerate(keys)}
    entities = Entities(len(keys))
    conflict_columns = {c: records[c].to_pylist() for c in CONFLICT_KEYS}
    for i in range(len(keys)):
        values = {c: frozenset([v[i]]) for c, v in conflict_columns.items() if v[i] is not None}
        if values:
            entities.set_keys(i, values)
    overrides, preferred = load_overrides(warehouse, index)
    groups, tags = forced_groups_and_tags(overrides)
    for i, t in tags.items():
        entities.set_keys(i, t)

    joined_by: list[str | None] = [None] * len(keys)
    joined_to: list[str | None] = [None] * len(keys)
    join_weight: list[float | None] = [None] * len(keys)
    join_probability: list[float | None] = [None] * len(keys)
    for group in groups:
        entities.join_all(group, forced=True)
        for i in group:
            joined_by[i], joined_to[i] = "manual", keys[group[0] if i != group[0] else group[-1]]

    links = warehouse.con.sql(
        "SELECT ord, record_l, record_r, kind, match_weight, match_probability "
        "FROM resolve_links ORDER BY ord"
    ).to_arrow_table()
    lefts = links["record_l"].to_pylist()
    rights = links["record_r"].to_pylist()
    kinds = links["kind"].to_pylist()
    weights = links["match_weight"].to_pylist()
    probabilities = links["match_probability"].to_pylist()
    used: list[bool] = []
    refused: list[str | None] = []
    used_by_kind: dict[str, int] = {}
    for left, right, kind, weight, probability in zip(
        lefts, rights, kinds, weights, probabilities, strict=True
    ):
        if kind == "model" and (probability or 0.0) < threshold:
            used.append(False)
            refused.append("below threshold")
            continue
        a, b = index[left], index[right]
        clash = entities.join(a, b)
        used.append(clash is None)
        refused.append(f"different {clash.replace('_', ' ')}" if clash else None)
        if clash is None:
            used_by_kind[kind] = used_by_kind.get(kind, 0) + 1
            for this, other in ((a, b), (b, a)):
                if joined_by[this] is None:
                    joined_by[this], joined_to[this] = kind, keys[other]
                    join_weight[this], join_probability[this] = weight, probability

    previous = records["supplier_id"].to_pylist()
    used_before = [
        r["old_id"] for r in warehouse.fetch("SELECT DISTINCT old_id FROM supplier_id_history")
    ]
    ids = assign(entities.roots(), previous, keys, preferred, used_before)
    assignment = pa.table(
        {
            "record_key": keys,
            "supplier_id": ids.ids,
            "joined_by": joined_by,
            "joined_to": joined_to,
            "join_weight": pa.array(join_weight, pa.float64()),
            "join_probability": pa.array(join_probability, pa.float64()),
        }
    )
    status = pa.table(
        {
            "ord": links["ord"],
            "used": pa.array(used, pa.bool_()),
            "refused": pa.array(refused, pa.string()),
        }
    )
    counts = {
        "kept_ids": ids.kept,
        "new_ids": ids.new,
        "retired_ids": len(ids.retired),
        "links_used": used_by_kind,
        "links_refused": sum(1 for r in refused if r and r != "below threshold"),
        "_retired": ids.retired,
    }
    return assignment, status, counts


def _write_history(warehouse: Warehouse, retired: list[tuple[str, str | None]]) -> None:
    for old, new in retired:
        warehouse.execute(
            "INSERT INTO supplier_id_history (old_id, new_id, reason) VALUES (?, ?, ?)",
            [old, new, f"merged into {new}" if new else "no longer seen"],
        )
    # Ids whose records all disappeared (their spend was deleted or reloaded differently).
    warehouse.execute(
        "INSERT INTO supplier_id_history (old_id, new_id, reason) "
        "SELECT DISTINCT p.supplier_id, NULL, 'no longer seen' FROM resolve_previous p "
        "WHERE p.supplier_id IS NOT NULL "
        "AND p.supplier_id NOT IN (SELECT supplier_id FROM resolve_assignment) "
        "AND p.supplier_id NOT IN (SELECT old_id FROM supplier_id_history)"
    )
