"""Bulk-load a generated dataset straight into ``spend_lines`` with DuckDB's CSV reader.

This is a benchmark's short cut, not the loader: it knows the generator's four layouts, so it
skips the work the loader does for files it has never seen (finding the header, mapping columns,
reasons for every reject, duplicate keys against what is loaded). The loader pays a fixed cost of
about 240 statements per file, which at 3,600 member-month files dominates; the national
benchmark measures the real loader at the smaller sizes and uses this path to reach the larger
ones (benchmarks/results/national.md says which was used where).
"""

from __future__ import annotations

import json
from pathlib import Path

from observatory import organisations as orgs
from observatory.scale.layouts import LAYOUTS
from observatory.store import Warehouse
from observatory.store.warehouse import sql_text

# Per layout: the SQL expression of each spend_lines field over the file's columns (all text).
FIELDS: dict[str, dict[str, str]] = {
    "lga": {
        "date": '"PaymentDate"',
        "amount": '"Amount"',
        "supplier": '"BeneficiaryName"',
        "service_area": '"OrganisationalUnit"',
        "expense_type": "NULL",
        "purpose": '"Purpose"',
        "transaction_id": '"TransactionNumber"',
        "invoice_number": '"InvoiceNumber"',
        "cost_centre": '"ProfitCentre"',
        "supplier_ref": '"BeneficiaryOtherID"',
        "vat_number": "nullif(\"VATRegistrationNumber\", 'NA')",
        "company_number": "NULL",
        "proclass_code": "nullif(\"ProclassCode\", 'NA')",
        "proclass_label": "nullif(\"ProclassLabel\", 'NA')",
    },
    "expenses": {
        "date": '"Invoice Payment Date"',
        "amount": '"Net Amount"',
        "supplier": '"Supplier Name"',
        "service_area": '"Service Area"',
        "expense_type": '"Expenses Type"',
        "purpose": "NULL",
        "transaction_id": '"Transaction Number"',
        "invoice_number": "NULL",
        "cost_centre": "NULL",
        "supplier_ref": "NULL",
        "vat_number": "NULL",
        "company_number": "NULL",
        "proclass_code": "NULL",
        "proclass_label": "NULL",
    },
    "gross_net": {
        "date": '"Date of Payment"',
        "amount": '"Net"',
        "supplier": '"Vendor Name"',
        "service_area": '"Service Area"',
        "expense_type": '"GL Description"',
        "purpose": "NULL",
        "transaction_id": '"DocumentNo"',
        "invoice_number": "NULL",
        "cost_centre": "NULL",
        "supplier_ref": "NULL",
        "vat_number": "NULL",
        "company_number": "NULL",
        "proclass_code": "NULL",
        "proclass_label": "NULL",
    },
    "lgtc": {
        "date": '"Date"',
        "amount": '"Net Amount"',
        "supplier": '"Supplier(Beneficiary) Name"',
        "service_area": '"Expense Area"',
        "expense_type": '"Procurement Classification: Council\'s Procurement Category Name"',
        "purpose": "NULL",
        "transaction_id": '"Internal Ref Number"',
        "invoice_number": '"Invoice Number"',
        "cost_centre": '"Expense Code"',
        "supplier_ref": '"Supplier ID"',
        "vat_number": "NULL",
        "company_number": '"Supplier Registered Company Number"',
        "proclass_code": "NULL",
        "proclass_label": "NULL",
    },
}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def bulk_load(warehouse: Warehouse, generated: Path) -> int:
    """Insert every generated line into ``spend_lines``; return how many. Footer 'Total' rows
    (the generator's deliberate quirk) are left out, as the loader would reject them."""
    manifest = json.loads((generated / "manifest.json").read_text(encoding="utf-8"))
    orgs.register(warehouse, orgs.read_config(generated / "organisations.toml"))
    warehouse.execute_script(sql_text("macros"))
    by_layout: dict[str, list[str]] = {}
    for m in manifest["by_member"]:
        folder = generated / "spend" / m["org_id"]
        by_layout.setdefault(m["layout"], []).extend(str(p) for p in sorted(folder.glob("*.csv")))
    load_id = warehouse.fetch_value("SELECT nextval('load_seq')")
    for name, files in sorted(by_layout.items()):
        layout, f = LAYOUTS[name], FIELDS[name]
        columns = "{" + ", ".join(f"{_quote(h)}: 'VARCHAR'" for h in layout.header) + "}"
        file_list = "[" + ", ".join(_quote(p) for p in files) + "]"
        org = "regexp_extract(filename, '/spend/([^/]+)/', 1)"
        warehouse.execute(
            f"""
            INSERT INTO spend_lines (
                line_key, organisation, load_id, source_file, source_sha256, source_row,
                source_line, payment_date, date_basis, amount, amount_basis, supplier_name,
                is_redacted, is_negative, is_card, transaction_id, invoice_number, service_area,
                expense_type, purpose, cost_centre, supplier_ref, supplier_company_number,
                supplier_vat_number, proclass_code, proclass_label, raw_text)
            SELECT {org} || ':' || regexp_extract(filename, '([0-9-]+)\\.csv$', 1) || ':' || row,
                {org}, {load_id}, filename, md5(filename), row, row + 1,
                CAST(d AS DATE), 'payment', CAST(a AS DECIMAL(18,2)),
                'net',
                s, redacted_payee(s), CAST(a AS DECIMAL(18,2)) < 0, false,
                tx, inv, area, xt, pur, cc, sref, co, vat, pc, pl, raw
            FROM (
                SELECT filename,
                    row_number() OVER (PARTITION BY filename) AS row,
                    {f["date"]} AS d, {f["amount"]} AS a, trim({f["supplier"]}) AS s,
                    {f["transaction_id"]} AS tx, {f["invoice_number"]} AS inv,
                    {f["service_area"]} AS area, {f["expense_type"]} AS xt,
                    {f["purpose"]} AS pur, {f["cost_centre"]} AS cc,
                    {f["supplier_ref"]} AS sref, {f["company_number"]} AS co,
                    {f["vat_number"]} AS vat, {f["proclass_code"]} AS pc,
                    {f["proclass_label"]} AS pl,
                    concat_ws(',', *COLUMNS(* EXCLUDE (filename))) AS raw
                FROM read_csv({file_list}, header = true, columns = {columns},
                              filename = true, null_padding = true, strict_mode = false,
                              quote = '"', escape = '"')
            )
            WHERE d IS NOT NULL
            """
        )
    return int(warehouse.fetch_value("SELECT count(*) FROM spend_lines"))
