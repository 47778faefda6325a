"""Fixtures for the web app: a demonstration warehouse built once, a fresh copy per test module,
one account per role at two members, and a signed-in TestClient for each."""

from __future__ import annotations

import re
import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", message=".*httpx2.*")

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from independent import DATA, need  # noqa: E402

from observatory.classify.categories import import_code_list  # noqa: E402
from observatory.classify.classification import classify  # noqa: E402
from observatory.demonstration import load_generated  # noqa: E402
from observatory.store import Warehouse  # noqa: E402
from observatory.web import auth  # noqa: E402
from observatory.web.app import WebSettings, create_app  # noqa: E402
from observatory.web.host import WarehouseHost  # noqa: E402

PASSWORD = "correct horse battery staple"
# email -> (organisation, role)
ACCOUNTS = {
    "analyst@brindleford.example": ("brindleford", "member_analyst"),
    "admin@brindleford.example": ("brindleford", "member_admin"),
    "analyst@castlemoor.example": ("castlemoor", "member_analyst"),
    "admin@castlemoor.example": ("castlemoor", "member_admin"),
    "coordinator@network.example": ("network", "network_coordinator"),
    "administrator@network.example": ("network", "administrator"),
}


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated demonstration network, loaded once per test session."""
    folder = tmp_path_factory.mktemp("demo-db")
    path = folder / "demo.duckdb"
    with Warehouse.open(path) as warehouse:
        _, errors = load_generated(warehouse, folder / "demo-network")
        assert not errors
        # Code lists come from the user's official files: with ProClass installed the demo's
        # lines get categories, so the carbon and risk pages have figures to check.
        import_code_list(warehouse, need(DATA / "codelists" / "proclass_17.csv"))
        classify(warehouse)
        for email, (org, role) in ACCOUNTS.items():
            auth.add_user(warehouse, email, org, role, PASSWORD)
    return path


@dataclass
class Site:
    host: WarehouseHost
    app: FastAPI
    path: Path

    def client(self, email: str | None = None, **kwargs: object) -> TestClient:
        """A browser-like client; signed in as ``email`` when given."""
        c = TestClient(self.app, **kwargs)  # type: ignore[arg-type]
        if email:
            login(c, email)
        return c

    def login(self, client: TestClient, email: str, password: str = PASSWORD) -> str:
        return login(client, email, password)

    @staticmethod
    def csrf(client: TestClient, path: str = "/account") -> str:
        return csrf(client, path)

    @staticmethod
    def csrf_from(html: str) -> str:
        return csrf_from(html)

    def token(self, email: str) -> str:
        account = auth.find_user(self.host.current(), email)
        assert account is not None
        return auth.create_token(self.host.current(), account, "test")


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert found, "no CSRF field on the page"
    return found[1]


def login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 200, response.text[:500]
    assert str(response.url).endswith("/"), "login did not land on the overview"
    return csrf_from(response.text)


def csrf(client: TestClient, path: str = "/account") -> str:
    return csrf_from(client.get(path).text)


@pytest.fixture(scope="module")
def site(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A fresh copy of the demonstration warehouse, served by an app (no network socket)."""
    folder = tmp_path_factory.mktemp("site")
    path = folder / "demo.duckdb"
    shutil.copy(demo_db, path)
    host = WarehouseHost.open(path)
    app = create_app(host, WebSettings())
    s = Site(host=host, app=app, path=path)
    with TestClient(app):  # runs the app's lifespan once
        yield s
    host.close()


# -- a real server, for the browser tests ---------------------------------------------------


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _missing(what: str) -> None:
    """In CI a missing browser is a failure, not a skip (.ci/system-deps.sh installs it)."""
    import os

    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} (run .ci/system-deps.sh)")
    pytest.skip(what)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    import os

    if not os.path.exists(CHROMIUM):
        _missing(f"{CHROMIUM} is not installed: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed: pip install -e '.[test]'")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
