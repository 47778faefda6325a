"""Answering a table request: the page, the htmx fragment, JSON, CSV or XLSX, from one spec."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    Response,
)
from markupsafe import Markup

from observatory.web import links
from observatory.web.deps import host, warehouse
from observatory.web.exports import export_response
from observatory.web.render import render, render_text
from observatory.web.tables import TablePage, TableQuery, TableSpec, run

Scope = list[tuple[str, dict[str, Any]]]


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def page_json(request: Request, page: TablePage) -> dict[str, Any]:
    params = dict(request.query_params)
    q = page.query
    out: dict[str, Any] = {
        "rows": [{k: json_value(v) for k, v in row.items()} for row in page.rows],
        "total": page.total,
        "page": q.page,
        "page_size": q.page_size,
        "pages": page.pages,
        "sort": q.sort,
        "dir": "desc" if q.descending else "asc",
        "filters": q.values,
        "links": {
            "csv": links.url(request.url.path, params, format="csv", page=None),
            "xlsx": links.url(request.url.path, params, format="xlsx", page=None),
        },
    }
    if q.page < page.pages:
        out["links"]["next"] = links.url(request.url.path, params, page=q.page + 1)
    if page.query.spec.method:
        out["links"]["method"] = links.method(page.query.spec.method)
    return out


def _params(request: Request, defaults: dict[str, str] | None) -> dict[str, str]:
    return {**(defaults or {}), **dict(request.query_params)}


def _query(
    request: Request, spec: TableSpec, scope: Scope | None, defaults: dict[str, str] | None
) -> TableQuery:
    query = TableQuery.from_params(spec, _params(request, defaults), scope)
    key = query.values.get("supplier_key")
    if key is not None and spec.filter("supplier_key") is not None:
        from observatory.web.suppliers import name_index

        w = warehouse(request)
        names = host(request).cached(("supplier-name-index",), lambda: name_index(w))
        query.scope.append(("true", {"supplier_key_names": names.get(key, [])}))
    return query


def table_page(
    request: Request,
    spec: TableSpec,
    scope: Scope | None = None,
    cache: bool = True,
    defaults: dict[str, str] | None = None,
) -> TablePage:
    query = _query(request, spec, scope, defaults)
    w = warehouse(request)
    if not cache:
        return run(w, query)
    return host(request).cached(("table", query.cache_key()), lambda: run(w, query))


def export(
    request: Request,
    spec: TableSpec,
    scope: Scope | None,
    fmt: str,
    defaults: dict[str, str] | None = None,
) -> Response:
    return export_response(warehouse(request), _query(request, spec, scope, defaults), fmt)


def table_response(
    request: Request,
    spec: TableSpec,
    template: str,
    context: dict[str, Any] | None = None,
    scope: Scope | None = None,
    cache: bool = True,
    defaults: dict[str, str] | None = None,
) -> Response:
    """The page with its table; the table alone for htmx; or the export the query asks for."""
    fmt = request.query_params.get("format")
    if fmt:
        return export(request, spec, scope, fmt, defaults)
    page = table_page(request, spec, scope, cache, defaults)
    values = {
        "table": page,
        "spec": spec,
        "choices": filter_choices(request, spec),
        **(context or {}),
    }
    # The table's HTML depends only on the address (path and query) and the data, not on who
    # asks (access rules are in the query's scope, and scoped tables are not cached): render it
    # once per state of the data.
    fragment = functools.partial(render_text, request, "_table.html", values)
    if cache:
        address = (request.url.path, tuple(sorted(_params(request, defaults).items())))
        html = host(request).cached(("table-html", address), fragment)
    else:
        html = fragment()
    if (
        request.headers.get("hx-request")
        and request.headers.get("hx-target") == f"table-{spec.key}"
    ):
        return HTMLResponse(html)
    return render(request, template, {**values, "table_html": Markup(html)})


def api_table(
    request: Request, spec: TableSpec, scope: Scope | None = None, cache: bool = True
) -> Response:
    fmt = request.query_params.get("format")
    if fmt:
        return export(request, spec, scope, fmt)
    return JSONResponse(page_json(request, table_page(request, spec, scope, cache)))


def filter_choices(request: Request, spec: TableSpec) -> dict[str, list[tuple[str, str]]]:
    w = warehouse(request)
    out = {}
    for f in spec.filters:
        if f.choices is not None:
            choose = f.choices
            out[f.name] = host(request).cached(("choices", spec.key, f.name), lambda c=choose: c(w))
    return out
