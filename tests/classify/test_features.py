"""What the classifier reads of a line: supplier keys and evidence tokens."""

from __future__ import annotations

from observatory.classify.features import (
    REDACTED,
    Evidence,
    purpose_head,
    supplier_key,
    supplier_name_key,
    words,
)


def test_supplier_names_that_differ_only_in_legal_form_share_a_key() -> None:
    # Trafford cuts names at 35 characters and writes legal forms both ways.
    assert supplier_name_key("Amey LG Ltd") == supplier_name_key("AMEY LG LIMITED")
    assert supplier_name_key("L&Q T/A London & Quadrant") == supplier_name_key(
        "L and Q t/a London and Quadrant"
    )
    assert supplier_name_key("Amey LG Ltd") != supplier_name_key("Amey OW Ltd")
    assert supplier_name_key("  ") is None


def test_a_resolved_supplier_wins_and_redacted_payees_share_one_key() -> None:
    assert supplier_key("sup-00042", "Amey LG Ltd", False) == "sup-00042"
    assert supplier_key(None, "Amey LG Ltd", False) == "name:AMEY LG"
    assert supplier_key("sup-1", "Redacted", True) == REDACTED


def test_purpose_head_and_words_drop_numbers_and_months() -> None:
    assert purpose_head("CASH DISCOUNT TAKEN - 5100483333") == "CASH DISCOUNT TAKEN"
    assert purpose_head("EXT DOM CARE SPOT CO") == "EXT DOM CARE SPOT CO"
    assert words("POSTAGES - Whistl Postage 2026 (asc) March") == [
        "postages",
        "whistl",
        "postage",
        "asc",
    ]


def test_publisher_only_columns_carry_the_organisation() -> None:
    ev = Evidence(
        "trafford", "name:AMEY LG", "REPAIRS", None, "Capital Schemes", "610098", "4600", None, "+3"
    )
    tokens = ev.tokens()
    assert "a=trafford|CAPITAL SCHEMES" in tokens
    assert "c=trafford|610098" in tokens
    assert "r=trafford|4600" in tokens
    assert "s=name:AMEY LG" in tokens and "w=repairs" in tokens
