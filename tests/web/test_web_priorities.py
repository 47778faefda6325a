"""The nine priority pages on the generated demonstration network: real figures from the
analyses, tables that export, rows that link to what is behind them, and the access rule for
member-entered records."""

from __future__ import annotations

import io
import re
from html import unescape

import openpyxl
import pytest

from observatory.store import Warehouse
from observatory.web.analysis_pages import SUBPAGES
from observatory.web.priorities import PRIORITIES

ANALYST = "analyst@brindleford.example"
COORDINATOR = "coordinator@network.example"

# The comparable supplier name, written out here (not the analyses' macro) so the test checks the
# figure independently: cut at 35 characters; case, '&'/'+', apostrophes, punctuation, a leading
# 'The' and one trailing legal form ignored (docs/methods/collaboration.md, "Keys").
NAME_KEY = r"""
    nullif(regexp_replace(regexp_replace(trim(regexp_replace(regexp_replace(regexp_replace(
        upper(left(trim(replace(coalesce(supplier_name, ''), '&amp;', '&')), 35)),
        '[''’`]', '', 'g'),
        '\s*[&+]\s*', ' AND ', 'g'),
        '[^A-Z0-9]+', ' ', 'g')),
        '^THE ', ''),
        ' (LIMITED|LTD|PLC|LLP|CIC|INC|L|LI|LIM|LIMI|LIMIT|LIMITE)$', ''), '')
"""


@pytest.fixture(scope="module")
def analyst(site):
    return site.client(ANALYST)


def _figures(html: str) -> list[str]:
    return [
        unescape(re.sub(r"<[^>]+>", "", v)).strip()
        for v in re.findall(r'<p class="app-figure__value">(.*?)</p>', html, re.S)
    ]


@pytest.mark.parametrize("slug", [p.slug for p in PRIORITIES])
def test_every_priority_page_shows_figures_and_a_table(analyst, slug: str) -> None:
    r = analyst.get(f"/priorities/{slug}")
    assert r.status_code == 200, r.text[:500]
    assert "Not built yet" not in r.text
    assert "Scope:" in r.text and "Method notes" in r.text
    assert _figures(r.text), "no headline figures"
    assert 'class="govuk-table app-table"' in r.text
    assert "format=csv" in r.text and "format=xlsx" in r.text
    assert "/methods/" in r.text
    csv = analyst.get(f"/priorities/{slug}?format=csv")
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    xlsx = analyst.get(f"/priorities/{slug}?format=xlsx")
    assert xlsx.status_code == 200
    openpyxl.load_workbook(io.BytesIO(xlsx.content))
    for sub in SUBPAGES[slug]:
        page = analyst.get(f"/priorities/{slug}/{sub}")
        assert page.status_code == 200, (sub, page.text[:300])
        assert analyst.get(f"/priorities/{slug}/{sub}?format=csv").status_code == 200
    assert analyst.get(f"/priorities/{slug}/nonsense").status_code == 404


def test_pages_show_real_figures(analyst) -> None:
    # Figures that are not zero on the demonstration network.
    for slug in ("collaboration", "contracts", "suppliers", "procurement-act", "modern-slavery"):
        values = _figures(analyst.get(f"/priorities/{slug}").text)
        assert any(re.search(r"[1-9]", v) for v in values), (slug, values)


def test_collaboration_shared_supplier_share_matches_plain_sql(site, analyst) -> None:
    page = analyst.get("/priorities/collaboration").text
    shown = float(_figures(page)[0].rstrip("%"))
    with _reader(site) as w:
        row = w.fetch(
            f"""
            WITH lines AS (
                SELECT organisation, amount, is_redacted,
                       CASE WHEN NOT is_redacted
                            THEN coalesce(supplier_id, 'name:' || {NAME_KEY}) END AS k
                FROM spend_lines
            ), users AS (
                SELECT k, count(DISTINCT organisation) AS members FROM lines
                WHERE k IS NOT NULL AND amount > 0 GROUP BY k
            )
            SELECT sum(amount) FILTER (WHERE NOT is_redacted) AS named,
                   sum(amount) FILTER (WHERE k IN (SELECT k FROM users WHERE members >= 2))
                       AS shared
            FROM lines
            """
        )[0]
    expected = round(100.0 * float(row["shared"]) / float(row["named"]), 1)
    assert 0 < expected < 100
    assert shown == expected
    assert f"{expected:.1f}%</a>" in page


def test_carbon_total_matches_plain_sql(site, analyst) -> None:
    from observatory.insight import carbon

    page = analyst.get("/priorities/carbon").text
    values = _figures(page)
    tonnes = float(values[0].replace(",", ""))
    spend = re.search(r"estimated in\s+£([\d,]+) of spend over ([\d,]+) lines", unescape(page))
    assert spend, "the carbon figure names the spend and lines it covers"
    with _reader(site) as w:
        carbon.build(w)  # the per-line estimate (a temporary table on this connection)
        row = w.fetch(
            "SELECT sum(kgco2e) / 1000 AS t, sum(net_amount) AS spend, count(*) AS lines "
            "FROM carbon_lines"
        )[0]
        spend_lines = w.fetch_value("SELECT count(*) FROM spend_lines")
    assert tonnes > 0  # with ProClass installed the demo's lines map to emission factors
    assert tonnes == round(float(row["t"] or 0), 1)
    assert int(spend[2].replace(",", "")) == row["lines"] == spend_lines
    assert int(spend[1].replace(",", "")) == round(float(row["spend"]))


class _reader:
    """A second cursor on the site's own connection (the file is held read-write by it)."""

    def __init__(self, site) -> None:
        self.site = site

    def __enter__(self) -> Warehouse:
        self.w = Warehouse(self.site.host.warehouse.con.cursor(), self.site.path)
        return self.w

    def __exit__(self, *exc: object) -> None:
        self.w.con.close()


def test_opportunities_drill_down_to_lines_and_contracts(analyst) -> None:
    listing = analyst.get("/priorities/collaboration/opportunities").text
    hrefs = re.findall(r'href="(/priorities/collaboration/opportunities/[^"]+)"', listing)
    assert hrefs
    r = analyst.get(unescape(hrefs[0]))
    assert r.status_code == 200
    assert "The spend lines behind it" in r.text and "Contracts behind it" in r.text
    total = int(re.search(r'data-total="(\d+)"', r.text)[1])
    assert total > 0
    assert re.search(r'href="/contracts/[^"]+"', r.text) or "No contract" in r.text
    assert re.search(r'href="/spend\?', r.text)
    assert analyst.get(unescape(hrefs[0]) + "?format=xlsx").status_code == 200
    missing = analyst.get("/priorities/collaboration/opportunities/category%3Anope")
    assert missing.status_code == 404


def test_rows_link_to_suppliers_and_contracts(analyst) -> None:
    collab = analyst.get("/priorities/collaboration").text
    supplier = re.search(r'data-column="name">\s*<a class="govuk-link" href="([^"]+)"', collab)
    # A resolved supplier's page, or (before resolution) its published name's.
    assert supplier and supplier[1].startswith("/suppliers/")
    assert analyst.get(supplier[1]).status_code == 200
    contracts = analyst.get("/priorities/contracts").text
    href = re.search(r'href="(/contracts/[^"]+)"', contracts)[1]
    assert analyst.get(href).status_code == 200
    act = analyst.get("/priorities/procurement-act").text
    assert re.search(r'href="/contracts/[^"]+"', act)


def test_tables_sort_filter_and_swap_in_place(analyst) -> None:
    r = analyst.get(
        "/priorities/collaboration?sort=members&dir=desc",
        headers={"HX-Request": "true", "HX-Target": "table-suppliers"},
    )
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<div id="table-suppliers"')
    members = [int(m) for m in re.findall(r'data-column="members">\s*(\d+)', r.text)]
    assert members == sorted(members, reverse=True)
    few = analyst.get("/priorities/contracts?organisation=brindleford").text
    assert (
        "castlemoor"
        not in re.sub(r"<select.*?</select>", "", few, flags=re.S).split("<tbody", 1)[1]
    )


def test_missing_data_is_said(analyst) -> None:
    # The demonstration network ships a postcode lookup for its suppliers, so where its spend
    # goes is measured: the page shows the shares and does not call the locations missing.
    wealth = analyst.get("/priorities/community-wealth").text
    assert "Where each member" in wealth and "postcode" in wealth
    assert "Almost no supplier has a known location" not in wealth
    contracts = analyst.get("/priorities/contracts").text
    assert "No contracts register or notices loaded for" in contracts


def test_member_records_follow_the_access_rule(site) -> None:
    from observatory.insight import savings

    with _reader(site) as w:
        initiative = savings.Initiative(
            title="Confidential joint fleet saving",
            members=["castlemoor"],
            benefit_type="cashable saving",
            amounts=[savings.YearAmount("2025-26", savings.Decimal("12345.00"))],
        )
        savings.add_initiative(w, initiative)
    site.host.data_changed()
    own = site.client("analyst@castlemoor.example").get("/priorities/savings").text
    assert "Confidential joint fleet saving" in own
    assert "£12,345" in own  # the member's own total, as a headline figure
    for email in (ANALYST, COORDINATOR):
        other = site.client(email).get("/priorities/savings")
        assert other.status_code == 200
        assert "Confidential joint fleet saving" not in other.text
        assert "Confidential" not in site.client(email).get("/priorities/savings?format=csv").text


def test_an_empty_analysis_still_sorts_filters_and_exports() -> None:
    from observatory.web.analysis_pages import PageTable
    from observatory.web.rows_tables import RowsTable, rows_spec
    from observatory.web.tables import Column, TableQuery, run

    spec = rows_spec(
        key="empty",
        title="Nothing yet",
        columns=(Column("name", "Name"), Column("amount", "Amount", "money")),
        default_sort="amount",
        tiebreak=("supplier_key",),
    )
    table = PageTable(spec, RowsTable([]))
    page = run(table.rows.warehouse(), TableQuery.from_params(spec, {"sort": "name"}))
    assert page.total == 0 and page.rows == []
    assert table.rows.columns == ["name", "amount", "supplier_key"]
