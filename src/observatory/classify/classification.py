"""``observatory classify``: a ProClass category for every spend line and contract, and a CPV
code for every contract, each with a confidence, a reason and where it came from.

Precedence for a line: a person's decision on the line, then the publisher's own code, then a
person's decision on its supplier, then the model. Every labelled line (and every decision)
is a training label for the model, so corrections teach the next run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pyarrow as pa

from observatory.classify import categories
from observatory.classify.cpv import CpvModel, leave_one_out, notice_text
from observatory.classify.evidence import (
    contract_evidence,
    document_chunks,
    holdout_date,
    line_documents,
    stage_contracts,
    stage_lines,
)
from observatory.classify.features import Evidence, supplier_name_key
from observatory.classify.local_scoring import PARALLEL_FROM, cores, process_predictor
from observatory.classify.model import (
    CalibrationBin,
    LineModel,
    Predictions,
    code_texts,
    train,
)
from observatory.store import Warehouse
from observatory.store.warehouse import sql_text

# At most this many labelled documents (a uniform sample by doc hash) are learnt from, so
# training's memory is bounded too: the real network has ~40,000, a generated national year of a
# million lines ~170,000 (no sample taken); ten million lines has over a million.
TRAINING_DOCUMENTS = 400_000


class ClassificationError(ValueError):
    """Something the user has to install or load first."""


@dataclass
class ClassificationResult:
    run_id: int
    training_lines: int
    training_contracts: int
    lines: int
    contracts: int
    lines_by_source: dict[str, int]
    contracts_by_source: dict[str, dict[str, int]]
    confident_share: float  # model-classified lines with confidence >= 0.9
    seconds: float
    calibration: list[CalibrationBin]
    extended_codes: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out = self.__dict__.copy()
        out["calibration"] = [b.as_json() for b in self.calibration]
        return out


def _supplier_decisions(warehouse: Warehouse) -> dict[str, tuple[str, str]]:
    rows = warehouse.fetch(
        """
        SELECT target_key, arg_max(code, decision_id) AS code,
               arg_max(coalesce(decided_by, 'a person') || coalesce(': ' || note, ''),
                       decision_id) AS why
        FROM category_decisions WHERE target = 'supplier' AND scheme = 'proclass' GROUP BY ALL
        """
    )
    return {r["target_key"]: (r["code"], r["why"]) for r in rows}


def _decided(
    decisions: dict[str, tuple[str, str]], ev: Evidence, name_key: str | None
) -> tuple[str, str] | None:
    """A person's decision on the document's supplier (by supplier, else by published name)."""
    return decisions.get(ev.supplier or "") or decisions.get(name_key or "")


def classify(
    warehouse: Warehouse,
    progress: Callable[[str], None] | None = None,
    predict: Callable[[LineModel, Sequence[Evidence]], Predictions] | None = None,
    workers: int | None = None,
) -> ClassificationResult:
    """``predict``: how the fitted model scores the documents (default: on this machine;
    ``spark_scoring.predictor(spark)`` spreads them over Spark's workers). ``workers``: scoring
    processes on this machine (default: one per core from PARALLEL_FROM documents, else one)."""
    step = progress or (lambda _: None)
    started = time.perf_counter()
    if not categories.codes(warehouse, "proclass"):
        raise ClassificationError(
            "ProClass is not installed: run `observatory categories import proclass_17.csv` "
            "with the official v17 list first"
        )
    step("extending ProClass with codes seen in labelled data")
    extended = categories.extend_proclass(warehouse)
    codes = categories.codes(warehouse, "proclass")
    labels = {c: r["label"] for c, r in codes.items()}

    step("reading spend lines")
    lines = stage_lines(warehouse)
    cut = holdout_date(warehouse)
    # The model learns from the labelled documents only; every document is then scored a chunk
    # at a time (classify_predictions), so memory does not grow with the warehouse.
    docs = line_documents(warehouse, "true", cut, labelled_only=True, limit=TRAINING_DOCUMENTS)
    decisions = _supplier_decisions(warehouse)
    evidence = list(docs.evidence)
    label_doc, label_code = list(docs.label_doc), list(docs.label_code)
    label_lines, label_holdout = list(docs.label_lines), list(docs.label_holdout)
    if decisions:
        # A decision on a supplier labels its lines that have no label of their own.
        for chunk in document_chunks(warehouse):
            for ev, name_key, n in zip(
                chunk.evidence, chunk.name_keys, chunk.unlabelled, strict=True
            ):
                hit = _decided(decisions, ev, name_key)
                if hit and n:
                    label_doc.append(len(evidence))
                    evidence.append(ev)
                    label_code.append(hit[0])
                    label_lines.append(n)
                    label_holdout.append(False)

    contracts = stage_contracts(warehouse)
    first_contract = len(evidence)
    evidence += [contract_evidence(r) for r in contracts]
    training_contracts = 0
    for k, r in enumerate(contracts):
        if r["label"]:
            label_doc.append(first_contract + k)
            label_code.append(r["label"])
            label_lines.append(1)
            label_holdout.append(False)
            training_contracts += 1
    if not label_code:
        raise ClassificationError(
            "no labelled spend lines or contracts to learn from: load a publisher that gives "
            "ProClass codes (Trafford does) or record decisions with `observatory categories set`"
        )

    step(f"learning from {sum(label_lines):,} labelled lines")
    model = train(
        evidence,
        label_doc,
        label_code,
        label_lines,
        label_holdout,
        labels,
        code_texts=code_texts(codes),
    )
    documents = int(warehouse.fetch_value("SELECT count(DISTINCT doc) FROM classify_lines"))
    if workers is None:
        workers = cores() if documents >= PARALLEL_FROM else 1
    with ExitStack() as scoring:
        if predict:
            score: Callable[[Sequence[Evidence]], Predictions] = partial(predict, model)
        elif workers > 1:
            score = scoring.enter_context(process_predictor(model, workers))
        else:
            score = model.predict
        step(
            f"classifying {documents:,} distinct lines and {len(contracts):,} contracts"
            + (f" ({workers} processes)" if workers > 1 and not predict else "")
        )
        run_id, contract_predictions = _score_everything(
            warehouse, score, decisions, [contract_evidence(r) for r in contracts], step
        )
    contract_sources = _write_contracts(
        warehouse, contracts, contract_predictions, decisions, run_id, step
    )
    by_source = {
        r["source"]: int(r["n"])
        for r in warehouse.fetch("SELECT source, count(*) AS n FROM line_categories GROUP BY 1")
    }
    confident = warehouse.fetch_value(
        "SELECT avg((confidence >= 0.9)::INT) FROM line_categories WHERE source = 'model'"
    )
    result = ClassificationResult(
        run_id=run_id,
        training_lines=int(sum(label_lines)) - training_contracts,
        training_contracts=training_contracts,
        lines=lines,
        contracts=len(contracts),
        lines_by_source=by_source,
        contracts_by_source=contract_sources,
        confident_share=float(confident or 0.0),
        seconds=time.perf_counter() - started,
        calibration=model.calibration_table,
        extended_codes=extended,
    )
    if len(docs) >= TRAINING_DOCUMENTS:
        labelled = warehouse.fetch_value(
            "SELECT count(DISTINCT doc) FROM classify_lines WHERE label IS NOT NULL"
        )
        result.notes.append(
            f"learnt from a random {TRAINING_DOCUMENTS:,} of the {labelled:,} labelled distinct "
            "lines (bounded memory); every line was classified"
        )
    if not categories.codes(warehouse, "cpv"):
        result.notes.append(
            "CPV is not installed, so contracts without a CPV code got none: run "
            "`observatory categories import cpv_codes.csv` (CPV 2008 from SIMAP)"
        )
    warehouse.execute(
        "INSERT INTO classification_runs VALUES (?, current_timestamp, 'proclass', ?, ?, ?, ?, ?)",
        [
            run_id,
            result.training_lines,
            lines,
            len(contracts),
            result.seconds,
            json.dumps(
                {
                    "lines_by_source": by_source,
                    "contracts_by_source": contract_sources,
                    "calibration": [b.as_json() for b in model.calibration_table],
                }
            ),
        ],
    )
    return result


def _score_everything(
    warehouse: Warehouse,
    score: Callable[[Sequence[Evidence]], Predictions],
    decisions: dict[str, tuple[str, str]],
    contract_documents: list[Evidence],
    step: Callable[[str], None],
) -> tuple[int, Predictions]:
    """Every line's document a chunk at a time into line_categories; the contracts' predictions
    returned (they are written with their CPV codes)."""
    run_id = int(warehouse.fetch_value("SELECT nextval('classification_run_seq')"))
    warehouse.execute(
        "CREATE OR REPLACE TEMP TABLE classify_predictions (doc UBIGINT, code VARCHAR, "
        "confidence DOUBLE, reason VARCHAR, supplier_code VARCHAR, supplier_why VARCHAR)"
    )
    for chunk in document_chunks(warehouse):
        predictions = score(chunk.evidence)
        decided = [
            _decided(decisions, ev, k) or (None, None)
            for ev, k in zip(chunk.evidence, chunk.name_keys, strict=True)
        ]
        table = pa.table(
            {
                "doc": pa.array(chunk.keys, pa.uint64()),
                "code": predictions.codes,
                "confidence": predictions.confidence,
                "reason": predictions.reasons,
                "supplier_code": [d[0] for d in decided],
                "supplier_why": [d[1] for d in decided],
            }
        )
        warehouse.register("classify_chunk", table)
        try:
            warehouse.execute("INSERT INTO classify_predictions SELECT * FROM classify_chunk")
        finally:
            warehouse.unregister("classify_chunk")
    step("writing categories")
    with warehouse.transaction():
        warehouse.execute(sql_text("classify_write").replace("$run_id", str(run_id)))
    warehouse.execute("DROP TABLE classify_predictions")
    return run_id, score(contract_documents)


def _write_contracts(
    warehouse: Warehouse,
    contracts: list[dict[str, Any]],
    predictions: Predictions,
    decisions: dict[str, tuple[str, str]],
    run_id: int,
    step: Callable[[str], None],
) -> dict[str, dict[str, int]]:
    rows: list[tuple[Any, ...]] = []
    for k, r in enumerate(contracts):
        supplier = _decided(decisions, contract_evidence(r), supplier_name_key(r["supplier_name"]))
        if r["decided_code"]:
            rows.append(
                (
                    r["contract_key"],
                    "proclass",
                    r["decided_code"],
                    1.0,
                    f"decided by {r['decided_why']}",
                    "person",
                )
            )
        elif r["published_code"]:
            rows.append(
                (
                    r["contract_key"],
                    "proclass",
                    r["published_code"],
                    1.0,
                    f"published: {r['published_label'] or r['published_code']}",
                    "published",
                )
            )
        elif supplier:
            rows.append(
                (
                    r["contract_key"],
                    "proclass",
                    supplier[0],
                    1.0,
                    f"supplier decided by {supplier[1]}",
                    "person",
                )
            )
        else:
            rows.append(
                (
                    r["contract_key"],
                    "proclass",
                    predictions.codes[k],
                    float(predictions.confidence[k]),
                    predictions.reasons[k],
                    "model",
                )
            )
    rows += _cpv_rows(warehouse, contracts, step)
    with warehouse.transaction():
        warehouse.execute("DELETE FROM contract_categories")
        if rows:
            names = ("contract_key", "scheme", "code", "confidence", "reason", "source")
            columns = list(zip(*rows, strict=True))
            table = pa.table({n: list(c) for n, c in zip(names, columns, strict=True)})
            warehouse.register("contract_categories_new", table)
            try:
                warehouse.execute(
                    "INSERT INTO contract_categories SELECT *, "
                    f"{run_id} FROM contract_categories_new"
                )
            finally:
                warehouse.unregister("contract_categories_new")
    out: dict[str, dict[str, int]] = {}
    for r in warehouse.fetch(
        "SELECT scheme, source, count(*) AS n FROM contract_categories GROUP BY ALL ORDER BY ALL"
    ):
        out.setdefault(r["scheme"], {})[r["source"]] = int(r["n"])
    return out


def _cpv_rows(
    warehouse: Warehouse, contracts: list[dict[str, Any]], step: Callable[[str], None]
) -> list[tuple[Any, ...]]:
    vocabulary = {c: r["label"] for c, r in categories.codes(warehouse, "cpv").items()}
    rows: list[tuple[Any, ...]] = []
    known = [r for r in contracts if r["decided_cpv"] or r["published_cpv"]]
    for r in known:
        if r["decided_cpv"]:
            rows.append(
                (
                    r["contract_key"],
                    "cpv",
                    r["decided_cpv"],
                    1.0,
                    f"decided by {r['decided_cpv_why']}",
                    "person",
                )
            )
        else:
            rows.append(
                (
                    r["contract_key"],
                    "cpv",
                    r["published_cpv"][:8],
                    1.0,
                    "published in the notice",
                    "published",
                )
            )
    missing = [r for r in contracts if not (r["decided_cpv"] or r["published_cpv"])]
    if not vocabulary or not missing:
        return rows
    step(f"giving {len(missing):,} contracts a CPV code")
    texts = [notice_text(r["title"], r["description"]) for r in known]
    labels = [(r["decided_cpv"] or r["published_cpv"])[:8] for r in known]
    if len(known) >= 2:
        model, _ = leave_one_out(vocabulary, texts, labels)
    else:
        model = CpvModel(vocabulary).fit(texts, labels)
    guesses = model.predict(
        [notice_text(r["title"], r["description"], r["published_label"]) for r in missing]
    )
    for r, g in zip(missing, guesses, strict=True):
        rows.append((r["contract_key"], "cpv", g.code, g.confidence, g.reason, "model"))
    return rows
