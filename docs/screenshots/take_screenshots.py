"""Screenshots of the web app's main pages, on the generated demonstration network.

    .venv/bin/python docs/screenshots/take_screenshots.py

Loads the demonstration network into a temporary warehouse, starts the app on a free loopback
port, and drives Debian's chromium with Playwright (as the browser tests do); writes PNGs beside
this file. Nothing is downloaded.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from observatory.demonstration import load_generated
from observatory.store import Warehouse
from observatory.web import auth, records
from observatory.web.app import create_app
from observatory.web.host import WarehouseHost

OUT = Path(__file__).resolve().parent
PASSWORD = "screenshot password"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="observatory-shots-"))
    warehouse = Warehouse.open(folder / "demo.duckdb")
    load_generated(warehouse, folder / "demo-network")
    analyst, _ = auth.add_user(
        warehouse, "analyst@brindleford.example", "brindleford", "member_analyst", PASSWORD
    )
    admin, _ = auth.add_user(
        warehouse, "admin@brindleford.example", "brindleford", "member_admin", PASSWORD
    )
    viewer = auth.Viewer(admin, "session")
    records.create_record(
        warehouse,
        viewer,
        "savings",
        "Agency staff framework: rate reduction",
        {"amount": "84000.00", "supplier": "Wyndale Procurement Partnership"},
        shared=True,
    )
    records.create_record(
        warehouse,
        viewer,
        "savings",
        "Fleet maintenance re-let (private until agreed)",
        {"amount": "21500.00"},
    )
    host = WarehouseHost(warehouse)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(host), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(base + "/login")
            page.screenshot(path=OUT / "login.png")
            page.fill("#email", "analyst@brindleford.example")
            page.fill("#password", PASSWORD)
            page.click("button:has-text('Sign in')")
            page.wait_for_url(base + "/")
            shots = [
                ("overview", "/", True),
                ("spend-lines", "/spend?organisation=castlemoor&sort=amount&dir=desc", False),
                ("co-commissioning", "/priorities/collaboration", False),
                ("contracts", "/contracts?ends_by=2026-12", False),
                ("data-rejects", "/data/rejects", False),
                ("data-loads", "/data", False),
                ("records", "/records", False),
                ("priority-placeholder", "/priorities/carbon", False),
                ("method-note", "/methods/data-quality", False),
                ("api-docs", "/docs", False),
            ]
            for name, path, full in shots:
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(300)
                page.screenshot(path=OUT / f"{name}.png", full_page=full)
            # A supplier used by several members, and one contract.
            page.goto(base + "/priorities/collaboration")
            page.click("#table-suppliers tbody tr >> nth=0 >> [data-column=name] a")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=OUT / "supplier.png")
            page.goto(base + "/contracts")
            page.click("#table-contracts tbody tr >> nth=0 >> [data-column=title] a")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=OUT / "contract.png")
            # An upload whose layout is unknown: the receipt asks for a column mapping.
            odd = folder / "payments-april.csv"
            odd.write_text(
                "When,Who,How much,Ref\n03/04/2025,Acme Widgets Ltd,123.45,A1\n"
                "04/04/2025,Beta Care CIC,99.00,A2\n"
            )
            page.goto(base + "/upload")
            page.screenshot(path=OUT / "upload.png")
            page.set_input_files("#files", str(odd))
            page.click("button:has-text('Upload and load')")
            page.wait_for_selector("h1:has-text('Load receipt')")
            page.screenshot(path=OUT / "upload-mapping.png", full_page=True)
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        host.close()
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main()
