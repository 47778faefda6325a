"""Member records in the browser: list (only what the viewer may see), add, edit, share."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from observatory.web import audit, records
from observatory.web.deps import Viewer, csrf_check, warehouse
from observatory.web.listings import RECORDS
from observatory.web.render import render
from observatory.web.routes.common import table_response

router = APIRouter(dependencies=[Depends(csrf_check)], include_in_schema=False)


def _list(request: Request, viewer: Viewer, **context: object) -> Response:
    where, params = records.visibility(viewer)
    return table_response(
        request,
        RECORDS,
        "records.html",
        {"kinds": records.KINDS, **context},
        scope=[(where, params)],
        cache=False,  # records change without a load; the cache only follows loads
    )


@router.get("/records")
def records_page(request: Request, viewer: Viewer) -> Response:
    return _list(request, viewer)


@router.post("/records")
def add_record(
    request: Request,
    viewer: Viewer,
    kind: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
    supplier: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
    shared: Annotated[str, Form()] = "",
) -> Response:
    payload: dict[str, object] = {}
    if amount.strip():
        try:
            payload["amount"] = str(Decimal(amount.replace(",", "").replace("£", "").strip()))
        except InvalidOperation:
            return _list(request, viewer, error=f"{amount!r} is not an amount", form_error=True)
    if supplier.strip():
        payload["supplier"] = supplier.strip()
    if notes.strip():
        payload["notes"] = notes.strip()
    w = warehouse(request)
    try:
        rec = records.create_record(w, viewer, kind, title, payload, shared == "yes")
    except records.RecordError as exc:
        return _list(request, viewer, error=str(exc), form_error=True)
    audit.record(
        w, "record.create", viewer, str(rec.record_id), {"kind": kind, "shared": rec.shared}
    )
    return RedirectResponse(f"/records/{rec.record_id}", 303)


def _get(request: Request, viewer: Viewer, record_id: int) -> records.MemberRecord:
    try:
        return records.get_record(warehouse(request), viewer, record_id)
    except records.RecordNotFound as exc:
        raise HTTPException(404, "no such record") from exc


@router.get("/records/{record_id}")
def record_page(request: Request, viewer: Viewer, record_id: int) -> Response:
    rec = _get(request, viewer, record_id)
    return render(request, "record.html", {"rec": rec, "kinds": records.KINDS})


@router.post("/records/{record_id}")
def edit_record(
    request: Request,
    viewer: Viewer,
    record_id: int,
    title: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
) -> Response:
    rec = _get(request, viewer, record_id)
    w = warehouse(request)
    payload = {**rec.payload, "notes": notes.strip()}
    try:
        records.update_record(w, viewer, record_id, title=title, payload=payload)
    except records.RecordError as exc:
        raise HTTPException(403, str(exc)) from exc
    audit.record(w, "record.update", viewer, str(record_id))
    return RedirectResponse(f"/records/{record_id}", 303)


@router.post("/records/{record_id}/share")
def share_record(
    request: Request, viewer: Viewer, record_id: int, shared: Annotated[str, Form()] = "yes"
) -> Response:
    w = warehouse(request)
    _get(request, viewer, record_id)
    try:
        records.update_record(w, viewer, record_id, shared=shared == "yes")
    except records.RecordError as exc:
        raise HTTPException(403, str(exc)) from exc
    audit.record(w, "record.share" if shared == "yes" else "record.unshare", viewer, str(record_id))
    return RedirectResponse(f"/records/{record_id}", 303)


@router.post("/records/{record_id}/delete")
def delete_record(request: Request, viewer: Viewer, record_id: int) -> Response:
    w = warehouse(request)
    _get(request, viewer, record_id)
    try:
        gone = records.delete_record(w, viewer, record_id)
    except records.RecordError as exc:
        raise HTTPException(403, str(exc)) from exc
    audit.record(w, "record.delete", viewer, str(record_id), {"title": gone.title})
    return RedirectResponse("/records", 303)
