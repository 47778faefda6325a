"""Harvest OCDS release packages from the Find a Tender and Contracts Finder APIs, page by page.

Both APIs answer with an OCDS release package whose ``links.next`` is the URL of the next page
(carrying a ``cursor``). Each page is saved verbatim as ``page-00001.json`` … in the output folder,
beside ``harvest-state.json`` (the next URL and the pages done), so a stopped harvest resumes where
it stopped and never fetches a saved page again. The saved folder loads with ``load_ocds``.

API documentation (parameters ``limit`` ≤ 100 and ``cursor`` on both):
https://www.find-tender.service.gov.uk/apidocumentation/1.0/GET-ocdsReleasePackages
https://www.contractsfinder.service.gov.uk/apidocumentation/Notices/1/GET-Published-Notice-OCDS-Search
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin

STATE_FILE = "harvest-state.json"
PAGE_SIZE = 100  # the most either API returns a page
USER_AGENT = "procurement-observatory (OCDS harvester; +https://standard.open-contracting.org)"
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


@dataclass(frozen=True)
class ApiSource:
    name: str
    base_url: str
    path: str
    date_parameter: str
    # Statuses that mean "slow down" rather than "wrong request".
    rate_limited: frozenset[int]


SOURCES = {
    "find-a-tender": ApiSource(
        name="find-a-tender",
        base_url="https://www.find-tender.service.gov.uk",
        path="/api/1.0/ocdsReleasePackages",
        date_parameter="updatedFrom",
        rate_limited=frozenset({429}),
    ),
    # Contracts Finder documents a 403 (not 429) when its request rate limit is exceeded.
    "contracts-finder": ApiSource(
        name="contracts-finder",
        base_url="https://www.contractsfinder.service.gov.uk",
        path="/Published/Notices/OCDS/Search",
        date_parameter="publishedFrom",
        rate_limited=frozenset({429, 403}),
    ),
}
ALIASES = {"fts": "find-a-tender", "cf": "contracts-finder"}


class HarvestError(Exception):
    """The harvest cannot go on; the message says why and how to carry on."""


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait on HTTP 429/5xx and network errors before giving up."""

    max_retries: int = 6
    base_delay: float = 2.0  # seconds; doubled on each retry unless the server says Retry-After
    max_delay: float = 300.0  # cap on any single wait, Retry-After included

    def backoff(self, attempt: int) -> float:
        return min(self.max_delay, self.base_delay * 2 ** (attempt - 1))


@dataclass(frozen=True)
class PageSaved:
    """Reported to ``progress`` after each page is saved."""

    number: int
    path: Path
    releases: int
    url: str


@dataclass
class HarvestState:
    source: str
    start_url: str
    next_url: str | None
    pages_done: int = 0
    releases_done: int = 0
    complete: bool = False
    updated_at: str = ""


@dataclass
class HarvestResult:
    source: str
    out_dir: Path
    pages: list[Path]  # every page saved in out_dir, this run and earlier ones
    pages_fetched: int  # pages fetched by this run
    releases_fetched: int  # releases in the pages fetched by this run
    complete: bool
    next_url: str | None
    retries: int = 0
    waits: list[float] = field(default_factory=list)


def harvest(
    source: str,
    out_dir: Path,
    *,
    base_url: str | None = None,
    updated_from: str | None = None,
    max_pages: int | None = None,
    progress: Callable[[PageSaved], None] | None = None,
    retry: RetryPolicy | None = None,
    timeout: float = 60.0,
) -> HarvestResult:
    """Fetch release packages from ``source`` into ``out_dir``; resumes a harvest left there.

    ``source`` is ``find-a-tender`` (``fts``) or ``contracts-finder`` (``cf``); ``updated_from``
    is ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SS``; ``max_pages`` bounds this run's fetches.
    """
    api = api_source(source)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start_url = first_page_url(api, base_url, updated_from)
    state = _resume(out_dir, api, start_url)
    result = HarvestResult(api.name, out_dir, [], 0, 0, state.complete, state.next_url)
    policy = retry or RetryPolicy()
    while state.next_url and not state.complete:
        if max_pages is not None and result.pages_fetched >= max_pages:
            break
        _harvest_page(out_dir, api, state, result, policy, timeout, progress)
    result.pages = saved_pages(out_dir)
    result.complete, result.next_url = state.complete, state.next_url
    return result


def api_source(name: str) -> ApiSource:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in SOURCES:
        known = ", ".join([*SOURCES, *ALIASES])
        raise ValueError(f"unknown OCDS API {name!r}; use one of: {known}")
    return SOURCES[key]


def first_page_url(api: ApiSource, base_url: str | None, updated_from: str | None) -> str:
    params: dict[str, str] = {"limit": str(PAGE_SIZE)}
    if updated_from:
        params = {api.date_parameter: _date_time(updated_from), **params}
    base = (base_url or api.base_url).rstrip("/")
    # Keep ':' as is in dates: the APIs document their examples that way.
    return f"{base}{api.path}?{urlencode(params, safe=':')}"


def _date_time(value: str) -> str:
    text = value.strip()
    if DATE_ONLY.match(text):
        return f"{text}T00:00:00"
    if DATE_TIME.match(text):
        return text
    raise ValueError(f"updated_from {value!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS")


def saved_pages(out_dir: Path) -> list[Path]:
    return sorted(out_dir.glob("page-*.json"))


def page_path(out_dir: Path, number: int) -> Path:
    return out_dir / f"page-{number:05d}.json"


# -- state ---------------------------------------------------------------------------------


def _resume(out_dir: Path, api: ApiSource, start_url: str) -> HarvestState:
    path = out_dir / STATE_FILE
    if not path.exists():
        if saved_pages(out_dir):
            raise HarvestError(
                f"{out_dir} holds pages but no {STATE_FILE}: harvest into an empty folder."
            )
        return HarvestState(api.name, start_url, start_url)
    try:
        state = HarvestState(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise HarvestError(
            f"{path} is damaged ({exc}); move the folder aside and start again."
        ) from exc
    if (state.source, state.start_url) != (api.name, start_url):
        raise HarvestError(
            f"{out_dir} holds a harvest of {state.source} from {state.start_url}; "
            "use another folder for a different source, base URL or start date."
        )
    _catch_up(out_dir, state)
    return state


def _catch_up(out_dir: Path, state: HarvestState) -> None:
    """Count pages saved after the state was last written (a run stopped between the two)."""
    while not state.complete:
        page = page_path(out_dir, state.pages_done + 1)
        if not page.exists():
            return
        try:
            package = json.loads(page.read_text(encoding="utf-8"))
        except ValueError:
            page.unlink()  # half-written: fetch it again
            return
        _advance(state, package, state.next_url or "")
        _write_state(out_dir, state)


def _advance(state: HarvestState, package: dict[str, Any], url: str) -> None:
    state.pages_done += 1
    state.releases_done += len(package.get("releases") or [])
    following = next_link(package, url)
    state.next_url = following
    state.complete = following is None


def _write_state(out_dir: Path, state: HarvestState) -> None:
    state.updated_at = datetime.now(UTC).isoformat(timespec="seconds")
    _write_atomically(out_dir / STATE_FILE, json.dumps(asdict(state), indent=2).encode())


def _write_atomically(path: Path, content: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(content)
    os.replace(partial, path)


# -- pages ---------------------------------------------------------------------------------


def next_link(package: dict[str, Any], url: str) -> str | None:
    """The next page's URL, or None at the end (no link, an empty page, or a link to itself)."""
    links = package.get("links")
    following = links.get("next") if isinstance(links, dict) else None
    if not isinstance(following, str) or not following.strip():
        return None
    if not package.get("releases"):
        return None
    following = urljoin(url, following.strip())
    return None if following == url else following


def _harvest_page(
    out_dir: Path,
    api: ApiSource,
    state: HarvestState,
    result: HarvestResult,
    policy: RetryPolicy,
    timeout: float,
    progress: Callable[[PageSaved], None] | None,
) -> None:
    url = state.next_url or ""
    body = fetch(url, api, policy, timeout, result)
    package = _release_package(url, body)
    releases = len(package.get("releases") or [])
    number = state.pages_done + 1
    path = page_path(out_dir, number)
    if releases:
        _write_atomically(path, body)
        _advance(state, package, url)
    else:
        # An empty page ends the harvest even if it links on: nothing is saved for it.
        state.next_url, state.complete = None, True
    _write_state(out_dir, state)
    result.pages_fetched += 1
    result.releases_fetched += releases
    if progress is not None and releases:
        progress(PageSaved(number, path, releases, url))


def _release_package(url: str, body: bytes) -> dict[str, Any]:
    try:
        package = json.loads(body)
    except ValueError as exc:
        snippet = body[:200].decode("utf-8", "replace")
        raise HarvestError(f"{url} did not answer JSON ({exc}): {snippet!r}") from exc
    if not isinstance(package, dict) or not isinstance(package.get("releases"), list):
        raise HarvestError(f"{url} did not answer an OCDS release package (no `releases` array).")
    return package


# -- HTTP ----------------------------------------------------------------------------------


def fetch(
    url: str,
    api: ApiSource,
    policy: RetryPolicy,
    timeout: float,
    result: HarvestResult | None = None,
) -> bytes:
    """The body at ``url``, waiting and retrying on rate limits, 5xx and network errors."""
    request = urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
    )
    attempt = 0
    while True:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            problem, wait = _http_problem(exc, api, policy, attempt + 1)
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            problem, wait = f"network error: {exc}", policy.backoff(attempt + 1)
        attempt += 1
        if attempt > policy.max_retries:
            raise HarvestError(
                f"gave up on {url} after {attempt} attempts ({problem}). "
                "Run the harvest again later: it resumes from this page."
            )
        if result is not None:
            result.retries += 1
            result.waits.append(wait)
        time.sleep(wait)


def _http_problem(
    exc: urllib.error.HTTPError, api: ApiSource, policy: RetryPolicy, attempt: int
) -> tuple[str, float]:
    body = exc.read()[:300].decode("utf-8", "replace")
    exc.close()
    if exc.code not in api.rate_limited and exc.code < 500:
        raise HarvestError(f"{exc.url} answered HTTP {exc.code} {exc.reason}: {body!r}") from exc
    told = retry_after(exc.headers.get("Retry-After"))
    wait = policy.backoff(attempt) if told is None else min(told, policy.max_delay)
    return f"HTTP {exc.code} {exc.reason}", wait


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number of seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
