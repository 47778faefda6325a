"""Signing in and out, and the account page (API tokens, password)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from observatory.web import audit, auth
from observatory.web.deps import (
    PRELOGIN_COOKIE,
    SESSION_COOKIE,
    OptionalViewer,
    Viewer,
    csrf_check,
    warehouse,
)
from observatory.web.render import render

router = APIRouter(dependencies=[Depends(csrf_check)], include_in_schema=False)


def _secure(request: Request) -> bool:
    setting = request.app.state.settings.cookie_secure
    return request.url.scheme == "https" if setting is None else bool(setting)


def _safe_next(value: str) -> str:
    # Only paths on this site: never an absolute URL an attacker could plant.
    return value if value.startswith("/") and not value.startswith("//") else "/"


@router.get("/login")
def login_page(request: Request, viewer: OptionalViewer, next: str = "/") -> Response:
    if viewer is not None:
        return RedirectResponse(_safe_next(next), 303)
    token = request.cookies.get(PRELOGIN_COOKIE) or secrets.token_urlsafe(32)
    request.cookies[PRELOGIN_COOKIE] = token  # so the form rendered now carries it
    response = render(request, "login.html", {"next": _safe_next(next)})
    response.set_cookie(
        PRELOGIN_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request)
    )
    return response


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    w = warehouse(request)
    throttle: auth.LoginThrottle = request.app.state.throttle
    address = email.strip().lower()
    if throttle.blocked(address):
        audit.record(w, "login.blocked", None, address)
        return render(
            request,
            "login.html",
            {"error": "Too many failed attempts: try again in 15 minutes.", "email": email},
            status=429,
        )
    account = auth.authenticate(w, address, password)
    if account is None:
        throttle.failed(address)
        audit.record(w, "login.failed", None, address)
        return render(
            request,
            "login.html",
            {"error": "The email address or password is wrong.", "email": email, "next": next},
            status=401,
        )
    throttle.succeeded(address)
    secret, _ = auth.create_session(w, account, request.app.state.settings.session_hours)
    audit.record(w, "login", account, account.email)
    response = RedirectResponse(_safe_next(next), 303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(request.app.state.settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(PRELOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, viewer: Viewer) -> Response:
    w = warehouse(request)
    if request.cookies.get(SESSION_COOKIE):
        auth.end_session(w, request.cookies[SESSION_COOKIE])
        request.app.state.credentials.drop("s:" + request.cookies[SESSION_COOKIE])
    audit.record(w, "logout", viewer, viewer.email)
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _account_page(request: Request, viewer: auth.Viewer, **context: object) -> Response:
    tokens = auth.list_tokens(warehouse(request), viewer.user_id)
    return render(request, "account.html", {"tokens": tokens, **context})


@router.get("/account")
def account_page(request: Request, viewer: Viewer) -> Response:
    return _account_page(request, viewer)


@router.post("/account/tokens")
def create_token(request: Request, viewer: Viewer, label: Annotated[str, Form()] = "") -> Response:
    w = warehouse(request)
    token = auth.create_token(w, viewer.account, label.strip()[:80])
    audit.record(w, "token.create", viewer, viewer.email, {"label": label})
    return _account_page(request, viewer, new_token=token, message="Token created: copy it now.")


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, viewer: Viewer, token_id: int) -> Response:
    w = warehouse(request)
    if auth.revoke_token(w, viewer.user_id, token_id):
        request.app.state.credentials.drop()  # the token itself is not known here
        audit.record(w, "token.revoke", viewer, str(token_id))
        return _account_page(request, viewer, message=f"Token {token_id} revoked.")
    return _account_page(request, viewer, error=f"No active token {token_id} of yours.")


@router.post("/account/password")
def change_password(
    request: Request,
    viewer: Viewer,
    current: Annotated[str, Form()] = "",
    new: Annotated[str, Form()] = "",
) -> Response:
    w = warehouse(request)
    if auth.authenticate(w, viewer.email, current) is None:
        return _account_page(request, viewer, error="The current password is wrong.")
    try:
        auth.set_password(w, viewer.email, new)
    except auth.AccountError as exc:
        return _account_page(request, viewer, error=str(exc))
    audit.record(w, "password.change", viewer, viewer.email)
    return _account_page(request, viewer, message="Password changed.")
