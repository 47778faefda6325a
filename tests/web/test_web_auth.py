"""Accounts, sign-in, sessions, cookies and API tokens."""

from __future__ import annotations

import pytest

from observatory.web import auth
from observatory.web.app import WebSettings, create_app

ANALYST = "analyst@brindleford.example"


def test_passwords_are_stored_as_argon2id_hashes(site) -> None:
    stored = site.host.current().fetch_value(
        "SELECT password_hash FROM web_users WHERE email = ?", [ANALYST]
    )
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored


def test_pages_and_api_need_a_sign_in(site) -> None:
    c = site.client()
    for path in ("/", "/spend", "/records", "/upload", "/data", "/priorities/carbon"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login?next=")
    r = c.get("/api/spend")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    # Public: the sign-in page, method notes, the API's description.
    for path in ("/login", "/methods", "/methods/data-quality", "/openapi.json", "/docs"):
        assert c.get(path).status_code == 200, path


def test_sign_in_sets_a_hardened_session_cookie(site) -> None:
    c = site.client()
    page = c.get("/login")
    r = c.post(
        "/login",
        data={
            "email": ANALYST.upper(),  # addresses are case-insensitive
            "password": "correct horse battery staple",
            "csrf_token": site.csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "obs_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    stored = site.host.current().fetch_value("SELECT count(*) FROM web_sessions")
    assert stored >= 1
    secret = c.cookies["obs_session"]
    # Only a hash of the cookie is kept.
    assert not site.host.current().fetch_value(
        "SELECT count(*) FROM web_sessions WHERE session_hash = ?", [secret]
    )


def test_secure_flag_on_https_or_when_configured(site) -> None:
    https = site.client(base_url="https://testserver")
    page = https.get("/login")
    assert "Secure" in page.headers["set-cookie"]
    forced = create_app(site.host, WebSettings(cookie_secure=True))
    from fastapi.testclient import TestClient

    c = TestClient(forced)
    assert "Secure" in c.get("/login").headers["set-cookie"]


def test_wrong_password_is_refused_and_audited(site) -> None:
    c = site.client()
    page = c.get("/login")
    r = c.post(
        "/login",
        data={
            "email": ANALYST,
            "password": "wrong password!",
            "csrf_token": site.csrf_from(page.text),
        },
    )
    assert r.status_code == 401
    assert "wrong" in r.text
    assert "obs_session" not in c.cookies
    n = site.host.current().fetch_value(
        "SELECT count(*) FROM web_audit_log WHERE action = 'login.failed' AND target = ?", [ANALYST]
    )
    assert n >= 1


def test_repeated_failures_lock_the_address(site) -> None:
    c = site.client()
    target = "admin@castlemoor.example"
    token = site.csrf_from(c.get("/login").text)
    for _ in range(10):
        c.post("/login", data={"email": target, "password": "nope nope nope", "csrf_token": token})
    r = c.post(
        "/login",
        data={"email": target, "password": "correct horse battery staple", "csrf_token": token},
    )
    assert r.status_code == 429
    site.app.state.throttle.succeeded(target)  # leave the account usable for later tests


def test_sign_out_ends_the_session_on_the_server(site) -> None:
    c = site.client(ANALYST)
    secret = c.cookies["obs_session"]
    token = site.csrf(c)
    assert c.post("/logout", data={"csrf_token": token}).status_code == 200
    # Even a copy of the old cookie no longer works.
    again = site.client()
    again.cookies.set("obs_session", secret)
    assert again.get("/", follow_redirects=False).status_code == 303


def test_next_parameter_only_redirects_within_the_site(site) -> None:
    c = site.client()
    page = c.get("/login?next=//evil.example/")
    r = c.post(
        "/login",
        data={
            "email": ANALYST,
            "password": "correct horse battery staple",
            "csrf_token": site.csrf_from(page.text),
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


def test_api_tokens_authenticate_and_can_be_revoked(site) -> None:
    token = site.token(ANALYST)
    c = site.client()
    headers = {"Authorization": f"Bearer {token}"}
    me = c.get("/api/me", headers=headers).json()
    assert me == {
        "email": ANALYST,
        "organisation": "brindleford",
        "role": "member_analyst",
        "via": "token",
    }
    w = site.host.current()
    assert not w.fetch_value("SELECT count(*) FROM web_api_tokens WHERE token_hash = ?", [token])
    token_id = w.fetch_value("SELECT max(token_id) FROM web_api_tokens")
    browser = site.client(ANALYST)
    r = browser.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": site.csrf(browser)})
    assert "revoked" in r.text
    assert c.get("/api/me", headers=headers).status_code == 401
    assert c.get("/api/me", headers={"Authorization": "Bearer obs_madeup"}).status_code == 401


def test_tokens_from_the_account_page_are_shown_once(site) -> None:
    c = site.client(ANALYST)
    r = c.post("/account/tokens", data={"label": "Power BI", "csrf_token": site.csrf(c)})
    assert r.status_code == 200
    import re

    token = re.search(r'id="new-token">([^<]+)<', r.text)[1]
    assert c.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in c.get("/account").text


@pytest.mark.parametrize(
    ("email", "org", "role", "message"),
    [
        ("not-an-email", "brindleford", "member_analyst", "not an email"),
        ("x@y.example", "brindleford", "boss", "unknown role"),
        ("x@y.example", "network", "member_analyst", "belongs to a member"),
        ("x@y.example", "atlantis", "network_coordinator", "unknown organisation"),
        ("analyst@brindleford.example", "brindleford", "member_analyst", "already exists"),
    ],
)
def test_accounts_are_checked(site, email: str, org: str, role: str, message: str) -> None:
    with pytest.raises(auth.AccountError, match=message):
        auth.add_user(site.host.current(), email, org, role, "long enough password")


def test_short_passwords_are_refused(site) -> None:
    with pytest.raises(auth.AccountError, match="at least 10"):
        auth.add_user(
            site.host.current(), "new@brindleford.example", "brindleford", "member_analyst", "short"
        )


def test_security_headers(site) -> None:
    r = site.client(ANALYST).get("/")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"
