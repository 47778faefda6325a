"""CSRF: every state-changing request made with a session cookie carries the session's token."""

from __future__ import annotations

import pytest

ANALYST = "analyst@brindleford.example"
ADMIN = "admin@brindleford.example"

# (path, form) for every state-changing form a signed-in member admin can post.
FORMS = [
    ("/logout", {}),
    ("/account/tokens", {"label": "x"}),
    ("/account/password", {"current": "a", "new": "b"}),
    ("/records", {"kind": "savings", "title": "csrf probe"}),
    ("/upload", {"kind": "spend", "organisation": "brindleford"}),
    ("/upload/abc/retry", {}),
    ("/records/1", {"title": "x"}),
    ("/records/1/share", {"shared": "yes"}),
    ("/records/1/delete", {}),
    ("/admin/users", {"email": "a@b.example"}),
]


@pytest.mark.parametrize(("path", "form"), FORMS)
def test_forms_without_the_token_are_refused(site, path: str, form: dict[str, str]) -> None:
    c = site.client(ADMIN)
    assert c.post(path, data=form).status_code == 403
    assert c.post(path, data={**form, "csrf_token": "forged"}).status_code == 403
    assert c.post(path, data=form, headers={"X-CSRF-Token": "forged"}).status_code == 403


def test_refused_changes_change_nothing(site) -> None:
    c = site.client(ADMIN)
    w = site.host.current()
    before = w.fetch_value("SELECT count(*) FROM member_records")
    c.post("/records", data={"kind": "savings", "title": "csrf probe"})
    assert w.fetch_value("SELECT count(*) FROM member_records") == before
    assert "obs_session" in c.cookies and c.get("/").status_code == 200  # still signed in


def test_the_session_token_is_accepted_in_the_form_or_the_header(site) -> None:
    c = site.client(ADMIN)
    token = site.csrf(c)
    r = c.post("/records", data={"kind": "savings", "title": "via form", "csrf_token": token})
    assert r.status_code == 200 and "via form" in r.text
    r = c.post(
        "/api/records",
        json={"kind": "savings", "title": "via header"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 201


def test_another_sessions_token_does_not_work(site) -> None:
    mine = site.client(ADMIN)
    theirs = site.client("admin@castlemoor.example")
    r = mine.post(
        "/records", data={"kind": "savings", "title": "x", "csrf_token": site.csrf(theirs)}
    )
    assert r.status_code == 403


def test_api_changes_with_a_session_need_the_header(site) -> None:
    c = site.client(ADMIN)
    r = c.post("/api/records", json={"kind": "savings", "title": "no header"})
    assert r.status_code == 403


def test_api_changes_with_a_bearer_token_need_no_csrf_token(site) -> None:
    token = site.token(ADMIN)
    c = site.client()
    r = c.post(
        "/api/records",
        json={"kind": "savings", "title": "from a script"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201


def test_cross_site_origin_is_refused_even_with_the_token(site) -> None:
    c = site.client(ADMIN)
    token = site.csrf(c)
    r = c.post(
        "/records",
        data={"kind": "savings", "title": "x", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403


def test_login_form_needs_its_pre_session_token(site) -> None:
    c = site.client()
    c.get("/login")
    r = c.post(
        "/login",
        data={"email": ANALYST, "password": "correct horse battery staple"},
    )
    assert r.status_code == 403
    assert "obs_session" not in c.cookies
