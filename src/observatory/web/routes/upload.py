"""Uploading spend files, contract registers and OCDS packages from the browser."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from observatory.web import audit, uploads
from observatory.web.auth import Viewer as ViewerType
from observatory.web.deps import Viewer, csrf_check, host, warehouse
from observatory.web.listings import organisation_choices
from observatory.web.render import render

router = APIRouter(dependencies=[Depends(csrf_check)], include_in_schema=False)


def _choices(request: Request, viewer: ViewerType) -> list[tuple[str, str]]:
    every = organisation_choices(warehouse(request))
    return [(k, v) for k, v in every if viewer.can_load_for(k)]


def _recent(request: Request, viewer: ViewerType) -> list[dict[str, Any]]:
    rows = warehouse(request).fetch(
        "SELECT upload_id, organisation, kind, created_at, "
        "array_to_string(list_transform(CAST(files AS JSON[]), lambda f: f->>'name'), ', ') "
        "AS names FROM web_uploads ORDER BY created_at DESC LIMIT 50"
    )
    return [r for r in rows if viewer.can_load_for(r["organisation"])][:10]


@router.get("/upload")
def upload_page(request: Request, viewer: Viewer) -> Response:
    choices = _choices(request, viewer)
    if not choices:
        raise HTTPException(403, "your role does not load files")
    return render(
        request,
        "upload.html",
        {"kinds": uploads.KINDS, "organisations": choices, "recent": _recent(request, viewer)},
    )


def _result_page(
    request: Request, upload: dict[str, Any], result: dict[str, Any], kind: str
) -> Response:
    folder = str(uploads.uploads_root(warehouse(request)) / upload["upload_id"]) + "/"
    problems = [p["file"] for p in result.get("problems", [])]
    other = [
        e.replace(folder, "")
        for e in result.get("errors", [])
        if not any(m in e for m in uploads.LAYOUT_MARKERS) or not problems
    ]
    return render(
        request,
        "upload_result.html",
        {
            "upload": upload,
            "result": result,
            "other_errors": other,
            "field_choices": uploads.field_choices(kind),
        },
    )


def _as_context(result: uploads.UploadResult) -> dict[str, Any]:
    out = result.as_json()
    out["receipts"] = out.pop("files")
    out["field_map"] = out.pop("map")
    out["problems"] = [
        {**p.__dict__, "guesses": {k: p.suggestion_for(v) for k, v in p.missing.items()}}
        for p in result.problems
    ]
    return out


def _load(
    request: Request, viewer: ViewerType, upload: dict[str, Any], pairs: list[str]
) -> Response:
    with host(request).loading() as w:
        result = uploads.run_upload(w, upload, pairs)
        audit.record(
            w,
            "load",
            viewer,
            upload["upload_id"],
            {
                "organisation": upload["organisation"],
                "kind": upload["kind"],
                "files": [f["name"] for f in upload["files"]],
                "map": pairs,
                "rows_loaded": result.totals.get("rows_loaded"),
                "errors": len(result.errors),
            },
        )
    return _result_page(request, upload, _as_context(result), upload["kind"])


@router.post("/upload")
async def upload_files(request: Request, viewer: Viewer) -> Response:
    form = await request.form()
    kind = str(form.get("kind", "spend"))
    organisation = str(form.get("organisation", viewer.organisation))
    files = []
    for item in form.getlist("files"):
        if hasattr(item, "read") and getattr(item, "filename", None):
            files.append((str(item.filename), await item.read()))
    return await _run_in_thread(request, viewer, kind, organisation, files)


async def _run_in_thread(
    request: Request,
    viewer: ViewerType,
    kind: str,
    organisation: str,
    files: list[tuple[str, bytes]],
) -> Response:
    # Loading is blocking work on the warehouse: run it on a worker thread with its own cursor.
    from starlette.concurrency import run_in_threadpool

    if not viewer.can_load_for(organisation):
        raise HTTPException(403, f"you cannot load files for {organisation}")

    def work() -> Response:
        w = warehouse(request)
        try:
            upload_id = uploads.save_upload(w, viewer, organisation, kind, files)
        except uploads.UploadError as exc:
            return render(
                request,
                "upload.html",
                {
                    "kinds": uploads.KINDS,
                    "organisations": _choices(request, viewer),
                    "recent": _recent(request, viewer),
                    "error": str(exc),
                },
                status=400,
            )
        audit.record(w, "upload", viewer, upload_id, {"files": [n for n, _ in files]})
        upload = uploads.get_upload(w, viewer, upload_id)
        return _load(request, viewer, upload, [])

    return await run_in_threadpool(work)


@router.get("/upload/{upload_id}")
def upload_result(request: Request, viewer: Viewer, upload_id: str) -> Response:
    try:
        upload = uploads.get_upload(warehouse(request), viewer, upload_id)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    if upload["result"] is None:
        return RedirectResponse("/upload", 303)
    result = dict(upload["result"])
    result["receipts"] = result.pop("files", [])
    result["field_map"] = result.pop("map", [])
    result["problems"] = []  # the mapping form is offered right after a failed attempt
    return _result_page(request, upload, result, upload["kind"])


@router.post("/upload/{upload_id}/retry")
async def retry_upload(request: Request, viewer: Viewer, upload_id: str) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    pairs = uploads.map_pairs(values, values.get("extra", ""))
    from starlette.concurrency import run_in_threadpool

    def work() -> Response:
        try:
            upload = uploads.get_upload(warehouse(request), viewer, upload_id)
        except LookupError as exc:
            raise HTTPException(404, str(exc)) from exc
        return _load(request, viewer, upload, pairs)

    return await run_in_threadpool(work)
