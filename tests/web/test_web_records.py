"""Member-private records: a member's records are its own until a member admin shares them.
Checked by page, by API, by export and by guessing ids."""

from __future__ import annotations

import io

import openpyxl
import pytest

B_ANALYST = "analyst@brindleford.example"
B_ADMIN = "admin@brindleford.example"
C_ANALYST = "analyst@castlemoor.example"
C_ADMIN = "admin@castlemoor.example"
COORDINATOR = "coordinator@network.example"
ADMINISTRATOR = "administrator@network.example"
SECRET = "Castlemoor confidential saving 7Q"


@pytest.fixture(scope="module")
def private_id(site) -> int:
    c = site.client(C_ANALYST)
    r = c.post(
        "/api/records",
        json={"kind": "savings", "title": SECRET, "payload": {"amount": "125000.00"}},
        headers={"X-CSRF-Token": site.csrf(c)},
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.fixture(scope="module")
def shared_id(site) -> int:
    c = site.client(C_ADMIN)
    r = c.post(
        "/api/records",
        json={"kind": "social_value", "title": "Castlemoor shared return", "shared": True},
        headers={"X-CSRF-Token": site.csrf(c)},
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


OUTSIDERS = (B_ANALYST, B_ADMIN, COORDINATOR, ADMINISTRATOR)


@pytest.mark.parametrize("email", OUTSIDERS)
def test_private_record_is_hidden_from_pages(site, private_id: int, email: str) -> None:
    c = site.client(email)
    listing = c.get("/records?size=500")
    assert listing.status_code == 200
    assert SECRET not in listing.text
    assert c.get(f"/records/{private_id}").status_code == 404
    assert SECRET not in c.get("/records?title=confidential").text
    assert SECRET not in c.get("/priorities/savings").text


@pytest.mark.parametrize("email", OUTSIDERS)
def test_private_record_is_hidden_from_exports(site, private_id: int, email: str) -> None:
    c = site.client(email)
    assert SECRET not in c.get("/records?format=csv").text
    book = openpyxl.load_workbook(io.BytesIO(c.get("/records?format=xlsx").content))
    cells = [str(v) for row in book.active.iter_rows(values_only=True) for v in row]
    assert SECRET not in cells


@pytest.mark.parametrize("email", OUTSIDERS)
def test_private_record_is_hidden_from_the_api(site, private_id: int, email: str) -> None:
    c = site.client()
    headers = {"Authorization": f"Bearer {site.token(email)}"}
    listed = c.get("/api/records", headers=headers).json()["records"]
    assert private_id not in [r["id"] for r in listed]
    assert c.get(f"/api/records/{private_id}", headers=headers).status_code == 404
    assert (
        c.patch(f"/api/records/{private_id}", json={"title": "pwned"}, headers=headers).status_code
        == 404
    )
    assert c.delete(f"/api/records/{private_id}", headers=headers).status_code == 404
    assert (
        site.host.current().fetch_value(
            "SELECT title FROM member_records WHERE record_id = ?", [private_id]
        )
        == SECRET
    )


def test_guessing_ids_reveals_nothing(site, private_id: int, shared_id: int) -> None:
    """Every id from 1 to past the last: an outsider gets 404 for all but shared records, and
    the answer for a private record is the same as for an id that does not exist."""
    w = site.host.current()
    top = int(w.fetch_value("SELECT max(record_id) FROM member_records")) + 5
    visible = {
        r["record_id"]
        for r in w.fetch(
            "SELECT record_id FROM member_records WHERE shared OR organisation = 'brindleford'"
        )
    }
    c = site.client(B_ANALYST)
    headers = {"Authorization": f"Bearer {site.token(B_ANALYST)}"}
    nobody = site.client()
    for record_id in range(1, top):
        page = c.get(f"/records/{record_id}")
        api = nobody.get(f"/api/records/{record_id}", headers=headers)
        if record_id in visible:
            assert page.status_code == 200 and api.status_code == 200
        else:
            assert page.status_code == 404 and api.status_code == 404, record_id
            assert api.json() == {"detail": "no such record"}
    assert private_id not in visible and shared_id in visible


def test_own_member_sees_its_private_record(site, private_id: int) -> None:
    for email in (C_ANALYST, C_ADMIN):
        c = site.client(email)
        assert SECRET in c.get(f"/records/{private_id}").text
        assert SECRET in c.get("/records").text


def test_shared_record_is_visible_to_the_network_but_not_editable(site, shared_id: int) -> None:
    for email in OUTSIDERS:
        c = site.client(email)
        assert c.get(f"/records/{shared_id}").status_code == 200
        headers = {"Authorization": f"Bearer {site.token(email)}"}
        r = site.client().patch(
            f"/api/records/{shared_id}", json={"title": "changed"}, headers=headers
        )
        assert r.status_code == 403
        r = site.client().delete(f"/api/records/{shared_id}", headers=headers)
        assert r.status_code == 403


def test_only_a_member_admin_shares_and_withdraws(site, private_id: int) -> None:
    analyst = site.client(C_ANALYST)
    r = analyst.post(
        f"/records/{private_id}/share", data={"shared": "yes", "csrf_token": site.csrf(analyst)}
    )
    assert r.status_code == 403
    admin = site.client(C_ADMIN)
    r = admin.post(
        f"/records/{private_id}/share", data={"shared": "yes", "csrf_token": site.csrf(admin)}
    )
    assert r.status_code == 200
    outsider = site.client(B_ANALYST)
    assert SECRET in outsider.get(f"/records/{private_id}").text
    r = admin.post(
        f"/records/{private_id}/share", data={"shared": "no", "csrf_token": site.csrf(admin)}
    )
    assert outsider.get(f"/records/{private_id}").status_code == 404
    actions = [
        r["action"]
        for r in site.host.current().fetch(
            "SELECT action FROM web_audit_log WHERE target = ? ORDER BY audit_id", [str(private_id)]
        )
    ]
    assert actions[-2:] == ["record.share", "record.unshare"]


def test_network_staff_cannot_write_member_records(site) -> None:
    for email in (COORDINATOR, ADMINISTRATOR):
        headers = {"Authorization": f"Bearer {site.token(email)}"}
        r = site.client().post(
            "/api/records", json={"kind": "savings", "title": "x"}, headers=headers
        )
        assert r.status_code == 403


def test_analyst_cannot_create_a_shared_record(site) -> None:
    headers = {"Authorization": f"Bearer {site.token(B_ANALYST)}"}
    r = site.client().post(
        "/api/records", json={"kind": "savings", "title": "x", "shared": True}, headers=headers
    )
    assert r.status_code == 403


def test_every_change_is_in_the_audit_log(site, private_id: int) -> None:
    rows = site.host.current().fetch(
        "SELECT email, organisation, action, via FROM web_audit_log WHERE target = ? "
        "ORDER BY audit_id",
        [str(private_id)],
    )
    assert rows[0] == {
        "email": C_ANALYST,
        "organisation": "castlemoor",
        "action": "record.create",
        "via": "web",
    }
