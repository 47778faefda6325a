"""Roles: who may manage accounts, read the audit log, and load for which member."""

from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("analyst@brindleford.example", 403),
        ("admin@brindleford.example", 200),
        ("coordinator@network.example", 200),
        ("administrator@network.example", 200),
    ],
)
def test_audit_log_access(site, email: str, status: int) -> None:
    assert site.client(email).get("/admin").status_code == status


def test_member_admin_sees_only_its_members_audit_entries(site) -> None:
    site.client("analyst@castlemoor.example")  # a castlemoor sign-in is logged
    page = site.client("admin@brindleford.example").get("/admin?size=500").text
    assert "castlemoor.example" not in page
    everyone = site.client("coordinator@network.example").get("/admin?size=500").text
    assert "analyst@castlemoor.example" in everyone


def test_only_administrators_add_accounts(site) -> None:
    coordinator = site.client("coordinator@network.example")
    r = coordinator.post(
        "/admin/users",
        data={
            "email": "x@brindleford.example",
            "organisation": "brindleford",
            "role": "member_analyst",
            "csrf_token": site.csrf(coordinator),
        },
    )
    assert r.status_code == 403
    admin = site.client("administrator@network.example")
    r = admin.post(
        "/admin/users",
        data={
            "email": "new@brindleford.example",
            "organisation": "brindleford",
            "role": "member_analyst",
            "csrf_token": site.csrf(admin),
        },
    )
    assert r.status_code == 200
    password = re.search(r'id="new-password">([^<]+)<', r.text)[1]
    fresh = site.client()
    site.login(fresh, "new@brindleford.example", password)
