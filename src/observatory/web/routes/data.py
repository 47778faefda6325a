"""Published data: spend lines, contracts, suppliers, and the data page (loads, rejects,
remembered mappings, files read). Visible to everyone signed in to the network."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from observatory.web.deps import Viewer, csrf_check, host, warehouse
from observatory.web.listings import CONTRACTS, LOADS, MAPPINGS, REJECTS, SOURCE_FILES, SPEND
from observatory.web.render import money, render
from observatory.web.routes.common import table_response
from observatory.web.suppliers import directory_spec, supplier_detail

router = APIRouter(dependencies=[Depends(csrf_check)], include_in_schema=False)

DATA_SUBNAV = [
    ("/data", "Load receipts"),
    ("/data/rejects", "Rejected rows"),
    ("/data/mappings", "Remembered mappings"),
    ("/data/files", "Files read"),
]


@router.get("/spend")
def spend_page(request: Request, viewer: Viewer) -> Response:
    return table_response(
        request,
        SPEND,
        "listing.html",
        {
            "intro": "Every loaded spend line, as published, with the file and line it came "
            "from. Filter, sort, and export what you see."
        },
    )


@router.get("/contracts")
def contracts_page(request: Request, viewer: Viewer) -> Response:
    return table_response(request, CONTRACTS, "listing.html")


@router.get("/contracts/{contract_key:path}")
def contract_page(request: Request, viewer: Viewer, contract_key: str) -> Response:
    w = warehouse(request)
    rows = w.fetch("SELECT * FROM contracts WHERE contract_key = ?", [contract_key])
    if not rows:
        raise HTTPException(404, f"no contract {contract_key!r}")
    c = rows[0]
    suppliers = w.fetch(
        "SELECT * FROM contract_suppliers WHERE contract_key = ? ORDER BY supplier_name",
        [contract_key],
    )
    releases = []
    if c.get("ocid"):
        releases = w.fetch(
            "SELECT release_id, release_date, data FROM releases WHERE ocid = ? "
            "ORDER BY release_date",
            [c["ocid"]],
        )
        for r in releases:
            r["data"] = json.dumps(json.loads(r["data"]), indent=2, ensure_ascii=False)
    if c.get("raw_values"):
        c["raw_values"] = json.dumps(json.loads(c["raw_values"]), indent=2, ensure_ascii=False)
    labels = [
        ("Reference", c["reference"]),
        ("Member", c["organisation"]),
        ("Buyer", c["buyer_name"]),
        ("Description", c["description"]),
        ("Value", money(c["value_amount"]) if c["value_amount"] is not None else ""),
        ("Annual value", money(c["annual_value"]) if c["annual_value"] is not None else ""),
        ("Value includes VAT", {True: "yes", False: "no"}.get(c["value_includes_vat"], "not said")),
        ("Start", c["start_date"]),
        ("End", c["current_end_date"] or c["end_date"]),
        ("Awarded", c["award_date"]),
        ("Status", c["status"]),
        ("Procedure", c["procedure"]),
        ("Notice type", c["notice_type"]),
        ("CPV", c["cpv_code"]),
        ("ProClass", " ".join(x for x in (c["proclass_code"], c["proclass_label"]) if x)),
        ("Department", c["department"]),
        ("OCID", c["ocid"]),
    ]
    fields = [(k, v) for k, v in labels if v not in (None, "")]
    return render(
        request,
        "contract.html",
        {"c": c, "fields": fields, "suppliers": suppliers, "releases": releases},
    )


@router.get("/suppliers")
def suppliers_page(request: Request, viewer: Viewer) -> Response:
    w = warehouse(request)
    spec = host(request).cached(("supplier-spec",), lambda: directory_spec(w))
    intro = (
        "One row per supplier that supplier resolution identified."
        if spec.sql.find("supplier_id AS supplier_key") >= 0
        else "Grouped by published name, case and spacing ignored, until supplier resolution "
        "runs: a supplier spelt two ways appears twice. Redacted payees are left out."
    )
    return table_response(request, spec, "listing.html", {"intro": intro})


@router.get("/suppliers/{key}")
def supplier_page(request: Request, viewer: Viewer, key: str) -> Response:
    w = warehouse(request)
    detail = host(request).cached(("supplier", key), lambda: supplier_detail(w, key))
    if detail is None:
        raise HTTPException(404, f"no supplier {key!r}")
    return render(request, "supplier.html", {"s": detail})


def _data(request: Request, spec_name: str) -> Response:
    spec = {"loads": LOADS, "rejects": REJECTS, "mappings": MAPPINGS, "files": SOURCE_FILES}[
        spec_name
    ]
    return table_response(
        request,
        spec,
        "listing.html",
        {"subnav": DATA_SUBNAV, "subnav_label": "Data", "heading": f"Data: {spec.title.lower()}"},
    )


@router.get("/data")
def data_loads(request: Request, viewer: Viewer) -> Response:
    return _data(request, "loads")


@router.get("/data/rejects")
def data_rejects(request: Request, viewer: Viewer) -> Response:
    return _data(request, "rejects")


@router.get("/data/mappings")
def data_mappings(request: Request, viewer: Viewer) -> Response:
    return _data(request, "mappings")


@router.get("/data/files")
def data_files(request: Request, viewer: Viewer) -> Response:
    return _data(request, "files")
