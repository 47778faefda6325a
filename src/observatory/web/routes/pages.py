"""The overview, the priority pages and the method notes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from markupsafe import Markup

from observatory.web import analysis_pages, methods_notes
from observatory.web.analysis_pages import PageData
from observatory.web.deps import Viewer, csrf_check, host, warehouse
from observatory.web.listings import MONTHLY, QUALITY
from observatory.web.overview import monthly_chart, overview
from observatory.web.priorities import BY_SLUG, Priority
from observatory.web.render import render, render_text
from observatory.web.routes.common import table_response
from observatory.web.rows_tables import rows_response

router = APIRouter(dependencies=[Depends(csrf_check)], include_in_schema=False)


@router.get("/")
def overview_page(request: Request, viewer: Viewer) -> Response:
    w = warehouse(request)
    ov = host(request).cached(("overview",), lambda: overview(w))
    chart = host(request).cached(("overview-chart",), lambda: monthly_chart(ov.monthly))
    contracts_by_org = {m["organisation"]: m["contracts"] for m in ov.members}
    context = {"ov": ov, "chart": chart, "contracts_by_org": contracts_by_org}
    body = host(request).cached(
        ("overview-html",), lambda: render_text(request, "_overview_body.html", context)
    )
    return render(request, "overview.html", {"body_html": Markup(body)})


@router.get("/overview/quality")
def quality_table(request: Request, viewer: Viewer) -> Response:
    return table_response(request, QUALITY, "listing.html", {"intro": _QUALITY_INTRO})


@router.get("/overview/monthly")
def monthly_table(request: Request, viewer: Viewer) -> Response:
    return table_response(request, MONTHLY, "listing.html")


_QUALITY_INTRO = (
    "Per member: what is loaded and how complete it is. Percentages of rows read (rejected, "
    "duplicates) or of spend lines (the rest)."
)


def _priority(slug: str) -> Priority:
    priority = BY_SLUG.get(slug)
    if priority is None:
        raise HTTPException(404, f"no priority page {slug!r}")
    return priority


def _page_data(request: Request, viewer: Viewer, slug: str) -> PageData:
    w = warehouse(request)
    return host(request).cached(
        analysis_pages.cache_key(slug, viewer),
        lambda: analysis_pages.page_data(w, slug, viewer),
    )


@router.get("/priorities/{slug}")
def priority_page(request: Request, viewer: Viewer, slug: str) -> Response:
    priority = _priority(slug)
    data = _page_data(request, viewer, slug)
    main = data.tables[0]
    subpages = [
        (f"/priorities/{slug}/{sub}", data.table(key))
        for sub, key in analysis_pages.SUBPAGES.get(slug, {}).items()
    ]
    context = {
        "priority": priority,
        "title": priority.title,
        "data": data,
        "main": main,
        "subpages": [(href, t) for href, t in subpages if t is not None],
    }
    return rows_response(
        request,
        (*analysis_pages.cache_key(slug, viewer), main.spec.key),
        main.spec,
        main.rows,
        "priority.html",
        context,
    )


@router.get("/priorities/collaboration/opportunities/{opportunity_id:path}")
def opportunity_page(request: Request, viewer: Viewer, opportunity_id: str) -> Response:
    priority = _priority("collaboration")
    w = warehouse(request)
    detail = host(request).cached(
        ("opportunity", opportunity_id),
        lambda: analysis_pages.opportunity_page(w, opportunity_id),
    )
    if detail is None:
        raise HTTPException(404, f"no co-commissioning opportunity {opportunity_id!r}")
    table = detail["table"]
    return rows_response(
        request,
        ("opportunity", opportunity_id),
        table.spec,
        table.rows,
        "opportunity.html",
        {"priority": priority, "title": detail["opportunity"].label, "d": detail},
    )


@router.get("/priorities/{slug}/{sub}")
def priority_table(request: Request, viewer: Viewer, slug: str, sub: str) -> Response:
    priority = _priority(slug)
    key = analysis_pages.SUBPAGES.get(slug, {}).get(sub)
    if key is None:
        raise HTTPException(404, f"no table {sub!r} on the {slug} page")
    data = _page_data(request, viewer, slug)
    table = data.table(key)
    if table is None:
        raise HTTPException(404, f"no table {sub!r} on the {slug} page")
    return rows_response(
        request,
        (*analysis_pages.cache_key(slug, viewer), key),
        table.spec,
        table.rows,
        "priority_table.html",
        {"priority": priority, "title": table.spec.title, "data": data, "page_table": table},
    )


@router.get("/methods")
def methods_index(request: Request) -> Response:
    return render(request, "methods.html", {"notes": methods_notes.all_notes()})


@router.get("/methods/{name}")
def method_page(request: Request, name: str) -> Response:
    note = methods_notes.note(name)
    if note is None:
        raise HTTPException(404, f"no method note {name!r} yet")
    return render(request, "method.html", {"note": note, "title": note.title})
