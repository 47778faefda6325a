"""The overview, the priority pages and the method notes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from markupsafe import Markup

from observatory.web import methods_notes
from observatory.web.deps import Viewer, csrf_check, host, warehouse
from observatory.web.listings import MONTHLY, QUALITY
from observatory.web.overview import monthly_chart, overview
from observatory.web.priorities import BY_SLUG
from observatory.web.render import render, render_text
from observatory.web.routes.common import table_response
from observatory.web.suppliers import directory_spec, shared_summary

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


@router.get("/priorities/{slug}")
def priority_page(request: Request, viewer: Viewer, slug: str) -> Response:
    priority = BY_SLUG.get(slug)
    if priority is None:
        raise HTTPException(404, f"no priority page {slug!r}")
    context = {"priority": priority, "title": priority.title}
    if slug != "collaboration":
        return render(request, "priority.html", context)
    # Co-commissioning already shows shared suppliers (by published name until resolution).
    w = warehouse(request)
    spec = directory_spec(w)
    context["shared"] = host(request).cached(("shared-summary",), lambda: shared_summary(w))
    return table_response(request, spec, "priority.html", context, defaults={"min_members": "2"})


@router.get("/methods")
def methods_index(request: Request) -> Response:
    return render(request, "methods.html", {"notes": methods_notes.all_notes()})


@router.get("/methods/{name}")
def method_page(request: Request, name: str) -> Response:
    note = methods_notes.note(name)
    if note is None:
        raise HTTPException(404, f"no method note {name!r} yet")
    return render(request, "method.html", {"note": note, "title": note.title})
