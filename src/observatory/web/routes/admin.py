"""Accounts (administrators) and the audit log (network staff see all; member admins their own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response

from observatory.web import audit, auth
from observatory.web.deps import Viewer, csrf_check, warehouse
from observatory.web.listings import AUDIT, organisation_choices
from observatory.web.routes.common import table_response

router = APIRouter(dependencies=[Depends(csrf_check)], include_in_schema=False)


def _page(request: Request, viewer: auth.Viewer, **context: object) -> Response:
    if not viewer.can_read_audit:
        raise HTTPException(403, "the audit log is for admins and network staff")
    scope = []
    if viewer.role not in auth.NETWORK_ROLES:
        scope.append(("organisation = $audit_org", {"audit_org": viewer.organisation}))
    w = warehouse(request)
    extra = {}
    if viewer.can_manage_users:
        extra = {"users": auth.list_users(w), "organisations": organisation_choices(w)}
    return table_response(
        request, AUDIT, "admin.html", {**extra, **context}, scope=scope, cache=False
    )


@router.get("/admin")
def admin_page(request: Request, viewer: Viewer) -> Response:
    return _page(request, viewer)


@router.post("/admin/users")
def add_user(
    request: Request,
    viewer: Viewer,
    email: Annotated[str, Form()] = "",
    organisation: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
) -> Response:
    if not viewer.can_manage_users:
        raise HTTPException(403, "only administrators add accounts")
    w = warehouse(request)
    try:
        account, password = auth.add_user(w, email, organisation, role)
    except auth.AccountError as exc:
        return _page(request, viewer, error=str(exc))
    audit.record(w, "user.add", viewer, account.email, {"organisation": organisation, "role": role})
    return _page(
        request, viewer, new_password=password, message=f"Account {account.email} created."
    )
