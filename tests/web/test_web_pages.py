"""Pages, tables (sort, filter, page, htmx fragments) and their CSV/XLSX exports."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

ANALYST = "analyst@brindleford.example"
PAGES = [
    "/",
    "/overview/quality",
    "/overview/monthly",
    "/spend",
    "/contracts",
    "/suppliers",
    "/data",
    "/data/rejects",
    "/data/mappings",
    "/data/files",
    "/upload",
    "/records",
    "/account",
    "/methods",
]


@pytest.fixture(scope="module")
def analyst(site):
    return site.client(ANALYST)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders(analyst, path: str) -> None:
    r = analyst.get(path)
    assert r.status_code == 200, r.text[:300]
    assert "Procurement Observatory" in r.text
    # The nav lists every priority page.
    assert r.text.count('href="/priorities/') == 9


def test_priority_pages_render(analyst) -> None:
    # What each page shows is tested in test_web_priorities.py.
    from observatory.web.priorities import PRIORITIES

    for p in PRIORITIES:
        r = analyst.get(f"/priorities/{p.slug}")
        assert r.status_code == 200
        assert "Not built yet" not in r.text
        assert "Method notes" in r.text
    assert analyst.get("/priorities/nonsense").status_code == 404


def test_overview_figures_match_the_warehouse(site, analyst) -> None:
    w = site.host.current()
    lines = w.fetch_value("SELECT count(*) FROM spend_lines")
    text = analyst.get("/").text
    assert f"{lines:,}" in text
    api = analyst.get("/api/overview").json()
    assert api["totals"]["spend_lines"] == lines
    assert {m["organisation"] for m in api["data_quality"]} == {
        "bcnhs",
        "brindleford",
        "castlemoor",
        "greenacre",
        "wyndalefire",
    }
    assert 'href="/methods/data-quality' in text


def test_spend_table_filters_sorts_and_pages(site, analyst) -> None:
    w = site.host.current()
    expected = w.fetch_value(
        "SELECT count(*) FROM spend_lines WHERE organisation = 'castlemoor' "
        "AND payment_date >= DATE '2025-06-01' AND payment_date < DATE '2025-07-01'"
    )
    r = analyst.get("/api/spend?organisation=castlemoor&month=2025-06&sort=amount&dir=desc&size=25")
    body = r.json()
    assert body["total"] == expected
    amounts = [row["amount"] for row in body["rows"]]
    assert amounts == sorted(amounts, reverse=True)
    assert len(body["rows"]) == 25
    page2 = analyst.get(
        "/api/spend?organisation=castlemoor&month=2025-06&sort=amount&dir=desc&size=25&page=2"
    ).json()
    assert not {r["line_key"] for r in body["rows"]} & {r["line_key"] for r in page2["rows"]}


def test_sort_column_is_checked_against_the_table(analyst) -> None:
    r = analyst.get("/api/spend?sort=amount;DROP TABLE spend_lines&size=25")
    assert r.status_code == 200
    assert r.json()["sort"] == "payment_date"


def test_htmx_asks_for_the_table_alone(analyst) -> None:
    r = analyst.get(
        "/spend?sort=amount&dir=desc",
        headers={"HX-Request": "true", "HX-Target": "table-spend_lines"},
    )
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<div id="table-spend_lines"')
    assert "<html" not in r.text


def test_csv_export_has_every_filtered_row(site, analyst) -> None:
    r = analyst.get("/spend?organisation=greenacre&format=csv")
    assert r.headers["content-disposition"] == 'attachment; filename="spend_lines.csv"'
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    n = site.host.current().fetch_value(
        "SELECT count(*) FROM spend_lines WHERE organisation = 'greenacre'"
    )
    assert len(rows) == n
    assert {"source_file", "source_line", "raw_text", "amount"} <= set(rows[0])


def test_xlsx_export_opens_with_openpyxl(site, analyst) -> None:
    r = analyst.get("/contracts?organisation=castlemoor&format=xlsx")
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    rows = list(book.active.iter_rows(values_only=True))
    n = site.host.current().fetch_value(
        "SELECT count(*) FROM contracts WHERE organisation = 'castlemoor'"
    )
    assert len(rows) == n + 1
    assert rows[0][0] == "contract_key"


@pytest.mark.parametrize(
    "path",
    [
        "/overview/quality",
        "/overview/monthly",
        "/spend",
        "/contracts",
        "/suppliers",
        "/data",
        "/data/rejects",
        "/data/mappings",
        "/data/files",
        "/records",
        "/priorities/collaboration",
    ],
)
def test_every_table_exports(analyst, path: str) -> None:
    page = analyst.get(path).text
    assert "format=csv" in page and "format=xlsx" in page
    sep = "&" if "?" in path else "?"
    assert analyst.get(f"{path}{sep}format=csv").status_code == 200
    xlsx = analyst.get(f"{path}{sep}format=xlsx")
    assert xlsx.status_code == 200
    openpyxl.load_workbook(io.BytesIO(xlsx.content))


def test_supplier_pages_link_to_their_lines(site, analyst) -> None:
    suppliers = analyst.get("/api/suppliers?min_members=2&size=25").json()
    assert suppliers["total"] > 0
    top = suppliers["rows"][0]
    # The demonstration network is resolved when it loads: pages use the resolved supplier ids.
    assert not top["supplier_key"].startswith("n-")
    page = analyst.get(f"/suppliers/{top['supplier_key']}")
    assert page.status_code == 200
    lines = analyst.get(f"/api/spend?supplier_key={top['supplier_key']}&size=25").json()
    assert lines["total"] == top["spend_lines"]
    assert (
        round(
            sum(
                r["amount"]
                for r in analyst.get(
                    f"/api/spend?supplier_key={top['supplier_key']}&size=500"
                ).json()["rows"]
            ),
            2,
        )
        == round(top["amount"], 2)
        or lines["total"] > 500
    )
    assert analyst.get("/suppliers/n-0000000000000000").status_code == 404


def test_collaboration_page_shows_shared_suppliers(analyst) -> None:
    r = analyst.get("/priorities/collaboration")
    assert "Suppliers used by at least two members" in r.text
    assert re.search(r"\d+\.\d%</a>", r.text)
    shared = analyst.get("/api/collaboration/shared-suppliers").json()
    assert 0 < shared["shared_pct"] < 100


def test_contract_detail(site, analyst) -> None:
    from urllib.parse import unquote

    listing = analyst.get("/contracts?organisation=brindleford").text
    href = re.search(r'href="(/contracts/[^"?]+)"', listing)[1]
    key = unquote(href.removeprefix("/contracts/"))
    assert "#" in key and "%23" in href  # keys hold characters a URL must escape
    r = analyst.get(href)
    assert r.status_code == 200
    assert analyst.get("/api" + href).json()["contract"]["contract_key"] == key


def test_method_notes_render_with_anchors(analyst) -> None:
    r = analyst.get("/methods/data-quality")
    assert 'id="rejected-rows"' in r.text
    assert 'href="/methods/loading' in r.text
    assert analyst.get("/methods/nope").status_code == 404
    listed = analyst.get("/api/methods").json()["methods"]
    assert {"loading", "data-quality", "supplier-names"} <= {m["name"] for m in listed}


def test_static_assets_are_served_locally(analyst) -> None:
    page = analyst.get("/").text
    for src in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        assert analyst.get(src).status_code == 200, src
    assert "https://" not in re.sub(r'href="https://[^"]*"', "", page).split("<body")[0]
    docs = analyst.get("/docs").text
    assert "cdn" not in docs and "/static/swagger/swagger-ui-bundle.js" in docs
    assert analyst.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    css = analyst.get("/static/vendor/govuk-frontend/govuk-frontend.min.css").text
    assert "GDS Transport" not in css and "url(" not in css
