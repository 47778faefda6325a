"""Match a user's own supplier list (a CSV with a name column) to the network's suppliers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from observatory.resolve import linkage
from observatory.resolve.suppliers import prepare, stored_model
from observatory.store import Warehouse
from observatory.store.warehouse import sql_text

ADDED_COLUMNS = ("supplier_id", "canonical_name", "match_probability", "match_reason")


class MatchError(ValueError):
    """A file or column that cannot be matched."""


@dataclass
class MatchReport:
    rows: int = 0
    names: int = 0
    matched_rows: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise MatchError(f"{path} is empty")
    return rows[0], rows[1:]


def match_file(
    warehouse: Warehouse,
    path: Path,
    column: str,
    out: Path,
    threshold: float = linkage.LINK_THRESHOLD,
    threads: int | None = None,
) -> MatchReport:
    """Write ``out``: the file's rows with supplier id, canonical name, match probability and the
    reason, for every row whose name matches a network supplier at ``threshold`` or above."""
    header, rows = _read(path)
    wanted = column.strip().lower()
    at = next((i for i, h in enumerate(header) if h.strip().lower() == wanted), None)
    if at is None:
        raise MatchError(f"{path} has no column {column!r}; its columns: {', '.join(header)}")
    model = stored_model(warehouse)
    if model is None:
        raise MatchError("the warehouse has no resolved suppliers yet: run `observatory resolve`")
    names = sorted({r[at].strip() for r in rows if at < len(r) and r[at].strip()})
    prepare(warehouse)
    warehouse.register("match_input", pa.table({"name": pa.array(names, pa.string())}))
    warehouse.execute_script(sql_text("supplier_match"))
    warehouse.unregister("match_input")
    # name -> (supplier id, canonical name, probability, reason, kind of match)
    results: dict[str, tuple[str, str, float, str, str]] = {}
    # Names found without scoring: the same cleaned name as an alias, or a body's official
    # abbreviation of one (or the other way round).
    for table, kind, reason in (
        ("match_exact", "same cleaned name", "same cleaned name as {alias!r} ({organisation})"),
        (
            "match_abbreviated",
            "official abbreviation",
            "official abbreviation: {alias!r} ({organisation}) is {body}",
        ),
    ):
        for r in warehouse.fetch(
            f"SELECT e.*, s.canonical_name FROM {table} e JOIN suppliers s USING (supplier_id)"
        ):
            results[r["name"]] = (
                r["supplier_id"],
                r["canonical_name"],
                linkage.LEVEL_PRECISION["same cleaned name"],
                reason.format(**r),
                kind,
            )
    outside = warehouse.con.sql(
        "SELECT * FROM match_splink_nodes WHERE starts_with(unique_id, 'outside:')"
    ).to_arrow_table()
    network = warehouse.con.sql(
        "SELECT * FROM match_splink_nodes WHERE NOT starts_with(unique_id, 'outside:')"
    ).to_arrow_table()
    if outside.num_rows and network.num_rows:
        pairs = linkage.score_between(outside, network, model, threads=threads)
        warehouse.register("match_pairs", pairs)
        best = warehouse.fetch(
            """
            SELECT i.name, s.supplier_id, e.canonical_name, s.alias, s.organisation,
                   p.match_probability, p.detail
            FROM match_pairs p
            JOIN match_input_nodes i ON i.node_key = p.node_l
            JOIN match_node_suppliers s ON s.node_key = p.node_r
            JOIN suppliers e ON e.supplier_id = s.supplier_id
            WHERE p.match_probability >= ?
            QUALIFY row_number() OVER (PARTITION BY i.name
                                       ORDER BY p.match_probability DESC, s.supplier_id) = 1
            """,
            [threshold],
        )
        warehouse.unregister("match_pairs")
        for r in best:
            results.setdefault(
                r["name"],
                (
                    r["supplier_id"],
                    r["canonical_name"],
                    r["match_probability"],
                    f"matched {r['alias']!r} ({r['organisation']}): {r['detail']}",
                    "model",
                ),
            )
    report = MatchReport(rows=len(rows), names=len(names))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*header, *ADDED_COLUMNS])
        for r in rows:
            name = r[at].strip() if at < len(r) else ""
            hit = results.get(name)
            if hit:
                report.matched_rows += 1
                report.by_kind[hit[4]] = report.by_kind.get(hit[4], 0) + 1
                writer.writerow([*r, hit[0], hit[1], f"{hit[2]:.3f}", hit[3]])
            else:
                writer.writerow([*r, "", "", "", "no supplier in the network matches"])
    return report
