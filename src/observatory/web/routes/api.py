"""The JSON API: the same data as the pages, for Power BI and scripts (OpenAPI at /docs).

Authenticate with ``Authorization: Bearer <token>`` (tokens from the account page or
``observatory users token``), or with the browser session plus an ``X-CSRF-Token`` header on
changes. Tables take the filters their page takes, plus ``sort``, ``dir``, ``page``, ``size``
and ``format=csv|xlsx`` for the whole filtered table as a file.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from observatory.web import audit, methods_notes, records, uploads
from observatory.web.deps import Viewer, csrf_check, host, warehouse
from observatory.web.listings import (
    CONTRACTS,
    LOADS,
    MAPPINGS,
    MONTHLY,
    QUALITY,
    REJECTS,
    SOURCE_FILES,
    SPEND,
)
from observatory.web.overview import overview
from observatory.web.routes.common import api_table, json_value
from observatory.web.suppliers import directory_spec, shared_summary, supplier_detail
from observatory.web.tables import TableSpec

router = APIRouter(prefix="/api", dependencies=[Depends(csrf_check)])


class TableParams(BaseModel):
    sort: str | None = Field(None, description="Column to sort by")
    dir: str | None = Field(None, description="asc or desc")
    page: int | None = Field(None, description="Page number, from 1")
    size: int | None = Field(None, description="Rows a page: 25, 50, 100 or 500")
    format: str | None = Field(None, description="csv or xlsx: the whole filtered table as a file")


Table = Annotated[TableParams, Query()]


def _describe(spec: TableSpec) -> str:
    lines = [f"{spec.title}. Filters (query parameters):"]
    lines += [f"- `{f.name}`: {f.label}" for f in spec.filters]
    lines.append("Columns: " + ", ".join(f"`{c.name}`" for c in spec.columns) + " (exports: all).")
    if spec.method:
        lines.append(f"Method note: /methods/{spec.method}")
    return "\n".join(lines)


def _data(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_data(v) for v in value]
    return json_value(value)


@router.get("/me", tags=["account"])
def me(viewer: Viewer) -> dict[str, Any]:
    a = viewer.account
    return {"email": a.email, "organisation": a.organisation, "role": a.role, "via": viewer.via}


@router.get("/overview", tags=["network"])
def api_overview(request: Request, viewer: Viewer) -> dict[str, Any]:
    """Per member: spend, months covered, data quality; and network totals."""
    w = warehouse(request)
    ov = host(request).cached(("overview",), lambda: overview(w))
    return _data(
        {
            "members": ov.members,
            "data_quality": ov.quality,
            "totals": ov.totals,
            "method": "/methods/data-quality",
        }
    )


def _table_endpoint(spec: TableSpec) -> Any:
    def endpoint(request: Request, viewer: Viewer, params: Table) -> Response:
        return api_table(request, spec)

    return endpoint


for _path, _spec, _name in (
    ("/overview/quality", QUALITY, "data_quality"),
    ("/overview/monthly", MONTHLY, "monthly_spend"),
    ("/spend", SPEND, "spend_lines"),
    ("/contracts", CONTRACTS, "contracts"),
    ("/loads", LOADS, "load_receipts"),
    ("/rejects", REJECTS, "rejects"),
    ("/mappings", MAPPINGS, "remembered_mappings"),
    ("/files", SOURCE_FILES, "source_files"),
):
    router.add_api_route(
        _path,
        _table_endpoint(_spec),
        methods=["GET"],
        tags=["published data"],
        name=_name,
        summary=_spec.title,
        description=_describe(_spec),
    )


@router.get("/contracts/{contract_key:path}", tags=["published data"])
def api_contract(request: Request, viewer: Viewer, contract_key: str) -> dict[str, Any]:
    w = warehouse(request)
    rows = w.fetch("SELECT * FROM contracts WHERE contract_key = ?", [contract_key])
    if not rows:
        raise HTTPException(404, f"no contract {contract_key!r}")
    contract = rows[0]
    for name in ("raw_values",):
        if contract.get(name):
            contract[name] = json.loads(contract[name])
    suppliers = w.fetch("SELECT * FROM contract_suppliers WHERE contract_key = ?", [contract_key])
    return _data({"contract": contract, "suppliers": suppliers})


@router.get(
    "/suppliers",
    tags=["published data"],
    summary="Suppliers",
    description="Suppliers with spend per member: resolved suppliers once resolution has run, "
    "published names (case and spacing ignored) until then. Filters: `name`, `organisation`, "
    "`min_members`. Method note: /methods/supplier-names",
)
def api_suppliers(request: Request, viewer: Viewer, params: Table) -> Response:
    w = warehouse(request)
    spec = host(request).cached(("supplier-spec",), lambda: directory_spec(w))
    return api_table(request, spec)


@router.get("/suppliers/{key}", tags=["published data"])
def api_supplier(request: Request, viewer: Viewer, key: str) -> dict[str, Any]:
    w = warehouse(request)
    detail = host(request).cached(("supplier", key), lambda: supplier_detail(w, key))
    if detail is None:
        raise HTTPException(404, f"no supplier {key!r}")
    return _data(detail)


@router.get("/collaboration/shared-suppliers", tags=["priorities"])
def api_shared(request: Request, viewer: Viewer) -> dict[str, Any]:
    """Share of spend with suppliers used by two or more members (method: supplier-names)."""
    w = warehouse(request)
    summary = host(request).cached(("shared-summary",), lambda: shared_summary(w))
    return _data({**summary, "method": "/methods/supplier-names#shared-suppliers"})


# -- member records -----------------------------------------------------------------------


class RecordIn(BaseModel):
    kind: str = Field(description=", ".join(records.KINDS))
    title: str
    payload: dict[str, Any] = Field(default_factory=dict)
    shared: bool = False


class RecordPatch(BaseModel):
    title: str | None = None
    payload: dict[str, Any] | None = None
    shared: bool | None = None


@router.get("/records", tags=["member records"])
def api_records(request: Request, viewer: Viewer, kind: str | None = None) -> dict[str, Any]:
    """Records the caller may see: their own member's, and other members' shared ones."""
    found = records.visible_records(warehouse(request), viewer, kind)
    return {"records": [r.as_json() for r in found]}


@router.post("/records", tags=["member records"], status_code=201)
def api_add_record(request: Request, viewer: Viewer, body: RecordIn) -> dict[str, Any]:
    w = warehouse(request)
    try:
        rec = records.create_record(w, viewer, body.kind, body.title, body.payload, body.shared)
    except records.RecordError as exc:
        raise HTTPException(403 if "only" in str(exc) else 422, str(exc)) from exc
    audit.record(w, "record.create", viewer, str(rec.record_id), {"kind": rec.kind})
    return rec.as_json()


def _record(request: Request, viewer: Viewer, record_id: int) -> records.MemberRecord:
    try:
        return records.get_record(warehouse(request), viewer, record_id)
    except records.RecordNotFound as exc:
        raise HTTPException(404, "no such record") from exc


@router.get("/records/{record_id}", tags=["member records"])
def api_record(request: Request, viewer: Viewer, record_id: int) -> dict[str, Any]:
    return _record(request, viewer, record_id).as_json()


@router.patch("/records/{record_id}", tags=["member records"])
def api_update_record(
    request: Request, viewer: Viewer, record_id: int, body: RecordPatch
) -> dict[str, Any]:
    _record(request, viewer, record_id)
    w = warehouse(request)
    try:
        rec = records.update_record(w, viewer, record_id, body.title, body.payload, body.shared)
    except records.RecordError as exc:
        raise HTTPException(403, str(exc)) from exc
    audit.record(w, "record.update", viewer, str(record_id), body.model_dump(exclude_none=True))
    return rec.as_json()


@router.delete("/records/{record_id}", tags=["member records"], status_code=204)
def api_delete_record(request: Request, viewer: Viewer, record_id: int) -> Response:
    _record(request, viewer, record_id)
    w = warehouse(request)
    try:
        records.delete_record(w, viewer, record_id)
    except records.RecordError as exc:
        raise HTTPException(403, str(exc)) from exc
    audit.record(w, "record.delete", viewer, str(record_id))
    return Response(status_code=204)


# -- loading through the server -------------------------------------------------------------


async def _load(
    request: Request,
    viewer: Viewer,
    kind: str,
    files: list[UploadFile],
    organisation: str,
    field_map: list[str],
) -> Response:
    data = [(f.filename or "upload", await f.read()) for f in files]

    def work() -> Response:
        w = warehouse(request)
        try:
            upload_id = uploads.save_upload(w, viewer, organisation, kind, data)
        except uploads.UploadError as exc:
            raise HTTPException(403 if "cannot load" in str(exc) else 422, str(exc)) from exc
        audit.record(w, "upload", viewer, upload_id, {"files": [n for n, _ in data]})
        upload = uploads.get_upload(w, viewer, upload_id)
        return _run(request, viewer, upload, field_map)

    return await run_in_threadpool(work)


def _run(
    request: Request, viewer: Viewer, upload: dict[str, Any], field_map: list[str]
) -> Response:
    with host(request).loading() as w:
        result = uploads.run_upload(w, upload, field_map)
        audit.record(
            w,
            "load",
            viewer,
            upload["upload_id"],
            {"map": field_map, "rows_loaded": result.totals.get("rows_loaded")},
        )
    status = 200 if result.receipts else 422
    return JSONResponse(_data(result.as_json()), status_code=status)


@router.post("/loads/spend", tags=["loading"])
async def api_load_spend(
    request: Request,
    viewer: Viewer,
    files: Annotated[list[UploadFile], File(description="Spend files: CSV, XLSX or zip")],
    organisation: Annotated[str, Form(description="Publishing member's org_id")],
    map: Annotated[list[str] | None, Form(description="FIELD=COLUMN pairs, as --map")] = None,
) -> Response:
    """Load spend files through the running server (the server owns the warehouse while it
    runs). Answers the load receipt; 422 when nothing could be loaded, with the columns found
    for a layout that needs a mapping (retry with ``/api/uploads/{id}/retry``)."""
    return await _load(request, viewer, "spend", files, organisation, map or [])


@router.post("/loads/contracts", tags=["loading"])
async def api_load_contracts(
    request: Request,
    viewer: Viewer,
    files: Annotated[list[UploadFile], File(description="OCDS JSON, register CSV/XLSX, zip")],
    organisation: Annotated[str, Form(description="Publishing member's org_id")],
    map: Annotated[list[str] | None, Form(description="FIELD=COLUMN pairs, as --map")] = None,
) -> Response:
    """Load contract registers or OCDS packages through the running server."""
    return await _load(request, viewer, "contracts", files, organisation, map or [])


@router.get("/uploads/{upload_id}", tags=["loading"])
def api_upload(request: Request, viewer: Viewer, upload_id: str) -> dict[str, Any]:
    try:
        upload = uploads.get_upload(warehouse(request), viewer, upload_id)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    return _data(
        {k: v for k, v in upload.items() if k != "files"}
        | {"files": [f["name"] for f in upload["files"]]}
    )


class Retry(BaseModel):
    map: list[str] = Field(description="FIELD=COLUMN pairs")


@router.post("/uploads/{upload_id}/retry", tags=["loading"])
def api_retry(
    request: Request, viewer: Viewer, upload_id: str, body: Annotated[Retry, Body()]
) -> Response:
    try:
        upload = uploads.get_upload(warehouse(request), viewer, upload_id)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    return _run(request, viewer, upload, body.map)


@router.get("/methods", tags=["methods"])
def api_methods() -> dict[str, Any]:
    """Method notes: how each figure is computed (read them at /methods/NAME)."""
    return {
        "methods": [
            {"name": n.name, "title": n.title, "summary": n.summary, "url": f"/methods/{n.name}"}
            for n in methods_notes.all_notes()
        ]
    }
