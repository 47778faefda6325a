"""Savings register and practice library: recorded, reported, exported and found again."""

from __future__ import annotations

import csv
from decimal import Decimal

import openpyxl
import pytest

from observatory.insight import savings
from observatory.store import Warehouse


@pytest.fixture()
def register() -> Warehouse:
    w = Warehouse.memory()
    savings.add_initiative(
        w,
        savings.Initiative(
            title="Joint domiciliary care framework",
            members=["salford", "trafford"],
            benefit_type="cashable saving",
            status="delivered",
            outcome="achieved",
            category_code="321014",
            category_label="Domiciliary Care",
            priority="1.2",
            baseline=Decimal("1000000"),
            summary="Salford and Trafford tendered one framework with shared lots.",
            route="Open procedure, framework agreement",
            lessons="Align contract end dates a year ahead.",
            contact="lead@example.org",
            documents=["framework-report.pdf"],
            amounts=[
                savings.parse_year_amount("2024-25=30000"),
                savings.parse_year_amount("2025-26=12000@salford:forecast"),
            ],
        ),
    )
    savings.add_initiative(
        w,
        savings.Initiative(
            title="Energy renegotiation",
            members=["manchester"],
            benefit_type="cost avoidance",
            status="in progress",
            priority="2.2",
            summary="Renegotiated the gas supply price cap.",
            amounts=[savings.parse_year_amount("2024-25=5000")],
        ),
    )
    return w


def test_report_splits_joint_amounts_and_totals_the_network(register):
    lines = savings.report(register)
    got = {(r.organisation, r.financial_year, r.benefit_type, r.basis): r.amount for r in lines}
    assert got == {
        ("salford", "2024-25", "cashable saving", "actual"): Decimal("15000.00"),
        ("trafford", "2024-25", "cashable saving", "actual"): Decimal("15000.00"),
        ("salford", "2025-26", "cashable saving", "forecast"): Decimal("12000.00"),
        ("manchester", "2024-25", "cost avoidance", "actual"): Decimal("5000.00"),
        ("network", "2024-25", "cashable saving", "actual"): Decimal("30000.00"),
        ("network", "2025-26", "cashable saving", "forecast"): Decimal("12000.00"),
        ("network", "2024-25", "cost avoidance", "actual"): Decimal("5000.00"),
    }
    assert {r.amount for r in savings.report(register, member="trafford")} == {Decimal("15000")}


def test_library_search_ranks_and_filters(register):
    found = savings.search_library(register, "framework lessons")
    assert [i.title for i in found] == ["Joint domiciliary care framework"]
    assert savings.search_library(register, "", priority="2")[0].title == "Energy renegotiation"
    assert savings.search_library(register, "", member="trafford", outcome="achieved")
    assert savings.search_library(register, "care", category="domiciliary")
    assert savings.search_library(register, "nothing-like-this") == []


def test_export_csv_and_xlsx(register, tmp_path):
    assert savings.export(register, tmp_path / "r.csv") == 2
    rows = list(csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8")))
    assert len(rows) == 3  # one row per amount
    assert {r["amount"] for r in rows} == {"30000.0", "12000.0", "5000.0"}
    assert savings.export(register, tmp_path / "r.xlsx") == 2
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["initiatives", "amounts"]
    assert book["amounts"].max_row == 4


def test_bad_input_is_refused_with_the_reason(register):
    with pytest.raises(savings.SavingsError, match="benefit type"):
        savings.add_initiative(register, savings.Initiative("x", ["salford"], "windfall"))
    with pytest.raises(savings.SavingsError, match="not a member"):
        savings.add_initiative(register, savings.Initiative("x", ["atlantis"], "efficiency"))
    with pytest.raises(savings.SavingsError, match="YEAR=AMOUNT"):
        savings.parse_year_amount("lots")
