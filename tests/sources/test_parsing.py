"""Property tests for the amount and date parsing shared by every loader (the SQL macros)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observatory.store import Warehouse
from observatory.store.warehouse import sql_text

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@pytest.fixture(scope="module")
def warehouse() -> Warehouse:
    w = Warehouse.memory()
    w.execute_script(sql_text("macros"))
    return w


def _amount_formats(value: Decimal) -> list[str]:
    """The ways publishers write one amount (independently of the parser)."""
    magnitude = abs(value)
    plain = f"{magnitude:.2f}"
    grouped = f"{magnitude:,.2f}"
    formats = [f"{value:.2f}", f"£{value:.2f}" if value >= 0 else f"-£{plain}"]
    if value < 0:
        formats += [f"({plain})", f"({grouped})", f"{grouped}-", f"£({grouped})", f" -{plain} "]
    else:
        formats += [grouped, f"£{grouped}", f" {plain} ", f"œ{grouped}"]
    return formats


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2))
def test_amounts_in_every_published_form(warehouse: Warehouse, value: Decimal) -> None:
    for text in _amount_formats(value):
        parsed = warehouse.fetch_value("SELECT parse_amount(?)", [text])
        assert parsed == value, text


@pytest.mark.parametrize("text", ["", "NA", "N/A", "TBC", "X", "Various", "12.3.4", "1,2a"])
def test_non_amounts_are_null(warehouse: Warehouse, text: str) -> None:
    assert warehouse.fetch_value("SELECT parse_amount(?)", [text]) is None


def _date_formats(d: date) -> list[str]:
    serial = (d - date(1899, 12, 30)).days
    formats = [
        d.isoformat(),
        f"{d:%d/%m/%Y}",
        f"{d.day}/{d.month}/{d.year}",
        f"{d:%d/%m/%y}",
        f"{d.day} {MONTHS[d.month - 1]} {d.year}",
        f"{d:%d}-{MONTHS[d.month - 1]}-{d:%y}",
        f"{d:%d}-{MONTHS[d.month - 1].upper()}-{d.year}",
        f"{d.isoformat()} 00:00:00",
        f"{d:%d.%m.%Y}",
        str(serial),
    ]
    return formats


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2068, 12, 31)))
def test_dates_in_every_published_form(warehouse: Warehouse, d: date) -> None:
    for text in _date_formats(d):
        assert warehouse.fetch_value("SELECT parse_date(?)", [text]) == d, text


@pytest.mark.parametrize("text", ["TBC", "X", "31/02/2021", "2021-13-01", "", "NA", "soon"])
def test_non_dates_are_null(warehouse: Warehouse, text: str) -> None:
    assert warehouse.fetch_value("SELECT parse_date(?)", [text]) is None


def test_two_digit_years_are_this_century(warehouse: Warehouse) -> None:
    assert warehouse.fetch_value("SELECT parse_date('17/02/21')") == date(2021, 2, 17)
    start = date(2024, 1, 1)
    assert warehouse.fetch_value("SELECT parse_date('45292')") == start
    assert start - timedelta(days=1) == warehouse.fetch_value("SELECT parse_date('45291')")


@pytest.mark.parametrize(
    "published,padded",
    [
        ("2535986", "02535986"),
        ("09871073", "09871073"),
        ("SC123", "SC000123"),
        ("oc301234", "OC301234"),
        ("IP29627R", None),
        ("Various", None),
    ],
)
def test_company_numbers_zero_padded(warehouse: Warehouse, published: str, padded: str) -> None:
    assert warehouse.fetch_value("SELECT company_number(?)", [published]) == padded
