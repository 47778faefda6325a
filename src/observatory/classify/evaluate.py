"""How good the line classifier is, measured forward in time on a publisher's own labels.

Train on one financial year of a publisher's labelled lines, test on the next year's labelled
lines (their labels are never seen by training, calibration or features), and compare with the
baseline "the supplier's most frequent code in the training year" computed in the same run.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from observatory.classify import categories
from observatory.classify.cpv import CpvEvaluation, leave_one_out, notice_text
from observatory.classify.evidence import (
    contract_evidence,
    holdout_date,
    line_documents,
    stage_contracts,
    stage_lines,
)
from observatory.classify.model import CalibrationBin, code_texts, reliability, train
from observatory.store import Warehouse

COVERAGE = 0.9


class EvaluationError(ValueError):
    """The warehouse lacks what the evaluation needs (labels, a code list)."""


def financial_year(name: str) -> tuple[date, date]:
    """'2024-25' -> 1 April 2024 .. 31 March 2025 (UK local-government financial year)."""
    try:
        start = int(name.split("-")[0])
    except ValueError as exc:
        raise EvaluationError(f"financial year {name!r}: write it as 2024-25") from exc
    return date(start, 4, 1), date(start + 1, 3, 31)


@dataclass
class Scores:
    lines: int
    accuracy: float
    level1_accuracy: float
    macro_f1: float
    accuracy_at_coverage: float | None  # None for a baseline without a confidence

    def as_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class ClassificationEvaluation:
    organisation: str
    train_year: str
    test_year: str
    training_lines: int
    test_lines: int
    classes_in_training: int
    test_codes_unseen_in_training: int
    model: Scores
    baseline: Scores
    cold_model: Scores
    cold_baseline: Scores
    # Other publishers' contracts that carry ProClass, classified by the same model: how far
    # one publisher's labels carry to another's text (Salford's register in the real data).
    other_publishers: Scores
    reliability: list[CalibrationBin]
    cold_reliability: list[CalibrationBin]
    calibration_holdout: list[CalibrationBin]
    train_seconds: float
    predict_seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def lines_per_second(self) -> float:
        return self.test_lines / self.predict_seconds if self.predict_seconds else float("inf")

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in self.__dict__.items():
            if isinstance(v, Scores):
                out[k] = v.as_json()
            elif isinstance(v, list) and v and isinstance(v[0], CalibrationBin):
                out[k] = [b.as_json() for b in v]
            else:
                out[k] = v
        out["lines_per_second"] = self.lines_per_second
        return out


def _scores(
    truth: np.ndarray,
    predicted: np.ndarray,
    weight: np.ndarray,
    level1: dict[str, str],
    confidence: np.ndarray | None,
) -> Scores:
    n = int(weight.sum())
    if n == 0:
        return Scores(0, float("nan"), float("nan"), float("nan"), None)
    right = truth == predicted
    l1 = np.array(
        [level1.get(t, t) == level1.get(p, p) for t, p in zip(truth, predicted, strict=True)]
    )
    f1 = float(f1_score(truth, predicted, average="macro", sample_weight=weight, zero_division=0))
    at = None
    if confidence is not None:
        order = np.argsort(-confidence, kind="stable")
        w = weight[order]
        # Lines (not documents) are what 90% coverage counts: a document's lines all share its
        # confidence, so the last one taken is taken in part.
        keep = np.minimum(w, np.maximum(COVERAGE * n - (np.cumsum(w) - w), 0))
        at = float((keep * right[order]).sum() / keep.sum())
    return Scores(
        lines=n,
        accuracy=float(np.average(right, weights=weight)),
        level1_accuracy=float(np.average(l1, weights=weight)),
        macro_f1=f1,
        accuracy_at_coverage=at,
    )


def evaluate_classification(
    warehouse: Warehouse,
    organisation: str = "trafford",
    train_year: str = "2024-25",
    test_year: str = "2025-26",
) -> ClassificationEvaluation:
    train_from, train_to = financial_year(train_year)
    test_from, test_to = financial_year(test_year)
    if test_from <= train_to:
        raise EvaluationError("the test year must come after the training year")
    codes = categories.codes(warehouse, "proclass")
    if not codes:
        raise EvaluationError(
            "ProClass is not installed: run `observatory categories import proclass_17.csv` "
            "(the official v17 list) first"
        )
    categories.extend_proclass(warehouse)
    codes = categories.codes(warehouse, "proclass")
    level1 = {c: r["level1"] for c, r in codes.items()}
    params = {"org": organisation, "a": train_from, "b": train_to, "c": test_from, "d": test_to}
    stage_lines(
        warehouse,
        "s.organisation = $org AND (s.payment_date BETWEEN $a AND $b "
        "OR s.payment_date BETWEEN $c AND $d)",
        params,
    )
    learn = "payment_date BETWEEN $a AND $b"
    window = {"a": train_from, "b": train_to}
    cut = holdout_date(warehouse, f"published_code IS NOT NULL AND {learn}", params=window)
    if cut is None:
        raise EvaluationError(
            f"{organisation} has no labelled lines in {train_year}: nothing to learn from"
        )
    docs = line_documents(warehouse, learn, cut, label="published_code", params=window)
    labels = {c: r["label"] for c, r in codes.items()}

    started = time.perf_counter()
    model = train(
        docs.evidence,
        docs.label_doc,
        docs.label_code,
        docs.label_lines,
        docs.label_holdout,
        labels,
        code_texts=code_texts(codes),
    )
    train_seconds = time.perf_counter() - started

    test = warehouse.fetch(
        """
        SELECT doc, published_code AS code, count(*) AS n FROM classify_lines
        WHERE published_code IS NOT NULL AND payment_date BETWEEN $c AND $d
        GROUP BY ALL ORDER BY doc, code
        """,
        {"c": test_from, "d": test_to},
    )
    if not test:
        raise EvaluationError(f"{organisation} has no labelled lines in {test_year} to test on")
    index = {k: i for i, k in enumerate(docs.keys)}
    test_docs = sorted({index[r["doc"]] for r in test})
    position = {d: i for i, d in enumerate(test_docs)}
    started = time.perf_counter()
    predictions = model.predict([docs.evidence[d] for d in test_docs])
    predict_seconds = time.perf_counter() - started
    # The time to classify every test line is the time per distinct document: lines/second
    # counts the lines those documents stand for.

    truth = np.array([r["code"] for r in test])
    weight = np.array([r["n"] for r in test], dtype=float)
    at = np.array([position[index[r["doc"]]] for r in test])
    predicted = np.array(predictions.codes)[at]
    confidence = predictions.confidence[at]

    # Baseline: the supplier's most frequent code in the training year; a supplier never seen
    # there gets the training year's most frequent code overall.
    history: dict[str | None, Counter[str]] = defaultdict(Counter)
    overall: Counter[str] = Counter()
    for d, code, n in zip(docs.label_doc, docs.label_code, docs.label_lines, strict=True):
        history[docs.evidence[d].supplier][code] += n
        overall[code] += n
    fallback = overall.most_common(1)[0][0]
    suppliers = [docs.evidence[index[r["doc"]]].supplier for r in test]
    baseline = np.array(
        [history[s].most_common(1)[0][0] if s in history else fallback for s in suppliers]
    )
    cold = np.array([s not in history for s in suppliers])

    correct = (predicted == truth).astype(float)
    others = [
        r
        for r in stage_contracts(warehouse)
        if r["published_code"] and r["organisation"] != organisation
    ]
    guessed = model.predict([contract_evidence(r) for r in others], explain=False)
    other_truth = np.array([r["published_code"] for r in others], dtype=object)
    result = ClassificationEvaluation(
        organisation=organisation,
        train_year=train_year,
        test_year=test_year,
        training_lines=int(sum(docs.label_lines)),
        test_lines=int(weight.sum()),
        classes_in_training=len(overall),
        test_codes_unseen_in_training=len(set(truth) - set(overall)),
        model=_scores(truth, predicted, weight, level1, confidence),
        baseline=_scores(truth, baseline, weight, level1, None),
        cold_model=_scores(truth[cold], predicted[cold], weight[cold], level1, confidence[cold]),
        cold_baseline=_scores(truth[cold], baseline[cold], weight[cold], level1, None),
        other_publishers=_scores(
            other_truth,
            np.array(guessed.codes, dtype=object),
            np.ones(len(others)),
            level1,
            guessed.confidence,
        ),
        reliability=reliability(confidence, correct, weight),
        cold_reliability=reliability(confidence[cold], correct[cold], weight[cold]),
        calibration_holdout=model.calibration_table,
        train_seconds=train_seconds,
        predict_seconds=predict_seconds,
    )
    unseen = truth[~np.isin(truth, list(overall))]
    if len(unseen):
        result.notes.append(
            f"{len(unseen):,} test lines carry {len(set(unseen))} codes never used in "
            f"{train_year}: no model trained on that year can get them right"
        )
    return result


def evaluate_cpv(warehouse: Warehouse) -> CpvEvaluation:
    """CPV on every contract or notice that publishes one, each predicted from its title and
    description with itself left out."""
    vocabulary = {c: r["label"] for c, r in categories.codes(warehouse, "cpv").items()}
    if not vocabulary:
        raise EvaluationError(
            "CPV is not installed: run `observatory categories import cpv_codes.csv` first"
        )
    rows = warehouse.fetch(
        "SELECT title, description, cpv_code FROM contracts WHERE cpv_code IS NOT NULL "
        "ORDER BY contract_key"
    )
    if len(rows) < 2:
        raise EvaluationError("fewer than two contracts publish a CPV code: nothing to measure")
    _, result = leave_one_out(
        vocabulary,
        [notice_text(r["title"], r["description"]) for r in rows],
        [r["cpv_code"][:8] for r in rows],
    )
    return result
