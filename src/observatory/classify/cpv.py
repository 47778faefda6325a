"""CPV 2008 codes for contracts and notices whose source gives none, from their title and
description: TF-IDF similarity to the CPV vocabulary's own descriptions, plus a vote of the most
similar notices that do carry a CPV code. Measured by leave-one-out on the published notices."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.isotonic import IsotonicRegression

# Chosen among a handful of settings on the Contracts Finder notices (see the method note):
TITLE_REPEAT = 2  # titles say what is bought; descriptions carry procedure boilerplate
NEIGHBOURS = 5
NEIGHBOUR_WEIGHT = 0.5


def notice_text(title: str | None, description: str | None, extra: str | None = None) -> str:
    """Title twice, then the description (names arrive HTML-escaped: '&amp;')."""
    parts = [(title or "").strip() + ". "] * TITLE_REPEAT + [description or "", extra or ""]
    return html.unescape(" ".join(p for p in parts if p))


@dataclass
class CpvPrediction:
    code: str
    division: str
    margin: float
    confidence: float
    reason: str


@dataclass
class CpvModel:
    vocabulary: dict[str, str]  # 8-digit code -> description
    vectoriser: TfidfVectorizer = field(init=False)
    calibration: IsotonicRegression | None = None

    def fit(self, texts: Sequence[str], codes: Sequence[str]) -> CpvModel:
        self.codes = list(self.vocabulary)
        self._position = {c: i for i, c in enumerate(self.codes)}
        self.divisions = sorted({c[:2] for c in self.codes})
        self.vectoriser = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, stop_words="english"
        )
        self.vectoriser.fit([self.vocabulary[c] for c in self.codes] + list(texts))
        self.vocab_matrix = self.vectoriser.transform([self.vocabulary[c] for c in self.codes])
        self.notice_matrix = self.vectoriser.transform(list(texts))
        self.notice_codes = list(codes)
        self.notice_titles = [t.split(". ")[0] for t in texts]
        division_index = {d: i for i, d in enumerate(self.divisions)}
        self._code_division = np.array([division_index[c[:2]] for c in self.codes])
        return self

    def predict(
        self, texts: Sequence[str], exclude: Sequence[int | None] | None = None
    ) -> list[CpvPrediction]:
        """``exclude[i]`` is a notice left out of text i's neighbours (leave-one-out)."""
        if not len(texts):
            return []
        x = self.vectoriser.transform(list(texts))
        to_vocab = (x @ self.vocab_matrix.T).toarray()
        to_notices = (x @ self.notice_matrix.T).toarray() if self.notice_codes else None
        out = []
        for i in range(len(texts)):
            out.append(self._one(i, to_vocab[i], to_notices, exclude[i] if exclude else None))
        if self.calibration is not None:
            confidence = self.calibration.predict(np.array([p.margin for p in out]))
            for p, c in zip(out, confidence, strict=True):
                p.confidence = float(c)
        return out

    def _one(
        self, i: int, vocab: np.ndarray, notices: np.ndarray | None, leave_out: int | None
    ) -> CpvPrediction:
        score = np.full(len(self.divisions), 0.0)
        np.maximum.at(score, self._code_division, vocab)
        code_score: dict[str, float] = {}
        best_vocab = int(np.argmax(vocab))
        neighbours: list[int] = []
        if notices is not None:
            sims = notices[i].copy()
            if leave_out is not None:
                sims[leave_out] = -1.0
            neighbours = [j for j in np.argsort(-sims)[:NEIGHBOURS] if sims[j] > 0]
            for j in neighbours:
                code = self.notice_codes[j]
                score[self.divisions.index(code[:2])] += NEIGHBOUR_WEIGHT * sims[j]
                code_score[code] = code_score.get(code, 0.0) + NEIGHBOUR_WEIGHT * sims[j]
        order = np.argsort(-score)
        division = self.divisions[order[0]]
        margin = float(score[order[0]] - (score[order[1]] if len(order) > 1 else 0.0))
        # The code: the best-scoring candidate inside the chosen division.
        in_division = np.flatnonzero(self._code_division == order[0])
        top_vocab = int(in_division[np.argmax(vocab[in_division])])
        candidates = {self.codes[top_vocab]: float(vocab[top_vocab])}
        for code, s in code_score.items():
            if code[:2] == division:
                own = float(vocab[self._position[code]]) if code in self._position else 0.0
                candidates[code] = own + s
        code = max(candidates, key=lambda c: candidates[c])
        led_by_notice = [j for j in neighbours if self.notice_codes[j][:2] == division]
        if led_by_notice and code_score.get(code, 0.0) >= float(vocab[best_vocab]):
            reason = f"text like notice '{self.notice_titles[led_by_notice[0]][:60]}'"
        else:
            reason = f"text ~ CPV '{self.vocabulary[self.codes[top_vocab]]}'"
        return CpvPrediction(code, division, margin, 0.0, reason)

    def calibrate(self, margins: Sequence[float], correct: Sequence[bool]) -> None:
        self.calibration = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        self.calibration.fit(np.asarray(margins), np.asarray(correct, dtype=float))


@dataclass
class CpvEvaluation:
    notices: int
    division_accuracy: float
    group_accuracy: float  # 3 digits
    exact_accuracy: float  # 8 digits
    majority_division_accuracy: float  # baseline: always the most common division
    divisions: int
    predictions: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out = self.__dict__.copy()
        out.pop("predictions")
        return out


def leave_one_out(
    vocabulary: dict[str, str], texts: Sequence[str], codes: Sequence[str]
) -> tuple[CpvModel, CpvEvaluation]:
    """Each notice predicted by a model whose neighbours exclude it; the vocabulary is fixed
    text, so leaving a notice out of the neighbour vote is leaving it out of the model, apart
    from its words' share of the TF-IDF document frequencies."""
    model = CpvModel(vocabulary).fit(texts, codes)
    predictions = model.predict(texts, exclude=list(range(len(texts))))
    truth = np.array(codes)
    predicted = np.array([p.code for p in predictions])
    division_right = np.array(
        [p.division == c[:2] for p, c in zip(predictions, codes, strict=True)]
    )
    model.calibrate([p.margin for p in predictions], division_right)
    counts = np.unique([c[:2] for c in codes], return_counts=True)
    evaluation = CpvEvaluation(
        notices=len(codes),
        division_accuracy=float(division_right.mean()) if len(codes) else float("nan"),
        group_accuracy=float(
            np.mean([p[:3] == t[:3] for p, t in zip(predicted, truth, strict=True)])
        ),
        exact_accuracy=float(np.mean(predicted == truth)),
        majority_division_accuracy=float(counts[1].max() / len(codes)) if len(codes) else 0.0,
        divisions=len(counts[0]),
        predictions=[
            {"truth": t, "predicted": p.code, "reason": p.reason}
            for t, p in zip(codes, predictions, strict=True)
        ],
    )
    return model, evaluation
