"""The tables the app shows: what each selects, shows, filters and links to.

Every table here sorts, filters, pages and exports through ``observatory.web.tables``; a page only
picks a spec and adds its access conditions (``scope``).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from observatory.store import Warehouse
from observatory.web import links
from observatory.web.tables import Column, Filter, TableSpec, contains, flag, month_start

# The supplier a line belongs to: a resolved supplier_id, or (before resolution) a published
# name's key, as in sql/supplier_names.sql.
NAME_KEY_SQL = "'n-' || left(md5(upper(regexp_replace(trim(supplier_name), '\\s+', ' ', 'g'))), 16)"
# The published names a name key stands for are looked up once per state of the data
# (suppliers.name_index) and bound as $supplier_key_names, so a drill-down compares names instead
# of hashing every line.
SUPPLIER_KEY_FILTER = (
    "supplier_id = $supplier_key OR list_contains($supplier_key_names, supplier_name)"
)


@cache
def sql_file(name: str) -> str:
    text = resources.files("observatory.web").joinpath(f"sql/{name}.sql").read_text("utf-8")
    return text.strip().rstrip(";")


def organisation_choices(warehouse: Warehouse) -> list[tuple[str, str]]:
    rows = warehouse.fetch("SELECT org_id, name FROM organisations ORDER BY org_id")
    return [(r["org_id"], f"{r['org_id']} — {r['name']}") for r in rows]


def _org_filter(column: str = "organisation") -> Filter:
    return Filter(
        "organisation",
        "Organisation",
        f"{column} = $organisation",
        kind="select",
        choices=organisation_choices,
    )


def _spend_link(row: dict[str, Any]) -> str:
    return links.spend(organisation=row.get("organisation"), load_id=row.get("load_id"))


SPEND = TableSpec(
    key="spend_lines",
    title="Spend lines",
    sql="""
        SELECT line_key, organisation, payment_date, strftime(payment_date, '%Y-%m') AS month,
            supplier_name, amount, amount_basis,
            coalesce(category_code, proclass_code) AS category,
            coalesce(proclass_label, category_code) AS category_label,
            department, service_area, expense_type, purpose,
            is_redacted, is_negative, is_card, supplier_id,
            supplier_company_number, supplier_charity_number, supplier_vat_number,
            transaction_id, invoice_number, date_basis, net_amount, gross_amount, vat_amount,
            source_file, source_sheet, source_line, source_row, load_id, raw_text
        FROM spend_lines
    """,
    columns=(
        Column("payment_date", "Date", "date"),
        Column("organisation", "Member", "code"),
        Column("supplier_name", "Supplier (as published)"),
        Column("amount", "Amount", "money"),
        Column("category_label", "Category"),
        Column("service_area", "Service area"),
        Column("purpose", "Purpose"),
        Column(
            "source_line",
            "Source",
            "source",
            sortable=False,
        ),
    ),
    filters=(
        _org_filter(),
        Filter(
            "supplier", "Supplier name contains", "supplier_name ILIKE $supplier", value=contains
        ),
        Filter(
            "month",
            "Month",
            "payment_date >= $month AND payment_date < $month + INTERVAL 1 MONTH",
            kind="month",
            value=month_start,
            hint="YYYY-MM",
        ),
        Filter(
            "category",
            "Category code or label contains",
            "category ILIKE $category OR category_label ILIKE $category",
            value=contains,
        ),
        Filter("text", "Any text contains", "raw_text ILIKE $text", value=contains),
        Filter("redacted", "Redacted payee", "is_redacted = $redacted", kind="flag", value=flag),
        Filter("negative", "Negative (credit)", "is_negative = $negative", kind="flag", value=flag),
        Filter("supplier_key", "Supplier", SUPPLIER_KEY_FILTER, kind="hidden"),
        Filter("supplier_name", "Supplier name", "supplier_name = $supplier_name", kind="hidden"),
        Filter("load_id", "Load", "load_id = $load_id", kind="hidden", value=int),
        Filter("file", "Source file", "source_file = $file", kind="hidden"),
    ),
    default_sort="payment_date",
    default_descending=True,
    tiebreak=("line_key",),
    method="loading",
)

CONTRACTS = TableSpec(
    key="contracts",
    title="Contracts",
    sql="""
        SELECT c.contract_key, c.organisation, c.source, c.reference, c.title, s.suppliers,
            c.value_amount, c.annual_value, c.start_date,
            coalesce(c.current_end_date, c.end_date) AS end_date, c.status, c.notice_type,
            c.buyer_name, c.procedure, c.cpv_code, c.proclass_code, c.proclass_label,
            c.department, c.ocid, c.source_file, c.source_line
        FROM contracts c
        LEFT JOIN (
            SELECT contract_key, string_agg(supplier_name, '; ' ORDER BY supplier_name) AS suppliers
            FROM contract_suppliers GROUP BY contract_key
        ) s USING (contract_key)
    """,
    columns=(
        Column("organisation", "Member", "code"),
        Column("reference", "Reference", link=lambda r: links.contract(r["contract_key"])),
        Column("title", "Title", link=lambda r: links.contract(r["contract_key"])),
        Column("suppliers", "Suppliers"),
        Column("value_amount", "Value", "money"),
        Column("start_date", "Start", "date"),
        Column("end_date", "End", "date"),
        Column("source", "Source", "code"),
    ),
    filters=(
        _org_filter(),
        Filter(
            "text",
            "Title, reference or supplier contains",
            "title ILIKE $text OR reference ILIKE $text OR suppliers ILIKE $text "
            "OR buyer_name ILIKE $text",
            value=contains,
        ),
        Filter(
            "ends_by",
            "Ends by (YYYY-MM)",
            "end_date < $ends_by + INTERVAL 1 MONTH",
            kind="month",
            value=month_start,
        ),
        Filter(
            "ends_from",
            "Ends from (YYYY-MM)",
            "end_date >= $ends_from",
            kind="month",
            value=month_start,
        ),
        Filter(
            "source",
            "Source",
            "source = $source",
            kind="select",
            choices=lambda w: [("ocds", "OCDS notices"), ("register", "Contracts register")],
        ),
    ),
    default_sort="end_date",
    tiebreak=("contract_key",),
    method="contracts-ocds",
)


def supplier_spec(entities: bool) -> TableSpec:
    return TableSpec(
        key="suppliers",
        title="Suppliers",
        sql=sql_file("supplier_entities" if entities else "supplier_names"),
        columns=(
            Column("name", "Supplier", link=lambda r: links.supplier(r["supplier_key"])),
            Column("members", "Members", "int"),
            Column("member_ids", "Used by", "list", sortable=False),
            Column("spend_lines", "Lines", "int"),
            Column(
                "amount",
                "Spend",
                "money",
                link=lambda r: links.spend(supplier_key=r["supplier_key"]),
            ),
            Column("first_date", "First", "date"),
            Column("last_date", "Last", "date"),
        ),
        filters=(
            Filter("name", "Name contains", "name ILIKE $name", value=contains),
            Filter(
                "organisation",
                "Used by",
                "list_contains(member_ids, $organisation)",
                kind="select",
                choices=organisation_choices,
            ),
            Filter(
                "min_members", "Used by at least (members)", "members >= $min_members", value=int
            ),
        ),
        default_sort="amount",
        default_descending=True,
        tiebreak=("supplier_key",),
        method="supplier-names",
    )


LOADS = TableSpec(
    key="loads",
    title="Load receipts",
    sql="SELECT * FROM load_receipts",
    columns=(
        Column("load_id", "Load", "int"),
        Column("loaded_at", "Loaded", "datetime"),
        Column("organisation", "Member", "code"),
        Column("kind", "Kind", "code"),
        Column("file", "File"),
        Column("rows_read", "Read", "int"),
        Column("rows_loaded", "Loaded", "int", link=_spend_link),
        Column(
            "rows_rejected",
            "Rejected",
            "int",
            link=lambda r: links.url("/data/rejects", load_id=r["load_id"]),
        ),
        Column("rows_duplicate", "Duplicates", "int"),
        Column("amount_loaded", "£ loaded", "money"),
    ),
    filters=(
        _org_filter(),
        Filter("file", "File contains", "file ILIKE $file", value=contains),
        Filter(
            "kind",
            "Kind",
            "kind = $kind",
            kind="select",
            choices=lambda w: [("spend", "spend"), ("contracts", "contracts"), ("ocds", "ocds")],
        ),
    ),
    default_sort="load_id",
    default_descending=True,
    tiebreak=("load_id",),
    method="loading",
)

REJECTS = TableSpec(
    key="rejects",
    title="Rejected rows",
    sql="""
        SELECT organisation, kind, source_file AS file, source_sheet AS sheet,
            source_line AS line, reason, raw_text, amount, load_id
        FROM rejects
    """,
    columns=(
        Column("organisation", "Member", "code"),
        Column("file", "File"),
        Column("line", "Line", "int"),
        Column("reason", "Reason"),
        Column("raw_text", "Raw text", "raw"),
        Column("amount", "Amount", "money"),
    ),
    filters=(
        _org_filter(),
        Filter("file", "File contains", "file ILIKE $file", value=contains),
        Filter("reason", "Reason contains", "reason ILIKE $reason", value=contains),
        Filter("load_id", "Load", "load_id = $load_id", kind="hidden", value=int),
    ),
    default_sort="file",
    tiebreak=("file", "sheet", "line", "kind"),
    method="loading",
)

MAPPINGS = TableSpec(
    key="mappings",
    title="Remembered column mappings",
    sql="SELECT organisation, layout, CAST(mapping AS VARCHAR) AS mapping, saved_at "
    "FROM remembered_mappings",
    columns=(
        Column("organisation", "Member", "code"),
        Column("layout", "Layout (header signature)", "raw"),
        Column("mapping", "Mapping (field = column)", "raw"),
        Column("saved_at", "Saved", "datetime"),
    ),
    filters=(_org_filter(),),
    default_sort="saved_at",
    default_descending=True,
    tiebreak=("organisation", "layout"),
    method="loading",
)

SOURCE_FILES = TableSpec(
    key="source_files",
    title="Files read",
    sql="SELECT organisation, kind, path, encoding, delimiter, header_line, header_position, "
    "CAST(mapping AS VARCHAR) AS mapping, first_loaded, sha256 FROM source_files",
    columns=(
        Column("organisation", "Member", "code"),
        Column("kind", "Kind", "code"),
        Column("path", "File"),
        Column("encoding", "Encoding", "code"),
        Column("header_line", "Header line", "int"),
        Column("header_position", "Header", "code"),
        Column("mapping", "Mapping (field = column)", "raw"),
    ),
    filters=(_org_filter(), Filter("path", "File contains", "path ILIKE $path", value=contains)),
    default_sort="first_loaded",
    default_descending=True,
    tiebreak=("sha256", "organisation", "kind"),
    method="loading",
)

RECORDS = TableSpec(
    key="member_records",
    title="Member records",
    sql="SELECT record_id, organisation, kind, title, shared, CAST(payload AS VARCHAR) AS details, "
    "created_at, updated_at FROM member_records",
    columns=(
        Column("record_id", "Id", "int", link=lambda r: links.record(r["record_id"])),
        Column("organisation", "Member", "code"),
        Column("kind", "Kind", "code"),
        Column("title", "Title", link=lambda r: links.record(r["record_id"])),
        Column("shared", "Shared with the network", "bool"),
        Column("updated_at", "Updated", "datetime"),
    ),
    filters=(
        _org_filter(),
        Filter(
            "kind",
            "Kind",
            "kind = $kind",
            kind="select",
            choices=lambda w: [
                ("savings", "Savings"),
                ("social_value", "Social value"),
                ("supplier_evidence", "Supplier evidence"),
                ("pipeline_plan", "Pipeline plan"),
            ],
        ),
        Filter("title", "Title contains", "title ILIKE $title", value=contains),
    ),
    default_sort="updated_at",
    default_descending=True,
    tiebreak=("record_id",),
)

AUDIT = TableSpec(
    key="audit_log",
    title="Audit log",
    sql="SELECT audit_id, happened_at, email, organisation, action, target, "
    "CAST(detail AS VARCHAR) AS detail, via FROM web_audit_log",
    columns=(
        Column("happened_at", "When", "datetime"),
        Column("email", "Who"),
        Column("organisation", "Member", "code"),
        Column("action", "Action", "code"),
        Column("target", "Target"),
        Column("detail", "Detail", "raw"),
        Column("via", "Via", "code"),
    ),
    filters=(
        _org_filter(),
        Filter("action", "Action contains", "action ILIKE $action", value=contains),
        Filter("email", "Who contains", "email ILIKE $email", value=contains),
    ),
    default_sort="audit_id",
    default_descending=True,
    tiebreak=("audit_id",),
)

QUALITY = TableSpec(
    key="data_quality",
    title="Members and data quality",
    sql=f"""
        SELECT *,
            round(100.0 * rows_rejected / nullif(rows_read, 0), 1) AS rejected_pct,
            round(100.0 * rows_duplicate / nullif(rows_read, 0), 1) AS duplicate_pct,
            round(100.0 * redacted_lines / nullif(spend_lines, 0), 1) AS redacted_pct,
            round(100.0 * negative_lines / nullif(spend_lines, 0), 1) AS negative_pct,
            round(100.0 * identified_lines / nullif(spend_lines, 0), 1) AS identified_pct,
            round(100.0 * categorised_lines / nullif(spend_lines, 0), 1) AS categorised_pct,
            round(100.0 * resolved_lines / nullif(spend_lines, 0), 1) AS resolved_pct
        FROM ({sql_file("data_quality")})
    """,
    columns=(
        Column(
            "organisation",
            "Member",
            "code",
            link=lambda r: links.spend(organisation=r["organisation"]),
        ),
        Column("amount", "Spend", "money"),
        Column("spend_lines", "Lines", "int"),
        Column("months", "Months", "int"),
        Column("gap_months", "Gap months", "int"),
        Column("rejected_pct", "Rejected %", "pct"),
        Column("duplicate_pct", "Duplicates %", "pct"),
        Column("redacted_pct", "Redacted %", "pct"),
        Column("negative_pct", "Credits %", "pct"),
        Column("identified_pct", "Supplier id %", "pct"),
        Column("categorised_pct", "Category %", "pct"),
        Column("resolved_pct", "Resolved %", "pct"),
    ),
    filters=(_org_filter(),),
    default_sort="organisation",
    tiebreak=("organisation",),
    method="data-quality",
)

MONTHLY = TableSpec(
    key="monthly_spend",
    title="Spend by month and member",
    sql=sql_file("monthly_spend"),
    columns=(
        Column("organisation", "Member", "code"),
        Column(
            "month",
            "Month",
            link=lambda r: links.spend(organisation=r["organisation"], month=r["month"]),
        ),
        Column(
            "amount",
            "Spend",
            "money",
            link=lambda r: links.spend(organisation=r["organisation"], month=r["month"]),
        ),
        Column("spend_lines", "Lines", "int"),
    ),
    filters=(_org_filter(), Filter("month", "Month (YYYY-MM)", "month = $month")),
    default_sort="month",
    tiebreak=("organisation", "month"),
    page_size=100,
    method="data-quality",
)
