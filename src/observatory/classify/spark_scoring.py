"""Classification's scoring on Apache Spark: the model is fitted once on the driver (as on
DuckDB), broadcast, and every partition of the distinct evidence documents is scored in
parallel by the same ``LineModel.predict`` (``mapPartitions``), so each document gets the same
code, confidence and reason as on the driver.

Only scoring moves: fitting reads a few hundred thousand labelled documents at most and is
quick; scoring is per document and grows with the network (docs/spark.md, "Resolution and
classification on Spark").
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from observatory.classify.features import Evidence
from observatory.classify.model import LineModel, Predictions

if TYPE_CHECKING:
    from pyspark import Broadcast
    from pyspark.sql import SparkSession

# The Evidence fields, in order, as shipped to Spark.
FIELDS = (
    "organisation",
    "supplier",
    "purpose",
    "expense_type",
    "service_area",
    "cost_centre",
    "supplier_ref",
    "merchant_category",
    "band",
)
OUTPUT = (
    "position long, code string, score double, confidence double, reason string, runner_up string"
)
# Documents per partition, roughly: small enough to spread a region over two cores, large
# enough that numpy's vectorised scoring outweighs the per-task overhead.
DOCUMENTS_PER_PARTITION = 20_000


def _score_partition(model: Any, rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """One partition: rebuild its documents and predict them with the broadcast model."""
    part = list(rows)
    if not part:
        return
    line_model: LineModel = model.value
    evidence = [Evidence(*row[1:]) for row in part]
    predicted = line_model.predict(evidence)
    for k, row in enumerate(part):
        yield (
            row[0],
            predicted.codes[k],
            float(predicted.scores[k]),
            float(predicted.confidence[k]),
            predicted.reasons[k],
            predicted.runner_up[k],
        )


def predict_on_spark(
    spark: SparkSession,
    shared: Broadcast[LineModel],
    evidence: Sequence[Evidence],
    partitions: int | None = None,
) -> Predictions:
    """``model.predict(evidence)`` with the documents spread over Spark's workers (the model
    already broadcast: ``shared``)."""
    if not len(evidence):
        return shared.value.predict(evidence)
    context = spark.sparkContext
    parts = partitions or max(
        context.defaultParallelism, -(-len(evidence) // DOCUMENTS_PER_PARTITION)
    )
    rows = [(i, *(getattr(ev, name) for name in FIELDS)) for i, ev in enumerate(evidence)]
    # Plain Python rows (an RDD): scoring needs numpy and scikit-learn on the workers,
    # not pandas, which Spark's Arrow-based mapInArrow requires.
    scored = (
        context.parallelize(rows, parts)
        .mapPartitions(lambda part: _score_partition(shared, part))
        .collect()
    )
    if len(scored) != len(evidence):
        raise RuntimeError(f"Spark scored {len(scored)} of {len(evidence)} documents")
    scored.sort(key=lambda r: r[0])
    return Predictions(
        codes=[r[1] for r in scored],
        scores=np.array([r[2] for r in scored], dtype=float),
        confidence=np.array([r[3] for r in scored], dtype=float),
        reasons=[r[4] for r in scored],
        runner_up=[r[5] for r in scored],
    )


def predictor(spark: SparkSession, partitions: int | None = None) -> Any:
    """A drop-in for ``LineModel.predict`` (what ``classification.classify(predict=…)`` takes)."""

    # classify() scores a national year a chunk at a time with one model: it is broadcast once
    # (hundreds of MB), and again only if a different model comes.
    current: dict[str, Any] = {}

    def predict(model: LineModel, evidence: Sequence[Evidence]) -> Predictions:
        if current.get("model") is not model:
            if "shared" in current:
                current["shared"].unpersist()
            current.update(model=model, shared=spark.sparkContext.broadcast(model))
        return predict_on_spark(spark, current["shared"], evidence, partitions)

    return predict
