"""The OCDS API harvester against a real HTTP server on loopback serving real releases.

The server pages the real Contracts Finder releases the way both APIs do (a release package per
page, ``links.next`` carrying a ``cursor``) and can answer 429/503/400 to exercise the retries.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from observatory.sources.harvest import (
    SOURCES,
    HarvestError,
    PageSaved,
    RetryPolicy,
    harvest,
)
from observatory.sources.harvest.ocds_api import STATE_FILE, retry_after
from observatory.sources.ocds import load_ocds
from observatory.store.warehouse import Warehouse

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
RAW = DATA / "ocds-contracts-finder" / "json_1_1_raw"
PAGE_SIZE = 10
NO_WAIT = RetryPolicy(max_retries=3, base_delay=0.0, max_delay=0.0)


def need(path: Path) -> Path:
    """The shared data path; in CI a missing file fails the test instead of skipping it."""
    if not path.exists():
        message = f"shared test data missing: {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def raw_files() -> list[Path]:
    return sorted(need(RAW).glob("*.json"))


def raw_releases() -> list[dict[str, Any]]:
    return [r for p in raw_files() for r in json.loads(p.read_text(encoding="utf-8"))["releases"]]


def cursor_for(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode()


@dataclass
class OcdsApi:
    """What the loopback API serves, and what it saw."""

    releases: list[dict[str, Any]]
    throttle: dict[str, str] = field(default_factory=dict)  # cursor -> Retry-After, once
    fail_once: set[str] = field(default_factory=set)  # cursors answered 503 once
    always: int | None = None  # answer every request with this status
    served: Counter[str] = field(default_factory=Counter)  # cursor -> 200 answers
    requests: list[str] = field(default_factory=list)
    base_url: str = ""

    def answer(self, raw_path: str) -> tuple[int, dict[str, str], bytes]:
        self.requests.append(raw_path)
        parts = urlsplit(raw_path)
        if parts.path not in {s.path for s in SOURCES.values()}:
            return 404, {}, b"not found"
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        cursor = query.pop("cursor", "")
        if self.always is not None:
            return self.always, {}, b"service says no"
        if cursor in self.throttle:
            return 429, {"Retry-After": self.throttle.pop(cursor)}, b"slow down"
        if cursor in self.fail_once:
            self.fail_once.discard(cursor)
            return 503, {}, b"try later"
        offset = int(base64.b64decode(cursor)) if cursor else 0
        self.served[cursor] += 1
        return 200, {"Content-Type": "application/json"}, self.page(parts.path, query, offset)

    def page(self, path: str, query: dict[str, str], offset: int) -> bytes:
        package: dict[str, Any] = {
            "uri": f"{self.base_url}{path}",
            "version": "1.1",
            "publishedDate": "2020-05-14T09:55:55Z",
            "publisher": {"name": "Loopback Cabinet Office"},
            "releases": self.releases[offset : offset + PAGE_SIZE],
        }
        if offset + PAGE_SIZE < len(self.releases):
            following = {**query, "cursor": cursor_for(offset + PAGE_SIZE)}
            package["links"] = {"next": f"{self.base_url}{path}?{urlencode(following)}"}
        return json.dumps(package).encode()


@pytest.fixture
def api() -> Iterator[OcdsApi]:
    state = OcdsApi(releases=raw_releases())

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server name)
            status, headers, body = state.answer(self.path)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass  # keep test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def harvested_ids(out_dir: Path) -> list[str]:
    pages = sorted(out_dir.glob("page-*.json"))
    return [r["id"] for p in pages for r in json.loads(p.read_text())["releases"]]


def test_harvest_saves_every_page_through_429_and_503(api: OcdsApi, tmp_path: Path) -> None:
    api.throttle[""] = "0"  # the first request is told to wait 0 seconds
    api.fail_once.add(cursor_for(20))
    seen: list[PageSaved] = []
    result = harvest(
        "contracts-finder",
        tmp_path,
        base_url=api.base_url,
        updated_from="2019-01-01",
        progress=seen.append,
        retry=NO_WAIT,
    )
    expected_pages = -(-len(api.releases) // PAGE_SIZE)
    assert result.complete and result.next_url is None
    assert result.pages_fetched == len(result.pages) == expected_pages == 8
    assert [p.name for p in result.pages] == [f"page-{n:05d}.json" for n in range(1, 9)]
    assert harvested_ids(tmp_path) == [r["id"] for r in api.releases]
    assert result.releases_fetched == len(api.releases) == 80
    assert (result.retries, result.waits) == (2, [0.0, 0.0])
    assert set(api.served.values()) == {1} and len(api.served) == expected_pages
    first = urlsplit(api.requests[0])
    assert first.path == "/Published/Notices/OCDS/Search"
    assert parse_qs(first.query) == {"publishedFrom": ["2019-01-01T00:00:00"], "limit": ["100"]}
    assert [(s.number, s.releases) for s in seen] == [(n, 10) for n in range(1, 9)]


def test_interrupted_harvest_resumes_without_refetching(api: OcdsApi, tmp_path: Path) -> None:
    stopped = harvest("cf", tmp_path, base_url=api.base_url, max_pages=2, retry=NO_WAIT)
    assert (stopped.complete, stopped.pages_fetched, len(stopped.pages)) == (False, 2, 2)
    state = json.loads((tmp_path / STATE_FILE).read_text())
    assert state["pages_done"] == 2
    assert parse_qs(urlsplit(state["next_url"]).query)["cursor"] == [cursor_for(20)]

    resumed = harvest("cf", tmp_path, base_url=api.base_url, retry=NO_WAIT)
    assert resumed.complete and resumed.pages_fetched == 6 and len(resumed.pages) == 8
    ids = harvested_ids(tmp_path)
    assert ids == [r["id"] for r in api.releases] and len(set(ids)) == len(ids)
    assert set(api.served.values()) == {1}  # no page was fetched twice

    again = harvest("cf", tmp_path, base_url=api.base_url, retry=NO_WAIT)
    assert again.complete and again.pages_fetched == 0 and len(again.pages) == 8


def test_a_page_saved_before_the_state_is_not_fetched_again(api: OcdsApi, tmp_path: Path) -> None:
    harvest("cf", tmp_path, base_url=api.base_url, max_pages=3, retry=NO_WAIT)
    # As if the run had stopped after saving page 3 but before writing the state.
    page_2 = json.loads((tmp_path / "page-00002.json").read_text())
    state = json.loads((tmp_path / STATE_FILE).read_text())
    state.update(pages_done=2, next_url=page_2["links"]["next"])
    (tmp_path / STATE_FILE).write_text(json.dumps(state))

    result = harvest("cf", tmp_path, base_url=api.base_url, retry=NO_WAIT)
    assert result.complete and result.pages_fetched == 5
    assert api.served[cursor_for(20)] == 1
    assert harvested_ids(tmp_path) == [r["id"] for r in api.releases]


def test_find_a_tender_pages_by_updated_from(api: OcdsApi, tmp_path: Path) -> None:
    result = harvest(
        "find-a-tender", tmp_path, base_url=api.base_url, updated_from="2024-09-05T12:27:32"
    )
    assert result.complete and len(result.pages) == 8
    first = urlsplit(api.requests[0])
    assert first.path == "/api/1.0/ocdsReleasePackages"
    assert parse_qs(first.query) == {"updatedFrom": ["2024-09-05T12:27:32"], "limit": ["100"]}


def test_another_harvest_in_the_same_folder_is_refused(api: OcdsApi, tmp_path: Path) -> None:
    harvest("cf", tmp_path, base_url=api.base_url, max_pages=1)
    with pytest.raises(HarvestError, match="use another folder"):
        harvest("cf", tmp_path, base_url=api.base_url, updated_from="2024-01-01")
    with pytest.raises(HarvestError, match="use another folder"):
        harvest("fts", tmp_path, base_url=api.base_url)


def test_retries_are_bounded(api: OcdsApi, tmp_path: Path) -> None:
    api.always = 503
    policy = RetryPolicy(max_retries=2, base_delay=0.0)
    with pytest.raises(HarvestError, match="gave up .* after 3 attempts .*HTTP 503"):
        harvest("cf", tmp_path, base_url=api.base_url, retry=policy)
    assert len(api.requests) == 3
    assert not list(tmp_path.glob("page-*.json"))


def test_a_client_error_is_not_retried(api: OcdsApi, tmp_path: Path) -> None:
    api.always = 400
    with pytest.raises(HarvestError, match="HTTP 400.*service says no"):
        harvest("fts", tmp_path, base_url=api.base_url, retry=NO_WAIT)
    assert len(api.requests) == 1


def test_retry_after_is_capped(api: OcdsApi, tmp_path: Path) -> None:
    api.throttle[""] = "3600"
    policy = RetryPolicy(max_retries=1, base_delay=0.0, max_delay=0.01)
    result = harvest("cf", tmp_path, base_url=api.base_url, max_pages=1, retry=policy)
    assert result.waits == [0.01]


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("0", 0.0), ("120", 120.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("soon", None)],
)
def test_retry_after_header(header: str, seconds: float | None) -> None:
    assert retry_after(header) == seconds


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown OCDS API"):
        harvest("ted", tmp_path)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        harvest("cf", tmp_path, updated_from="05/09/2024")


def test_harvested_folder_loads_like_the_raw_files(api: OcdsApi, tmp_path: Path) -> None:
    harvest("cf", tmp_path, base_url=api.base_url, max_pages=3, retry=NO_WAIT)
    result = harvest("cf", tmp_path, base_url=api.base_url, retry=NO_WAIT)

    harvested = Warehouse.memory()
    receipts = load_ocds(harvested, [tmp_path])  # the folder: its pages, not the state file
    assert [r.file for r in receipts] == [str(p) for p in result.pages]
    direct = Warehouse.memory()
    load_ocds(direct, raw_files())

    assert sum(r.rows_loaded for r in receipts) == len(api.releases)
    notices = "SELECT notice_key FROM releases ORDER BY 1"
    assert harvested.fetch(notices) == direct.fetch(notices)
    contracts = (
        "SELECT contract_key, title, buyer_name, value_amount, cpv_code, start_date "
        "FROM contracts ORDER BY 1"
    )
    assert harvested.fetch(contracts) == direct.fetch(contracts)
    suppliers = "SELECT * FROM contract_suppliers ORDER BY ALL"
    assert harvested.fetch(suppliers) == direct.fetch(suppliers)
