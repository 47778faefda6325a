"""A table's rows as a download: CSV streamed, or an Excel workbook written to a temporary file."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from fastapi import HTTPException
from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from observatory.store import Warehouse
from observatory.web.tables import TableQuery, export_csv, export_xlsx


def export_response(
    w: Warehouse, query: TableQuery, fmt: str, written: Callable[[], None] | None = None
) -> Response:
    """``written`` runs once the workbook is written (or has failed): a warehouse made for this
    one request is closed there."""
    key = query.spec.key
    if fmt == "csv":
        return StreamingResponse(
            export_csv(w, query),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{key}.csv"'},
        )
    if fmt == "xlsx":
        with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
            out = Path(handle.name)
        try:
            export_xlsx(w, query, out)
        except ValueError as exc:
            out.unlink(missing_ok=True)
            raise HTTPException(400, str(exc)) from exc
        finally:
            if written:
                written()
        return FileResponse(
            out,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename=f"{key}.xlsx",
            background=BackgroundTask(out.unlink, missing_ok=True),
        )
    raise HTTPException(400, f"unknown format {fmt!r}: use csv or xlsx")
