"""How well supplier resolution groups names, against published identifiers.

A gold set is a list of published names, each with the identifier its publisher gave it (a
Companies House number, or a VAT number). The names are resolved *without* their identifiers,
by the same pipeline and model as the network, and the groups compared with the identifiers':
pairwise precision, recall and F1, the same per item (B-cubed), and the share of clusters
reproduced exactly. Publishers make mistakes, so the disagreements are listed, and a file of
judgements (pairs of names a person judged 'same' or 'different') gives a second, judged score.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import pyarrow as pa

from observatory.resolve.suppliers import prepare, resolve_seen
from observatory.store import Warehouse


@dataclass(frozen=True)
class GoldItem:
    source: str  # who published the name (the gold set's 'source' column)
    name: str  # as published
    cluster: str  # the identifier the publisher gave


@dataclass(frozen=True)
class Judgement:
    name_a: str
    name_b: str
    verdict: str  # same, different
    reason: str


@dataclass
class Scores:
    pairs_true: int = 0  # pairs the gold set says are one supplier
    pairs_predicted: int = 0
    pairs_correct: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    bcubed_precision: float = 0.0
    bcubed_recall: float = 0.0
    bcubed_f1: float = 0.0
    clusters_true: int = 0  # gold clusters with two or more names
    clusters_exact: int = 0  # of those, reproduced exactly by one predicted cluster
    clusters_predicted: int = 0  # predicted clusters with two or more names
    clusters_pure: int = 0  # of those, holding names of one gold cluster only

    def as_json(self) -> dict[str, Any]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


@dataclass
class Evaluation:
    gold: str
    items: int
    names: int
    raw: Scores
    judged: Scores
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    model: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "items": self.items,
            "names": self.names,
            "model": self.model,
            "raw": self.raw.as_json(),
            "judged": self.judged.as_json(),
            "disagreements": self.disagreements,
        }


# -- gold sets ----------------------------------------------------------------------------------
def company_number_gold(path: Path) -> list[GoldItem]:
    """``labels/supplier_company_numbers.csv``: published names with their company numbers."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    items = []
    for r in rows:
        # Rows whose published number the label set could not normalise (a typo such as
        # 'SG298533') carry no usable identifier and are left out.
        number = (r.get("company_number_normalised") or "").strip()
        name = (r.get("supplier_name_as_published") or "").strip()
        if number and name:
            items.append(GoldItem(r.get("source", "").strip(), name, number.upper()))
    return items


def vat_gold(warehouse: Warehouse, organisation: str | None = None) -> list[GoldItem]:
    """Names that publishers printed with a VAT number (Trafford's VATRegistrationNumber):
    one item per distinct (member, name, VAT number), straight from the spend lines."""
    prepare(warehouse)
    rows = warehouse.fetch(
        """
        SELECT DISTINCT organisation, trim(supplier_name) AS name,
               supplier_vat_number(supplier_vat_number) AS vat
        FROM spend_lines
        WHERE NOT is_redacted AND blank_token(supplier_name) IS NOT NULL
          AND supplier_vat_number(supplier_vat_number) IS NOT NULL
          AND (? IS NULL OR organisation = ?)
        ORDER BY 1, 2, 3
        """,
        [organisation, organisation],
    )
    return [GoldItem(r["organisation"], r["name"], r["vat"]) for r in rows]


def read_judgements(path: Path | None) -> list[Judgement]:
    if path is None:
        return []
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if (r.get("name_a") or "").strip()]
    out = []
    for r in rows:
        verdict = (r.get("verdict") or "").strip().lower()
        if verdict not in ("same", "different"):
            raise ValueError(f"{path}: verdict must be 'same' or 'different', not {verdict!r}")
        out.append(Judgement(r["name_a"], r["name_b"], verdict, (r.get("reason") or "").strip()))
    return out


# -- resolution of the gold names ----------------------------------------------------------------
def _record_key(item: GoldItem) -> str:
    return hashlib.md5(f"gold\x1f{item.source}\x1f{item.name}".encode()).hexdigest()[:20]


def resolve_items(
    items: Sequence[GoldItem], model: dict[str, Any] | None, threads: int | None = None
) -> tuple[list[str], Warehouse]:
    """Each item's predicted supplier id, resolving the names alone (no identifiers) in a
    scratch warehouse, with ``model`` (None: train on these names)."""
    scratch = Warehouse.memory()
    prepare(scratch)
    records: dict[str, GoldItem] = {}
    for item in items:
        records.setdefault(_record_key(item), item)
    keys = list(records)
    scratch.register(
        "gold_records",
        pa.table(
            {
                "record_key": keys,
                "organisation": [records[k].source for k in keys],
                "supplier_name": [records[k].name for k in keys],
            }
        ),
    )
    scratch.execute(
        """
        CREATE OR REPLACE TEMP TABLE resolve_seen AS
        SELECT record_key, 'gold' AS source, organisation, supplier_name,
               NULL::VARCHAR AS company_number, NULL::VARCHAR AS charity_number,
               NULL::VARCHAR AS vat_number, NULL::VARCHAR AS ppon,
               NULL::VARCHAR AS other_identifier, NULL::VARCHAR AS postcode,
               []::VARCHAR[] AS sme_flags, []::VARCHAR[] AS vcse_flags, 1::BIGINT AS lines,
               NULL::DECIMAL(18,2) AS amount, NULL::DATE AS first_date, NULL::DATE AS last_date
        FROM gold_records
        """
    )
    resolve_seen(scratch, retrain=model is None, model=model, threads=threads)
    ids = {
        r["record_key"]: r["supplier_id"]
        for r in scratch.fetch("SELECT record_key, supplier_id FROM supplier_records")
    }
    return [ids[_record_key(i)] for i in items], scratch


def network_items(warehouse: Warehouse, items: Sequence[GoldItem]) -> list[tuple[str, str] | None]:
    """Each item as the warehouse's own resolution has it (identifiers and all): the supplier
    id and record of that name published by the item's source (an organisation id or name, any
    case), else of that name in any source (the one with most lines); None when the warehouse
    holds no record of the name."""
    scratch = pa.table(
        {
            "i": list(range(len(items))),
            "source": [i.source for i in items],
            "name": [i.name for i in items],
        }
    )
    warehouse.register("gold_items", scratch)
    try:
        rows = warehouse.fetch(
            """
            SELECT g.i, r.supplier_id, r.record_key
            FROM gold_items g JOIN supplier_records r ON r.supplier_name = g.name
            WHERE r.supplier_id IS NOT NULL
            QUALIFY row_number() OVER (
                PARTITION BY g.i
                ORDER BY lower(r.organisation) = lower(g.source) DESC, r.lines DESC, r.record_key
            ) = 1
            """
        )
    finally:
        warehouse.unregister("gold_items")
    found: list[tuple[str, str] | None] = [None] * len(items)
    for r in rows:
        found[r["i"]] = (r["supplier_id"], r["record_key"])
    return found


# -- scores --------------------------------------------------------------------------------------
def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def judged_clusters(items: Sequence[GoldItem], judgements: Iterable[Judgement]) -> list[str]:
    """Gold clusters after a person's judgements: pairs judged 'different' are cut, pairs
    judged 'same' joined; the clusters are what stays connected."""
    by_name: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        by_name[item.name].append(i)
    different: set[tuple[int, int]] = set()
    same: list[tuple[int, int]] = []
    for j in judgements:
        for a in by_name.get(j.name_a, []):
            for b in by_name.get(j.name_b, []):
                if a == b:
                    continue
                pair = (min(a, b), max(a, b))
                (different.add(pair) if j.verdict == "different" else same.append(pair))
    parent = list(range(len(items)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    members: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        members[item.cluster].append(i)
    for group in members.values():
        for a, b in combinations(group, 2):
            if (a, b) not in different:
                parent[find(a)] = find(b)
    for a, b in same:
        parent[find(a)] = find(b)
    return [f"judged:{find(i)}" for i in range(len(items))]


def scores(truth: Sequence[str], predicted: Sequence[str]) -> Scores:
    s = Scores()
    cells = Counter(zip(truth, predicted, strict=True))
    true_sizes, pred_sizes = Counter(truth), Counter(predicted)
    s.pairs_correct = sum(_pairs(n) for n in cells.values())
    s.pairs_true = sum(_pairs(n) for n in true_sizes.values())
    s.pairs_predicted = sum(_pairs(n) for n in pred_sizes.values())
    s.precision, s.recall, s.f1 = _pair_scores(s.pairs_correct, s.pairs_predicted, s.pairs_true)
    n = len(truth)
    if n:
        both = list(zip(truth, predicted, strict=True))
        s.bcubed_precision = sum(cells[(t, p)] / pred_sizes[p] for t, p in both) / n
        s.bcubed_recall = sum(cells[(t, p)] / true_sizes[t] for t, p in both) / n
        s.bcubed_f1 = _f1(s.bcubed_precision, s.bcubed_recall)
    true_sets = _sets(truth)
    pred_sets = _sets(predicted)
    multi_true = [m for m in true_sets.values() if len(m) > 1]
    multi_pred = [m for m in pred_sets.values() if len(m) > 1]
    pred_frozen = {frozenset(m) for m in pred_sets.values()}
    s.clusters_true = len(multi_true)
    s.clusters_exact = sum(1 for m in multi_true if frozenset(m) in pred_frozen)
    s.clusters_predicted = len(multi_pred)
    s.clusters_pure = sum(1 for m in multi_pred if len({truth[i] for i in m}) == 1)
    return s


def pooled_pairs(judged: Iterable[Scores]) -> dict[str, Any]:
    """Pairwise scores over several judged sets counted as one (each set's pairs are its own:
    a small set cannot swing the figure as it does alone)."""
    sets = list(judged)
    correct = sum(s.pairs_correct for s in sets)
    predicted = sum(s.pairs_predicted for s in sets)
    true = sum(s.pairs_true for s in sets)
    precision, recall, f1 = _pair_scores(correct, predicted, true)
    return {
        "sets": len(sets),
        "pairs_true": true,
        "pairs_predicted": predicted,
        "pairs_correct": correct,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def _sets(labels: Sequence[str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        out[label].append(i)
    return out


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pair_scores(correct: int, predicted: int, true: int) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 from pair counts (1.0 when there is nothing to get
    wrong)."""
    precision = correct / predicted if predicted else 1.0
    recall = correct / true if true else 1.0
    return precision, recall, _f1(precision, recall)


def disagreements(
    items: Sequence[GoldItem],
    predicted: Sequence[str],
    judgements: Iterable[Judgement],
    scratch: Warehouse,
    keys: Sequence[str | None] | None = None,
) -> list[dict[str, Any]]:
    """Every pair the resolver and the gold set disagree on (distinct name pairs), with the link
    splink scored between them and the judgement, if a person made one. ``keys``: each item's
    record in ``scratch`` (default: the gold records ``resolve_items`` wrote; None: absent)."""
    if keys is None:
        keys = [_record_key(i) for i in items]
    verdicts = {}
    for j in judgements:
        verdicts[(j.name_a, j.name_b)] = j
        verdicts[(j.name_b, j.name_a)] = j
    seen: set[tuple[str, str, bool]] = set()
    out: list[dict[str, Any]] = []
    by_gold, by_pred = _sets([i.cluster for i in items]), _sets(list(predicted))
    candidates = [(a, b, "missed") for m in by_gold.values() for a, b in combinations(m, 2)]
    candidates += [
        (a, b, "wrongly joined") for m in by_pred.values() for a, b in combinations(m, 2)
    ]
    for a, b, kind in candidates:
        same_gold = items[a].cluster == items[b].cluster
        same_pred = predicted[a] == predicted[b]
        if same_gold == same_pred:
            continue
        names = tuple(sorted((items[a].name, items[b].name)))
        key = (names[0], names[1], same_gold)
        if key in seen:
            continue
        seen.add(key)
        j = verdicts.get((names[0], names[1]))
        out.append(
            {
                "kind": kind,
                "name_a": names[0],
                "name_b": names[1],
                "gold_a": items[a].cluster if items[a].name == names[0] else items[b].cluster,
                "gold_b": items[b].cluster if items[a].name == names[0] else items[a].cluster,
                "sources": sorted({items[a].source, items[b].source}),
                "link": _link(scratch, keys[a], keys[b]),
                "verdict": j.verdict if j else None,
                "judged_reason": j.reason if j else None,
            }
        )
    out.sort(key=lambda d: (d["kind"], d["name_a"].lower(), d["name_b"].lower()))
    return out


def _link(scratch: Warehouse, ka: str | None, kb: str | None) -> str:
    if ka is None or kb is None:
        return "a name the warehouse does not hold"
    if ka == kb:
        return "the same published name"
    rows = scratch.fetch(
        """
        SELECT l.kind, l.detail, l.match_probability, l.used, l.refused
        FROM supplier_links l
        JOIN supplier_records ra ON ra.record_key = l.record_l
        JOIN supplier_records rb ON rb.record_key = l.record_r
        WHERE (ra.node_key, rb.node_key) IN ((
                   (SELECT node_key FROM supplier_records WHERE record_key = ?),
                   (SELECT node_key FROM supplier_records WHERE record_key = ?)),
               ((SELECT node_key FROM supplier_records WHERE record_key = ?),
                (SELECT node_key FROM supplier_records WHERE record_key = ?)))
        ORDER BY l.match_probability DESC NULLS FIRST LIMIT 1
        """,
        [ka, kb, kb, ka],
    )
    if not rows:
        names = scratch.fetch(
            "SELECT record_key, name_core, joined_by FROM supplier_records "
            "WHERE record_key IN (?, ?)",
            [ka, kb],
        )
        cores = {r["record_key"]: r["name_core"] for r in names}
        if cores.get(ka) == cores.get(kb):
            return f"same cleaned name {cores.get(ka)!r}"
        return (
            f"not compared directly ({cores.get(ka)!r} / {cores.get(kb)!r}); "
            "joined or kept apart through other names"
        )
    r = rows[0]
    p = f"p = {r['match_probability']:.3f}; " if r["match_probability"] is not None else ""
    state = "used" if r["used"] else f"not used ({r['refused']})"
    return f"{r['kind']} link, {p}{r['detail']}; {state}"


def evaluate(
    gold_name: str,
    items: Sequence[GoldItem],
    model: dict[str, Any] | None,
    judgements: Sequence[Judgement] = (),
    threads: int | None = None,
    network: Warehouse | None = None,
) -> Evaluation:
    """Score the gold names resolved alone (default), or, given ``network``, as that resolved
    warehouse has them: identifiers and all, so the gold set's own identifiers help (a test of
    how they are weighed, not of the names); names it does not hold stand alone."""
    if network is not None:
        found = network_items(network, items)
        predicted = [f[0] if f else f"absent {n}" for n, f in enumerate(found)]
        keys = [f[1] if f else None for f in found]
        listed = disagreements(items, predicted, judgements, network, keys)
        absent = sum(1 for f in found if f is None)
        how = "the warehouse's own resolution, identifiers and all" + (
            f"; {absent:,} names not in it" if absent else ""
        )
    else:
        predicted, scratch = resolve_items(items, model, threads)
        try:
            listed = disagreements(items, predicted, judgements, scratch)
        finally:
            scratch.close()
        how = "the network's trained model" if model else "trained on the gold names"
    return Evaluation(
        gold=gold_name,
        items=len(items),
        names=len({(i.source, i.name) for i in items}),
        raw=scores([i.cluster for i in items], predicted),
        judged=scores(judged_clusters(items, judgements), predicted),
        disagreements=listed,
        model=how,
    )
