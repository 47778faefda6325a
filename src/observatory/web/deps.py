"""Request plumbing shared by every route: who is asking, and CSRF checks on every change.

Authentication: an ``Authorization: Bearer obs_…`` API token, else the session cookie.
CSRF: every POST/PUT/PATCH/DELETE made with a session cookie must carry the session's token, in
the form field ``csrf_token`` or the ``X-CSRF-Token`` header (htmx sends the header on every
request). Before login the token is a random value kept in a cookie (double submit). Requests
authenticated by an API token carry no ambient credential, so they need no CSRF token. A request
whose ``Origin`` names another site is refused whatever it carries.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request

from observatory.store import Warehouse
from observatory.web import auth
from observatory.web.host import WarehouseHost

SESSION_COOKIE = "obs_session"
PRELOGIN_COOKIE = "obs_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class NotAuthenticated(Exception):
    """No valid session or token; pages redirect to the login page, the API answers 401."""


def host(request: Request) -> WarehouseHost:
    return request.app.state.host  # type: ignore[no-any-return]


def warehouse(request: Request) -> Warehouse:
    return host(request).current()


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


class CredentialCache:
    """Recently checked sessions and tokens, for a few seconds: a page view then costs no
    warehouse query to know who is asking. Sign-out and token revocation drop their entry at
    once; other changes (an account disabled) take effect within ``seconds``."""

    def __init__(self, seconds: float = 30.0, size: int = 10_000) -> None:
        self.seconds = seconds
        self.size = size
        self._entries: dict[str, tuple[float, auth.Viewer | None]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bool, auth.Viewer | None]:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return False, None
        return True, entry[1]

    def put(self, key: str, viewer: auth.Viewer | None) -> None:
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + self.seconds, viewer)

    def drop(self, key: str | None = None) -> None:
        with self._lock:
            if key is None:
                self._entries.clear()
            else:
                self._entries.pop(key, None)


def find_viewer(request: Request) -> auth.Viewer | None:
    cached = getattr(request.state, "viewer", False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    found: auth.Viewer | None = None
    header = request.headers.get("authorization", "")
    credentials: CredentialCache = request.app.state.credentials
    key = ""
    if header.lower().startswith("bearer "):
        key = "t:" + header[7:].strip()
    elif request.cookies.get(SESSION_COOKIE):
        key = "s:" + request.cookies[SESSION_COOKIE]
    if key:
        hit, found = credentials.get(key)
        if not hit:
            w = warehouse(request)
            secret = key[2:]
            found = (
                auth.token_viewer(w, secret) if key[0] == "t" else auth.session_viewer(w, secret)
            )
            credentials.put(key, found)
    request.state.viewer = found
    return found


def require_viewer(request: Request) -> auth.Viewer:
    found = find_viewer(request)
    if found is None:
        raise NotAuthenticated()
    return found


Viewer = Annotated[auth.Viewer, Depends(require_viewer)]
OptionalViewer = Annotated[auth.Viewer | None, Depends(find_viewer)]


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin:
        return True  # scripts and older browsers send none; the token check still applies
    if origin == "null":
        return False
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)


async def csrf_check(request: Request) -> None:
    """A dependency on every router: refuses a state-changing request without a valid token."""
    if request.method not in UNSAFE:
        return
    if not _same_origin(request):
        raise HTTPException(403, "cross-site request refused")
    viewer = find_viewer(request)
    if viewer is not None and viewer.via == "token":
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = viewer.csrf_token if viewer is not None else request.cookies.get(PRELOGIN_COOKIE)
    if not sent or not expected or not secrets.compare_digest(sent, expected):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


def require_role(viewer: auth.Viewer, *roles: str) -> None:
    if viewer.role not in roles:
        raise HTTPException(403, "your role does not allow this")
