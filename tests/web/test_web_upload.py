"""Uploads in the browser and through the API: receipts, unknown layouts, roles, the lock."""

from __future__ import annotations

import re
import subprocess
import sys

ANALYST = "analyst@brindleford.example"
COORDINATOR = "coordinator@network.example"
UNKNOWN = (
    b"When,Who,How much,Ref\n"
    b"03/04/2025,Acme Widgets Ltd,123.45,A1\n"
    b"04/04/2025,Beta Care CIC,99.00,A2\n"
    b"05/04/2025,Acme Widgets Ltd,oops,A3\n"
)


def _upload(site, client, kind: str, org: str, name: str, data: bytes):
    return client.post(
        "/upload",
        data={"kind": kind, "organisation": org, "csrf_token": site.csrf(client)},
        files={"files": (name, data, "text/csv")},
    )


def test_upload_of_a_known_layout_shows_the_receipt(site) -> None:
    c = site.client(ANALYST)
    council = b"Brindleford Metropolitan Borough Council,30/04/2025,Upload Test Supplies Ltd"
    data = (
        b"OrganisationLabel,EffectiveDate,BeneficiaryName,Amount,TransactionNumber\n"
        + council
        + b",250.00,T1\n"
        + council
        + b",not money,T2\n"
    )
    r = _upload(site, c, "spend", "brindleford", "upload-test.csv", data)
    assert r.status_code == 200, r.text[:500]
    assert "Load receipt" in r.text
    assert re.search(r'data-field="rows_read">2<', r.text)
    assert re.search(r'data-field="rows_loaded"><a[^>]*>1<', r.text)
    assert re.search(r'data-field="rows_rejected"><a[^>]*>1<', r.text)
    # Sending it again adds nothing: every row is a duplicate (or rejected again).
    again = _upload(site, c, "spend", "brindleford", "upload-test.csv", data)
    assert re.search(r'data-field="rows_duplicate">1<', again.text)
    # The rejected row is on the data page with its file, line, reason and raw text.
    rejects = c.get("/api/rejects?file=upload-test.csv").json()["rows"]
    assert rejects and rejects[0]["line"] == 3 and "not money" in rejects[0]["raw_text"]
    audit = site.host.current().fetch(
        "SELECT action FROM web_audit_log WHERE email = ? AND action IN ('upload', 'load')",
        [ANALYST],
    )
    assert {"upload", "load"} <= {a["action"] for a in audit}


def test_unknown_layout_asks_for_a_mapping_then_loads(site) -> None:
    c = site.client(ANALYST)
    r = _upload(site, c, "spend", "brindleford", "odd-layout.csv", UNKNOWN)
    assert r.status_code == 200
    assert "the columns could not be mapped" in r.text
    for header in ("When", "Who", "How much"):
        assert f'<td class="govuk-table__cell">{header}</td>' in r.text
    # The loader's suggested --map is preselected in the form.
    assert re.search(r'<option value="3" selected>3 – How much</option>', r.text)
    upload_id = re.search(r'action="/upload/([^/]+)/retry"', r.text)[1]
    token = site.csrf_from(r.text)
    fields = dict(re.findall(r'name="(map_field_\d+)"[^>]*>\s*<option value="([^"]+)"', r.text))
    assert len(fields) == 3
    form = {"csrf_token": token}
    choice = {
        "payment_date": "1",
        "transaction_date": "1",
        "supplier_name": "2",
        "net_amount": "How much",
    }
    for name, first in fields.items():
        form[name] = first
        form[name.replace("field", "column")] = choice[first]
    done = c.post(f"/upload/{upload_id}/retry", data=form)
    assert done.status_code == 200
    assert re.search(r'data-field="rows_loaded"><a[^>]*>2<', done.text), done.text[-3000:]
    mappings = c.get("/api/mappings?organisation=brindleford").json()["rows"]
    assert any(m["layout"] == "when|who|howmuch|ref" for m in mappings)
    # The same layout now loads without asking.
    later = _upload(
        site,
        c,
        "spend",
        "brindleford",
        "odd-layout-2.csv",
        UNKNOWN.replace(b"A1", b"B1").replace(b"A2", b"B2"),
    )
    assert "could not be mapped" not in later.text


def test_members_load_only_their_own_organisation(site) -> None:
    c = site.client(ANALYST)
    r = _upload(site, c, "spend", "castlemoor", "x.csv", UNKNOWN)
    assert r.status_code == 403
    assert "cannot load files for castlemoor" in r.text
    page = c.get("/upload").text
    assert 'value="castlemoor"' not in page
    coordinator = site.client(COORDINATOR)
    assert 'value="castlemoor"' in coordinator.get("/upload").text


def test_another_members_upload_is_not_found(site) -> None:
    c = site.client(ANALYST)
    r = _upload(site, c, "spend", "brindleford", "odd-again.csv", UNKNOWN.replace(b"A", b"Z"))
    upload_id = re.search(r"/upload/([A-Za-z0-9_-]+)", r.text)
    upload_id = (
        upload_id[1]
        if upload_id
        else site.host.current().fetch_value(
            "SELECT upload_id FROM web_uploads ORDER BY created_at DESC LIMIT 1"
        )
    )
    other = site.client("analyst@castlemoor.example")
    assert other.get(f"/upload/{upload_id}").status_code == 404
    headers = {"Authorization": f"Bearer {site.token('analyst@castlemoor.example')}"}
    assert site.client().get(f"/api/uploads/{upload_id}", headers=headers).status_code == 404


def test_api_load_goes_through_the_server(site) -> None:
    headers = {"Authorization": f"Bearer {site.token(COORDINATOR)}"}
    data = b"Date of Payment,Vendor Name,Net,DocumentNo\n12/05/2025,Api Loaded Ltd,1000.00,D1\n"
    r = site.client().post(
        "/api/loads/spend",
        data={"organisation": "castlemoor"},
        files={"files": ("api.csv", data, "text/csv")},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["totals"]["rows_loaded"] == 1
    assert body["files"][0]["organisation"] == "castlemoor"
    lines = site.client().get("/api/spend?supplier=Api Loaded", headers=headers).json()
    assert lines["total"] == 1
    # An unknown layout answers 422 with the columns found, and can be retried with a map.
    odd = site.client().post(
        "/api/loads/spend",
        data={"organisation": "castlemoor"},
        files={"files": ("odd.csv", UNKNOWN.replace(b"A", b"Q"), "text/csv")},
        headers=headers,
    )
    assert odd.status_code == 422
    problem = odd.json()["unmapped_layouts"][0]
    assert [c["header"] for c in problem["columns"]][:3] == ["When", "Who", "How much"]
    retry = site.client().post(
        f"/api/uploads/{odd.json()['upload_id']}/retry",
        json={"map": ["payment_date=1", "supplier_name=2", "net_amount=3"]},
        headers=headers,
    )
    assert retry.status_code == 200 and retry.json()["totals"]["rows_loaded"] == 2


def test_a_cli_load_while_the_server_runs_fails_clearly(site) -> None:
    """DuckDB allows one writing process: another process is refused with a message naming
    the server, and the server's file is untouched."""
    before = site.host.current().fetch_value("SELECT count(*) FROM spend_lines")
    code = (
        "import sys\n"
        "from observatory.store import Warehouse, WarehouseLocked\n"
        "try:\n"
        f"    Warehouse.open({str(site.path)!r})\n"
        "except WarehouseLocked as exc:\n"
        "    print(exc); sys.exit(3)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 3, done.stderr
    assert "observatory serve" in done.stdout and "API" in done.stdout
    assert site.host.current().fetch_value("SELECT count(*) FROM spend_lines") == before
