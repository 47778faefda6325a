"""People's corrections: merge two suppliers, or split names out of one.

Each correction is stored (``supplier_overrides``) as the records it concerns, applied at once,
and replayed by every later ``resolve`` run before the model's links (see clustering.py), so it
survives new loads and retraining.
"""

from __future__ import annotations

from dataclasses import dataclass

from observatory.resolve.stable_ids import format_id, id_number
from observatory.resolve.suppliers import prepare
from observatory.store import Warehouse
from observatory.store.warehouse import sql_text


class CorrectionError(ValueError):
    """A merge or split that cannot be made (unknown id, nothing to move …)."""


@dataclass
class Correction:
    override_id: int
    action: str
    supplier_id: str  # merge: the id kept; split: the entity split
    other_id: str  # merge: the id merged away; split: the new entity's id
    records_moved: int


def current_id(warehouse: Warehouse, supplier_id: str) -> str:
    """The id as it is now: follows retired ids to the supplier they were merged into."""
    seen = set()
    sid = supplier_id.strip().upper()
    while sid not in seen:
        seen.add(sid)
        if warehouse.fetch_value("SELECT 1 FROM suppliers WHERE supplier_id = ?", [sid]):
            return sid
        nxt = warehouse.fetch_value(
            "SELECT new_id FROM supplier_id_history WHERE old_id = ? AND new_id IS NOT NULL "
            "ORDER BY changed_at DESC",
            [sid],
        )
        if not nxt:
            break
        sid = nxt
    raise CorrectionError(
        f"no supplier {supplier_id}: run `observatory resolve` first, or find the id with "
        "`observatory suppliers list --search NAME`"
    )


def _records(warehouse: Warehouse, supplier_id: str) -> list[str]:
    return [
        r["record_key"]
        for r in warehouse.fetch(
            "SELECT record_key FROM supplier_records WHERE supplier_id = ? ORDER BY record_key",
            [supplier_id],
        )
    ]


def _store(
    warehouse: Warehouse,
    action: str,
    supplier_id: str,
    other_id: str,
    moved: list[str],
    kept: list[str],
    note: str | None,
    made_by: str | None,
) -> int:
    override_id = warehouse.fetch_value("SELECT nextval('supplier_override_seq')")
    warehouse.execute(
        "INSERT INTO supplier_overrides (override_id, action, supplier_id, other_id, record_keys, "
        "kept_keys, note, made_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [override_id, action, supplier_id, other_id, moved, kept, note, made_by],
    )
    return int(override_id)


def _refresh(warehouse: Warehouse) -> None:
    """Entities, their evidence and the ids on spend lines and contracts, after a correction."""
    prepare(warehouse)
    warehouse.execute_script(sql_text("supplier_entities"))
    warehouse.execute_script(sql_text("supplier_fill"))


def merge(
    warehouse: Warehouse,
    keep: str,
    other: str,
    note: str | None = None,
    made_by: str | None = None,
) -> Correction:
    """Make ``other`` part of ``keep``; ``keep``'s id survives and ``other``'s points to it."""
    keep_id, other_id = current_id(warehouse, keep), current_id(warehouse, other)
    if keep_id == other_id:
        raise CorrectionError(f"{keep} and {other} are already one supplier ({keep_id})")
    kept, moved = _records(warehouse, keep_id), _records(warehouse, other_id)
    with warehouse.transaction():
        override_id = _store(warehouse, "merge", keep_id, other_id, moved, kept, note, made_by)
        warehouse.execute(
            "UPDATE supplier_records SET supplier_id = ?, joined_by = 'manual', joined_to = ?, "
            "join_weight = NULL, join_probability = NULL WHERE supplier_id = ?",
            [keep_id, kept[0], other_id],
        )
        warehouse.execute(
            "INSERT INTO supplier_id_history (old_id, new_id, reason) VALUES (?, ?, ?)",
            [other_id, keep_id, f"merged into {keep_id} by a person (correction {override_id})"],
        )
        _refresh(warehouse)
    return Correction(override_id, "merge", keep_id, other_id, len(moved))


def split(
    warehouse: Warehouse,
    supplier: str,
    aliases: list[str],
    organisation: str | None = None,
    note: str | None = None,
    made_by: str | None = None,
) -> Correction:
    """Move the records named ``aliases`` (as published, any case; optionally only those of one
    member) out of ``supplier`` into a new supplier of their own."""
    supplier_id = current_id(warehouse, supplier)
    wanted = [a.strip().lower() for a in aliases if a.strip()]
    if not wanted:
        raise CorrectionError("name at least one alias to split out (--alias NAME)")
    rows = warehouse.fetch(
        "SELECT record_key, lower(supplier_name) AS name, organisation FROM supplier_records "
        "WHERE supplier_id = ? ORDER BY record_key",
        [supplier_id],
    )
    moved = [
        r["record_key"]
        for r in rows
        if r["name"] in wanted and (organisation is None or r["organisation"] == organisation)
    ]
    kept = [r["record_key"] for r in rows if r["record_key"] not in set(moved)]
    if not moved:
        names = sorted({r["name"] for r in rows})
        raise CorrectionError(
            f"{supplier_id} has no alias {', '.join(aliases)!r}; its aliases are: "
            + "; ".join(names[:20])
        )
    if not kept:
        raise CorrectionError(f"that would move every alias of {supplier_id}: nothing to split")
    highest = warehouse.fetch_value(
        "SELECT max(id) FROM (SELECT supplier_id AS id FROM supplier_records "
        "UNION ALL SELECT old_id FROM supplier_id_history)"
    )
    new_id = format_id(id_number(highest or "") + 1)
    with warehouse.transaction():
        override_id = _store(warehouse, "split", supplier_id, new_id, moved, kept, note, made_by)
        warehouse.execute(
            "UPDATE supplier_records SET supplier_id = ?, joined_by = 'manual', joined_to = ?, "
            "join_weight = NULL, join_probability = NULL WHERE list_contains(?, record_key)",
            [new_id, moved[0], moved],
        )
        _refresh(warehouse)
    return Correction(override_id, "split", supplier_id, new_id, len(moved))
