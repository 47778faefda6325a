"""The line classifier: Complement Naive Bayes over evidence tokens, an isotonic calibration of its
margin, and a reason naming the evidence that carried each prediction.

Why this model: on Trafford's two years it matches a linear SVM's accuracy within half a point
while training in seconds rather than minutes on two cores, and its per-token weights give a
reason directly (docs/methods/classification.md compares the candidates).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.isotonic import IsotonicRegression
from sklearn.naive_bayes import ComplementNB

from observatory.classify.features import FAMILIES, REDACTED, Evidence, tokens

# Smoothing of the token counts; small because most evidence is exact and repeated
# (0.003 to 0.03 made no difference on Trafford's forward split, see the method note).
ALPHA = 0.01


PREDICT_BATCH = 20_000  # documents scored at once
# The model keeps the commonest tokens of its training documents, at most this many. Complement
# NB holds dense codes x tokens arrays (about 600 x tokens x 8 bytes, several of them while
# fitting), so this bounds its memory at any size: the real network has ~75,000 tokens (none
# left out); a generated national year of 1M lines has 430,000 and needed 16 GB without it.
MAX_FEATURES = 150_000


@dataclass
class Predictions:
    codes: list[str]
    scores: np.ndarray  # margin of the best code over the runner-up
    confidence: np.ndarray  # calibrated probability that the code is right
    reasons: list[str]
    runner_up: list[str]

    @classmethod
    def join(cls, parts: Sequence[Predictions]) -> Predictions:
        """Predictions of consecutive parts of a list of documents, as one."""
        if not parts:
            return cls([], np.zeros(0), np.zeros(0), [], [])
        return cls(
            [c for p in parts for c in p.codes],
            np.concatenate([p.scores for p in parts]),
            np.concatenate([p.confidence for p in parts]),
            [r for p in parts for r in p.reasons],
            [r for p in parts for r in p.runner_up],
        )


@dataclass
class CalibrationBin:
    low: float
    high: float
    lines: int
    mean_confidence: float
    accuracy: float

    def as_json(self) -> dict[str, float | int]:
        return self.__dict__.copy()


# A token whose weight for the chosen code is less than this (in nats) above its average over
# codes hardly points anywhere: the reason then says the evidence is weak.
WEAK = 1.0

BINS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001)


def reliability(
    confidence: np.ndarray, correct: np.ndarray, weight: np.ndarray
) -> list[CalibrationBin]:
    """Lines grouped by stated confidence, with how often each group was right."""
    out = []
    for low, high in zip(BINS, BINS[1:], strict=False):
        mask = (confidence >= low) & (confidence < high)
        w = weight[mask]
        if w.sum() == 0:
            continue
        out.append(
            CalibrationBin(
                low,
                min(high, 1.0),
                int(w.sum()),
                float(np.average(confidence[mask], weights=w)),
                float(np.average(correct[mask], weights=w)),
            )
        )
    return out


@dataclass
class LineModel:
    """Vectoriser, classifier, calibration and each supplier's labelled history (for reasons)."""

    alpha: float = ALPHA
    vectoriser: CountVectorizer = field(init=False)
    classifier: ComplementNB = field(init=False)
    # One calibration for lines whose supplier has labelled history, one for the rest: how often
    # the model is right depends on that more than on anything else (cold start).
    calibration: dict[bool, IsotonicRegression] | None = None
    calibration_table: list[CalibrationBin] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # code -> label for reasons
    history: dict[str, Counter[str]] = field(default_factory=dict)  # supplier key -> codes
    # Derived from the fitted classifier once, not per batch of documents; rebuilt after
    # unpickling rather than shipped to Spark's workers.
    _scoring: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "_scoring"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._scoring = {}

    def _derived(self) -> dict[str, np.ndarray]:
        if not self._scoring:
            weights = self.classifier.feature_log_prob_
            self._scoring = {
                "weights_t": np.ascontiguousarray(weights.T),  # a view: fit stored it so
                "mean": weights.mean(axis=0),  # a codes x tokens lift matrix: hundreds of MB
                "names": self.vectoriser.get_feature_names_out(),
            }
        return self._scoring

    def fit(
        self, evidence: Sequence[Evidence], codes: Sequence[str], lines: Sequence[int]
    ) -> LineModel:
        self.vectoriser = CountVectorizer(
            analyzer=tokens, binary=True, dtype=np.float64, max_features=MAX_FEATURES
        )
        x = self.vectoriser.fit_transform(evidence)
        # log(1 + lines): a supplier paid weekly should not drown one paid once a year.
        weight = np.log1p(np.asarray(lines, dtype=float))
        classifier = ComplementNB(alpha=self.alpha).fit(x, list(codes), sample_weight=weight)
        # Scoring multiplies by the transposed weights, which scipy wants contiguous: keep them
        # stored that way (the same numbers), and drop the raw counts scoring never reads, so a
        # fitted model holds one codes x tokens array instead of three.
        classifier.feature_log_prob_ = np.ascontiguousarray(classifier.feature_log_prob_.T).T
        del classifier.feature_count_, classifier.feature_all_
        self.classifier = classifier
        self._scoring = {}
        history: dict[str, Counter[str]] = defaultdict(Counter)
        for ev, code, n in zip(evidence, codes, lines, strict=True):
            if ev.supplier:
                history[ev.supplier][code] += n
        self.history = dict(history)
        return self

    @property
    def classes(self) -> np.ndarray:
        return self.classifier.classes_

    def _scores(self, evidence: Sequence[Evidence]) -> tuple[np.ndarray, np.ndarray, object]:
        x = self.vectoriser.transform(evidence)
        # Complement NB leaves out the class prior; adding it back (as plain NB has it) keeps
        # lines with little evidence, such as new suppliers', on the publisher's common codes.
        jll = np.asarray(x @ self._derived()["weights_t"])
        jll = jll + self.classifier.class_log_prior_
        if jll.shape[1] == 1:
            return np.zeros(len(evidence), dtype=int), np.full(len(evidence), np.inf), x
        rows = np.arange(len(evidence))
        first = jll.argmax(axis=1)
        best = jll[rows, first]
        jll[rows, first] = -np.inf
        second = jll.argmax(axis=1)
        margin = best - jll[rows, second]
        return first, np.stack([margin, second], axis=1), x

    def known(self, evidence: Sequence[Evidence]) -> np.ndarray:
        return np.array([ev.supplier in self.history for ev in evidence], dtype=bool)

    def calibrate(
        self, evidence: Sequence[Evidence], truth: Sequence[str], lines: Sequence[int]
    ) -> None:
        """Fit confidence = P(right | margin, supplier known) on held-out labelled evidence."""
        scored = [
            self._scores(evidence[i : i + PREDICT_BATCH])[:2]
            for i in range(0, len(evidence), PREDICT_BATCH)
        ]
        first = np.concatenate([f for f, _ in scored])
        extra = np.concatenate([e for _, e in scored])
        correct = (self.classes[first] == np.asarray(truth)).astype(float)
        weight = np.asarray(lines, dtype=float)
        known = self.known(evidence)
        self.calibration = {}
        for group in (True, False):
            mask = known == group if (known == group).any() else np.ones_like(known)
            iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
            self.calibration[group] = iso.fit(
                extra[mask, 0], correct[mask], sample_weight=weight[mask]
            )
        confidence = self._confidence(extra[:, 0], known)
        self.calibration_table = reliability(confidence, correct, weight)

    def _confidence(self, margin: np.ndarray, known: np.ndarray) -> np.ndarray:
        if self.calibration is None:  # uncalibrated: a squashed margin, only for ranking
            return 1 - np.exp(-np.maximum(margin, 0))
        out = np.empty(len(margin))
        for group, iso in self.calibration.items():
            mask = known == group
            if mask.any():
                out[mask] = iso.predict(margin[mask])
        return out

    def predict(self, evidence: Sequence[Evidence], explain: bool = True) -> Predictions:
        if len(evidence) > PREDICT_BATCH:
            # Scores are a documents x codes matrix (about 5 GB for a million documents and
            # ProClass's codes); every row is scored on its own, so batches give the same result
            # in bounded memory.
            return Predictions.join(
                [
                    self.predict(evidence[i : i + PREDICT_BATCH], explain)
                    for i in range(0, len(evidence), PREDICT_BATCH)
                ]
            )
        if not len(evidence):
            return Predictions.join([])
        first, extra, x = self._scores(evidence)
        margin = extra[:, 0]
        confidence = self._confidence(margin, self.known(evidence))
        codes = [str(c) for c in self.classes[first]]
        runner = [str(c) for c in self.classes[extra[:, 1].astype(int)]]
        reasons = self._reasons(evidence, first, x) if explain else [""] * len(codes)
        return Predictions(codes, margin, confidence, reasons, runner)

    # -- reasons -------------------------------------------------------------------------------
    def _reasons(self, evidence: Sequence[Evidence], first: np.ndarray, x: object) -> list[str]:
        """Name the token that most favours the chosen code over the average code."""
        derived = self._derived()
        weights, mean, names = self.classifier.feature_log_prob_, derived["mean"], derived["names"]
        csr = x.tocsr()  # type: ignore[attr-defined]
        rows = np.repeat(np.arange(len(evidence)), np.diff(csr.indptr))
        # Every (document, token) lift at once; the first of a document's highest lifts is the
        # one np.argmax would pick within its row.
        lift = weights[first[rows], csr.indices] - mean[csr.indices]
        order = np.lexsort((np.arange(len(lift)), -lift, rows))
        starts = np.searchsorted(rows[order], np.arange(len(evidence)))
        out = []
        for i, ev in enumerate(evidence):
            if csr.indptr[i] == csr.indptr[i + 1]:
                out.append("no evidence the model knows: the most common code")
                continue
            best = order[starts[i]]
            token = str(names[csr.indices[best]])
            reason = self._reason(ev, str(self.classes[first[i]]), token)
            if lift[best] < WEAK or token.startswith("m="):
                reason = f"weak evidence: {reason}"
            out.append(reason)
        return out

    def _reason(self, ev: Evidence, code: str, token: str) -> str:
        family, _, value = token.partition("=")
        label = self.labels.get(code, "")
        what = f"{code} {label}".strip()
        if family in ("s", "sh", "sa", "t", "r") and ev.supplier in self.history:
            seen = self.history[ev.supplier]
            total = sum(seen.values())
            who = "redacted payees" if ev.supplier == REDACTED else "supplier"
            if seen.most_common(1)[0][0] == code:
                return f"{who} usually {what} ({seen[code]:,} of {total:,} labelled lines)"
            usual = seen.most_common(1)[0][0]
            return f"{FAMILIES[family]} usually {what} ({who} alone: usually {usual})"
        if family in ("w", "b", "aw"):
            return f"{FAMILIES[family]} ~ '{value}' -> {what}"
        if family in ("h", "a", "c", "x", "mc", "ha"):
            shown = value.split("|")[-1] if "|" in value else value
            return f"{FAMILIES[family]} '{shown}' usually {what}"
        if family == "m":
            return f"only the amount band and how common the code is -> {what}"
        return f"{FAMILIES.get(family, family)} -> {what}"


def train(
    evidence: Sequence[Evidence],
    label_doc: Sequence[int],
    label_code: Sequence[str],
    label_lines: Sequence[int],
    label_holdout: Sequence[bool],
    labels: dict[str, str] | None = None,
    alpha: float = ALPHA,
    code_texts: dict[str, str] | None = None,
) -> LineModel:
    """Fit on the labelled lines before the hold-out, calibrate on the hold-out, then refit on
    everything and keep that calibration. The refit model has seen more, so its margins are not
    exactly those the calibration saw: the evaluation's reliability table on the following year
    shows how far that matters."""
    docs = [evidence[i] for i in label_doc]
    label_code, label_lines = list(label_code), list(label_lines)
    label_holdout = list(label_holdout)
    # The code list's own words, one document per code with the weight of a single line: codes
    # no publisher has used yet can still be found from text ('domiciliary care').
    for code, text in (code_texts or {}).items():
        docs.append(Evidence("code list", None, text, None, None, None, None, None, "none"))
        label_code.append(code)
        label_lines.append(1)
        label_holdout.append(False)
    holdout = np.asarray(label_holdout, dtype=bool)
    model = LineModel(alpha=alpha, labels=labels or {})
    if holdout.any() and (~holdout).any():
        early = np.flatnonzero(~holdout)
        late = np.flatnonzero(holdout)
        model.fit(
            [docs[i] for i in early],
            [label_code[i] for i in early],
            [label_lines[i] for i in early],
        )
        model.calibrate(
            [docs[i] for i in late], [label_code[i] for i in late], [label_lines[i] for i in late]
        )
    calibration, table = model.calibration, model.calibration_table
    model.fit(docs, label_code, label_lines)
    model.calibration, model.calibration_table = calibration, table
    return model


def code_texts(codes: dict[str, dict[str, object]]) -> dict[str, str]:
    """Each installed code's names at every level and its clarification, as one text."""
    out = {}
    for code, r in codes.items():
        note = str(r.get("note") or "")
        parts = [r.get("level1"), r.get("level2"), r.get("level3"), r.get("label")]
        if note and not note.startswith("level 1"):  # extensions' notes say how, not what
            parts.append(note)
        out[code] = " ".join(str(p) for p in parts if p)
    return out
