"""Jinja2 templates and the filters pages use to print money, counts and dates."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from observatory.web import links, methods_notes
from observatory.web.auth import ROLES
from observatory.web.deps import CSRF_FIELD, PRELOGIN_COOKIE, find_viewer
from observatory.web.priorities import PRIORITIES
from observatory.web.tables import PAGE_SIZES


def money(value: Any, pence: bool = True) -> str:
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    sign = "−" if number < 0 else ""
    return f"{sign}£{abs(number):,.2f}" if pence else f"{sign}£{abs(number):,.0f}"


def count(value: Any) -> str:
    return "" if value is None else f"{int(value):,}"


def pct(value: Any) -> str:
    return "–" if value is None else f"{float(value):.1f}%"


def day(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def cell_text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money":
        return money(value)
    if kind == "int":
        return count(value)
    if kind == "pct":
        return pct(value)
    if kind in ("date", "datetime"):
        return day(value)
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "list":
        return ", ".join(str(v) for v in value)
    return str(value)


def _environment() -> Environment:
    folder = str(resources.files("observatory.web").joinpath("templates"))
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package; no stat() per request
    )
    env.filters.update(money=money, count=count, pct=pct, day=day, cell=cell_text)
    env.globals.update(
        links=links,
        url=links.url,
        priorities=PRIORITIES,
        roles=ROLES,
        page_sizes=PAGE_SIZES,
        method_exists=methods_notes.exists,
    )
    return env


ENV = _environment()


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    return HTMLResponse(render_text(request, template, context), status_code=status)


def render_text(request: Request, template: str, context: dict[str, Any] | None = None) -> str:
    viewer = find_viewer(request)
    csrf = viewer.csrf_token if viewer is not None else request.cookies.get(PRELOGIN_COOKIE, "")
    values = {
        "request": request,
        "viewer": viewer,
        "csrf_token": csrf or "",
        "csrf_field": Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{csrf or ""}">'),
        "htmx_headers": json.dumps({"X-CSRF-Token": csrf or ""}),
        "path": request.url.path,
        **(context or {}),
    }
    return ENV.get_template(template).render(values)
