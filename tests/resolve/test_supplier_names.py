"""Cleaning of published supplier names and identifiers (supplier_macros.sql). Each expected value
is written by hand from the rule in docs/methods/supplier-resolution.md, on names as real
publishers print them."""

from __future__ import annotations

import pytest

from observatory.resolve.suppliers import prepare
from observatory.store import Warehouse


@pytest.fixture(scope="module")
def warehouse() -> Warehouse:
    w = Warehouse.memory()
    prepare(w)
    return w


@pytest.mark.parametrize(
    ("published", "core", "trading"),
    [
        # The issue's own example: one company, four ways.
        ("BRITISH TELECOMMUNICATIONS PLC", "british telecommunications", None),
        ("British Telecommunications Ltd", "british telecommunications", None),
        ("BT (ref 4411)", "bt", None),
        ("BT", "bt", None),
        # '&' and 'and', punctuation, apostrophes, HTML entities from OCDS.
        ("Schofield & Sons Ltd", "schofield and sons", None),
        ("Schofield and Sons Ltd", "schofield and sons", None),
        ("Schofield &amp; Sons Ltd", "schofield and sons", None),
        ("North Lakes Children`s Services Ltd", "north lakes childrens services", None),
        ("Jacobs U.K Ltd", "jacobs", None),
        ("Bramley Hart & Co LLP", "bramley hart", None),
        # Trading names after 't/a'.
        ("Kestrel Mobility Services Ltd t/a Kestrel Care at Home", "kestrel mobility services",
         "kestrel care at home"),
        ("L&Q T/A London & Quadrant Housing T", "l and q", "london and quadrant housing t"),
        # Trafford's 35-character cut leaves a fragment of 'Limited'.
        ("Askews and Holts Library Services L", "askews and holts library services", None),
        # What follows the legal form is a branch or an account; a closing bracket qualifies.
        ("HC-One Ltd (Kings Park)", "hc one", None),
        ("Horizon Healthcare Homes Limited re Beckside Lodge", "horizon healthcare homes", None),
        ("Cohens Chemist (Altrincham)", "cohens chemist", None),
        ("Countrywide Estate Agents (Altrinch", "countrywide estate agents", None),
        # ... but a bracket inside a registered name stays.
        ("ENGIE Regeneration (Bramall) Ltd", "engie regeneration bramall", None),
        # Long digit runs are account numbers.
        ("SSE - 8700217449 Amenity Lighting Un", "sse amenity lighting un", None),
        ("Crème de la Crème Catering Ltd", "creme de la creme catering", None),
        # A name that is only a legal form keeps its text.
        ("Limited", "limited", None),
    ],
)  # fmt: skip
def test_cleaned_names(warehouse: Warehouse, published: str, core: str, trading: str) -> None:
    row = warehouse.fetch(
        "SELECT supplier_core(?) AS core, supplier_core_of(supplier_trading_full(?)) AS trading",
        [published, published],
    )[0]
    assert (row["core"], row["trading"]) == (core, trading)


@pytest.mark.parametrize(
    ("published", "form"),
    [
        ("British Telecommunications PLC", "PLC"),
        ("Price Waterhouse Coopers Llp", "LLP"),
        ("Riverside Minds Community Interest Company", "CIC"),
        ("Acme Widgets Limited", "company"),
        ("Our Lady's RC Primary School", "public body"),
        ("Tameside MBC Borough Council", "public body"),
        # Public bodies as real files print them: a metropolitan borough as 'MBC' or 'M.B.C.',
        # a department 'of' or cut to 'Dept', the Combined Authority cut at 35 characters, a
        # superannuation fund, a court service by its abbreviation.
        ("Stockport MBC (Accts Receiveable)", "public body"),
        ("Bury M.B.C.", "public body"),
        ("Dept of Business Energy & Ind Strat", "public body"),
        ("Greater Manchester Combined Authori", "public body"),
        ("GREATER MANCHESTER SUPERANN FUND", "public body"),
        ("HMCTS (Manchester County Court)", "public body"),
        ("Transport For Greater Manchester", "public body"),
        ("London Borough of Hounslow", "public body"),
        ("NEWCASTLEUPONTYNE HOSPITALTRUST", "public body"),
        ("Central Mcr Uni Hospital t/a", "public body"),
        ("Tameside Metropolitan Bouough", "public body"),
        # ... and names that only hold such a word are not: a private pension fund, an
        # architects' practice, a care charity, a brass band, a church, an events firm.
        ("RETAILCHIC PENSION FUND", None),
        ("Transport for All", None),
        ("Office for Metropolitan Architectur", None),
        ("Community Integrated Care", None),
        ("Eccles Borough Band", None),
        ("Rishton Parish Church", None),
        ("GOVERNMENT EVENTS", None),
        ("The Joseph Cox Charity", "charity"),
        ("Peter De Haan Charitable Trust", "charity"),
        ("Mr J Smith", "individual/sole trader"),
        ("A Rostron T/A Rostron Plumbing", "individual/sole trader"),
        ("L&Q T/A London & Quadrant Housing T", None),
        ("The Range", None),
    ],
)
def test_legal_form_the_name_states(warehouse: Warehouse, published: str, form: str) -> None:
    got = warehouse.fetch_value(
        "SELECT supplier_form_hint(supplier_name_full(?), supplier_trading_full(?))",
        [published, published],
    )
    assert got == form


@pytest.mark.parametrize(
    ("raw", "ppon"),
    [("GB-PPON-ABCD-1234-EFGH", "ABCD-1234-EFGH"), ("abcd-1234-efgh", "ABCD-1234-EFGH"),
     ("ABCD-123-EFGH", None)],
)  # fmt: skip
def test_ppon(warehouse: Warehouse, raw: str, ppon: str | None) -> None:
    assert warehouse.fetch_value("SELECT supplier_ppon(?)", [raw]) == ppon


@pytest.mark.parametrize(
    ("raw", "company", "vat", "charity", "postcode"),
    [
        ("2535986", "02535986", None, "2535986", None),  # DOMAIN.md's example
        ("SC055775", "SC055775", None, None, None),
        ("gb-coh-04869035", "04869035", None, None, None),
        ("JN393272A", None, None, None, None),  # a National Insurance number, not a company
        ("0", None, None, None, None),
        ("GB 123 4567 89", None, "GB123456789", None, None),
        ("GB48670494", None, None, None, None),  # eight digits: not a VAT number
        ("1234567-1", None, None, "1234567", None),  # a linked charity's number
        ("m1 1aa", None, None, None, "M1 1AA"),
        ("SW1A1AA", None, None, None, "SW1A 1AA"),
        ("NA", None, None, None, None),
    ],
)
def test_identifiers(
    warehouse: Warehouse,
    raw: str,
    company: str | None,
    vat: str | None,
    charity: str | None,
    postcode: str | None,
) -> None:
    row = warehouse.fetch(
        "SELECT supplier_company_number(?) AS c, supplier_vat_number(?) AS v, "
        "supplier_charity_number(?) AS ch, supplier_postcode(?) AS p",
        [raw] * 4,
    )[0]
    assert (row["c"], row["v"], row["ch"], row["p"]) == (company, vat, charity, postcode)
