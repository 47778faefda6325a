"""The web app in a real browser (headless Chromium driven by Playwright), on real published
files from ../shared/data: a member signs in, uploads a spend file, reads its receipt, drills from
the co-commissioning page down to spend lines, exports a table to XLSX, and cannot reach another
member's private records by page, API or guessed id."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi import FastAPI

from observatory.demonstration import shared_data_dir
from observatory.sources.spend import load_spend
from observatory.store import Warehouse
from observatory.web import auth, records
from observatory.web.app import create_app
from observatory.web.host import WarehouseHost

pytestmark = pytest.mark.browser


class LiveServer:
    """The app under uvicorn on 127.0.0.1 and a free port, in a thread of the test process."""

    def __init__(self, app: FastAPI) -> None:
        import socket
        import threading

        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


PASSWORD = "browser test password"
SALFORD = "analyst@salford.example"
MANCHESTER = "admin@manchester.example"
SECRET = "Manchester private saving 42"


@pytest.fixture(scope="module")
def data_dir() -> Path:
    found = shared_data_dir()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("../shared/data is missing")
        pytest.skip("../shared/data is missing")
    return found


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Iterator[dict[str, object]]:
    path = tmp_path_factory.mktemp("browser") / "real.duckdb"
    warehouse = Warehouse.open(path)
    files = [str(data_dir / "manchester" / f"2021-0{m}.csv") for m in (4, 5)]
    receipts = load_spend(warehouse, files, "manchester")
    assert sum(r.rows_loaded for r in receipts) > 1000
    auth.add_user(warehouse, SALFORD, "salford", "member_analyst", PASSWORD)
    admin, _ = auth.add_user(warehouse, MANCHESTER, "manchester", "member_admin", PASSWORD)
    private = records.create_record(
        warehouse, auth.Viewer(admin, "session"), "savings", SECRET, {"amount": "9000"}
    )
    host = WarehouseHost(warehouse)
    with LiveServer(create_app(host)) as server:
        yield {"url": server.url, "host": host, "private_id": private.record_id, "data": data_dir}
    host.close()


@pytest.fixture
def page(chromium, live) -> Iterator[object]:
    context = chromium.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    errors: list[str] = []
    # Script errors, CSP violations and failed assets fail the test; a 404 page the test asks
    # for (a private record) is not an error of the page.
    tab.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type not in ("document", "fetch", "xhr")
            else None
        ),
    )
    tab.set_default_timeout(60_000)
    yield tab
    context.close()
    assert not errors, f"browser console errors: {errors}"


def sign_in(page, live, email: str) -> None:
    page.goto(live["url"] + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(live["url"] + "/")


def test_member_uploads_a_real_spend_file_and_sees_its_receipt(page, live) -> None:
    sign_in(page, live, SALFORD)
    page.click("a.govuk-service-navigation__link:has-text('Upload')")
    assert page.input_value("#organisation") == "salford"
    real_file = live["data"] / "salford" / "2021-05.csv"
    page.set_input_files("#files", str(real_file))
    page.click("button:has-text('Upload and load')")
    page.wait_for_selector("h1:has-text('Load receipt')")
    row = page.locator("tr[data-file='2021-05.csv']")
    read = int(row.locator("[data-field=rows_read]").inner_text().replace(",", ""))
    loaded = int(row.locator("[data-field=rows_loaded]").inner_text().replace(",", ""))
    rejected = int(row.locator("[data-field=rows_rejected]").inner_text().replace(",", ""))
    duplicate = int(row.locator("[data-field=rows_duplicate]").inner_text().replace(",", ""))
    assert loaded > 1000 and read == loaded + rejected + duplicate
    w = live["host"].current()
    assert (
        w.fetch_value(
            "SELECT count(*) FROM spend_lines WHERE organisation = 'salford' "
            "AND source_file LIKE '%2021-05.csv'"
        )
        == loaded
    )
    # The loaded count links to exactly those lines.
    row.locator("[data-field=rows_loaded] a").click()
    page.wait_for_url(re.compile(r"/spend\?file="))
    assert page.locator(".app-count").get_attribute("data-total") == str(loaded)


def test_collaboration_page_drills_down_to_lines(page, live, tmp_path: Path) -> None:
    sign_in(page, live, SALFORD)
    page.click("a:has-text('Co-commissioning opportunities')")
    page.wait_for_selector("#table-suppliers")
    # The shared suppliers export to XLSX, every row the table holds.
    total = int(page.locator("#table-suppliers .app-count").get_attribute("data-total"))
    assert total > 0
    with page.expect_download() as download:
        page.click("#table-suppliers .app-exports a:has-text('XLSX')")
    saved = tmp_path / "suppliers.xlsx"
    download.value.save_as(saved)
    rows = list(openpyxl.load_workbook(saved, read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == total + 1 and "supplier_key" in rows[0]
    first = page.locator("#table-suppliers tbody tr").first
    assert int(first.locator("[data-column=members]").inner_text()) >= 2
    name = first.locator("[data-column=name] a").inner_text()
    first.locator("[data-column=name] a").click()
    page.wait_for_selector(f"h1:has-text({name!r})")
    members = page.locator("#members ~ table tbody tr").count()
    assert members >= 2
    lines_figure = page.locator(".app-figure").nth(1)
    expected = int(lines_figure.locator(".app-figure__value").inner_text().replace(",", ""))
    lines_figure.locator("a").click()
    page.wait_for_url(re.compile(r"/spend\?supplier_key=n-"))
    assert page.locator(".app-count").get_attribute("data-total") == str(expected)
    orgs = set(
        page.locator("#table-spend_lines tbody [data-column=organisation]").all_inner_texts()
    )
    assert len(orgs) >= 1
    # Every line links to its source file and line, with the raw text.
    assert (
        "line"
        in page.locator("#table-spend_lines tbody [data-column=source_line]").first.inner_text()
    )


def test_tables_sort_with_htmx_and_export_to_xlsx(page, live, tmp_path: Path) -> None:
    sign_in(page, live, SALFORD)
    page.goto(live["url"] + "/spend?organisation=manchester")
    page.click("#table-spend_lines th a:has-text('Amount')")  # htmx swaps the table in place
    page.wait_for_url(re.compile(r"sort=amount"))
    page.wait_for_selector("#table-spend_lines th[aria-sort]")
    amounts = page.locator("#table-spend_lines tbody [data-column=amount]").all_inner_texts()
    values = [float(a.replace("£", "").replace(",", "").replace("−", "-")) for a in amounts]
    assert values == sorted(values, reverse=True)
    total = int(page.locator(".app-count").get_attribute("data-total"))
    with page.expect_download() as download:
        page.click("#table-spend_lines .app-exports a:has-text('XLSX')")
    saved = tmp_path / "spend.xlsx"
    download.value.save_as(saved)
    book = openpyxl.load_workbook(saved, read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == total + 1
    assert rows[0][:3] == ("line_key", "organisation", "payment_date")
    assert rows[1][5] == max(values)  # the export keeps the sort


def test_member_cannot_see_another_members_private_records(page, live) -> None:
    sign_in(page, live, SALFORD)
    page.goto(live["url"] + "/records")
    assert SECRET not in page.content()
    private_id = live["private_id"]
    response = page.goto(live["url"] + f"/records/{private_id}")
    assert response.status == 404 and SECRET not in page.content()
    api = page.request.get(live["url"] + f"/api/records/{private_id}")
    assert api.status == 404
    listed = page.request.get(live["url"] + "/api/records").json()["records"]
    assert SECRET not in str(listed)
    for guess in range(1, private_id + 5):
        assert page.request.get(live["url"] + f"/api/records/{guess}").status == 404
    # Its own member sees it.
    page.context.clear_cookies()
    sign_in(page, live, MANCHESTER)
    page.goto(live["url"] + f"/records/{private_id}")
    assert SECRET in page.content()
