"""Evaluation of supplier resolution: the scores on a small case worked by hand, and the
resolver on the real gold set (names only, no company numbers) on pairs whose truth is known
from the publishers' numbers and the data README."""

from __future__ import annotations

from pathlib import Path

import pytest
from independent import DATA, need

from observatory.resolve import evaluation as ev


def test_scores_worked_by_hand() -> None:
    truth = ["A", "A", "A", "B", "B", "C"]
    predicted = ["1", "1", "2", "2", "2", "3"]
    s = ev.scores(truth, predicted)
    # Gold pairs: AAA -> 3, BB -> 1. Predicted pairs: 11 -> 1, 222 -> 3. Right: (0,1), (3,4).
    assert (s.pairs_true, s.pairs_predicted, s.pairs_correct) == (4, 4, 2)
    assert (s.precision, s.recall) == (0.5, 0.5)
    # B-cubed: per item |same gold ∩ same predicted| / |same predicted| (or / |same gold|).
    assert s.bcubed_precision == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3 + 1) / 6)
    assert s.bcubed_recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1 + 1) / 6)
    # Multi-name clusters: gold {0,1,2}, {3,4} (none reproduced); predicted {0,1} (pure),
    # {2,3,4} (mixed).
    assert (s.clusters_true, s.clusters_exact, s.clusters_predicted, s.clusters_pure) == (
        2,
        0,
        2,
        1,
    )


def test_pooled_pairs_count_every_sets_pairs_once() -> None:
    small = ev.scores(["A", "A", "B"], ["1", "1", "1"])  # 1 true pair, 3 predicted, 1 right
    large = ev.scores(["A", "A", "A", "B"], ["1", "1", "2", "3"])  # 3 true, 1 predicted, 1 right
    pooled = ev.pooled_pairs([small, large])
    assert (pooled["pairs_true"], pooled["pairs_predicted"], pooled["pairs_correct"]) == (4, 4, 2)
    # Not the mean of the sets' precisions (1/3 and 1): 2 right of 4 predicted.
    assert (pooled["precision"], pooled["recall"]) == (0.5, 0.5)


def test_judgements_cut_and_join_gold_clusters() -> None:
    items = [
        ev.GoldItem("s", "Gazprom", "00101100"),
        ev.GoldItem("s", "SSE", "00101100"),
        ev.GoldItem("s", "Schofield & Sons Ltd", "25459259"),
        ev.GoldItem("s", "Schofield and Sons Ltd", "02459259"),
    ]
    judged = ev.judged_clusters(
        items,
        [
            ev.Judgement("Gazprom", "SSE", "different", "publisher error"),
            ev.Judgement("Schofield & Sons Ltd", "Schofield and Sons Ltd", "same", "typo"),
        ],
    )
    assert judged[0] != judged[1]
    assert judged[2] == judged[3]


Result = tuple[list[ev.GoldItem], list[str]]


@pytest.fixture(scope="module")
def gold_result() -> Result:
    path = need(DATA / "labels" / "supplier_company_numbers.csv")
    items = ev.company_number_gold(path)
    predicted, scratch = ev.resolve_items(items, model=None, threads=1)
    scratch.close()
    return items, predicted


def _same(result: Result, a: str, b: str) -> bool:
    items, predicted = result
    ids_a = {p for i, p in zip(items, predicted, strict=True) if i.name == a}
    ids_b = {p for i, p in zip(items, predicted, strict=True) if i.name == b}
    assert ids_a and ids_b, (a, b)
    return ids_a == ids_b and len(ids_a) == 1


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("AON UK Ltd", "Aon UK Ltd"),
        ("Schofield & Sons Ltd", "Schofield and Sons Ltd"),
        ("Andrew Greenwood Electrical Ltd", "Andrew Greenwood Electrical Serv"),  # cut short
        ("BRAKE BROS LIMITED", "Brake Bros"),
        ("MARSTON (HOLDINGS) LIMITED", "Marston Holding"),
    ],
)
def test_real_names_of_one_company_are_joined(gold_result: Result, a: str, b: str) -> None:
    assert _same(gold_result, a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Gazprom", "Scottish & Southern Electric (SSE)"),  # one number, two firms (data README)
        ("CDW Ltd", "Softcat PLC"),
        ("Locata", "Phoenix Software"),
        ("Bloom Procurement Services Ltd", "GT3 Architects"),
    ],
)
def test_publishers_mistakes_are_not_followed(gold_result: Result, a: str, b: str) -> None:
    assert not _same(gold_result, a, b)


def test_judgement_files_name_real_gold_names() -> None:
    """Every judged pair names names that are in its gold set (a typo would judge nothing)."""
    path = need(DATA / "labels" / "supplier_company_numbers.csv")
    names = {i.name for i in ev.company_number_gold(path)}
    docs = Path(__file__).parents[2] / "docs" / "methods" / "supplier-resolution"
    for j in ev.read_judgements(docs / "judgements-company-numbers.csv"):
        assert j.name_a in names and j.name_b in names, j
