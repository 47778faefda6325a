"""Supplier pages: on resolved suppliers (``spend_lines.supplier_id``) once resolution has run,
on published names until then. The page address is the same either way (``/suppliers/{key}``):
a key starting ``n-`` names a published-name group, any other key is a supplier_id.
"""

from __future__ import annotations

from typing import Any

from observatory.store import Warehouse
from observatory.web.listings import NAME_KEY_SQL, sql_file, supplier_spec
from observatory.web.tables import TableSpec


def name_index(warehouse: Warehouse) -> dict[str, list[str]]:
    """Published-name key -> the exact spellings it groups (see sql/supplier_names.sql)."""
    rows = warehouse.fetch(
        f"""SELECT {NAME_KEY_SQL} AS supplier_key, list(DISTINCT supplier_name) AS names
            FROM spend_lines
            WHERE supplier_name IS NOT NULL AND trim(supplier_name) <> ''
            GROUP BY ALL"""
    )
    return {r["supplier_key"]: list(r["names"]) for r in rows}


def uses_entities(warehouse: Warehouse) -> bool:
    return bool(
        warehouse.fetch_value(
            "SELECT EXISTS (SELECT 1 FROM spend_lines WHERE supplier_id IS NOT NULL)"
        )
    )


def directory_spec(warehouse: Warehouse) -> TableSpec:
    return supplier_spec(uses_entities(warehouse))


def _condition(key: str) -> str:
    return f"{NAME_KEY_SQL} = $key" if key.startswith("n-") else "supplier_id = $key"


def supplier_detail(warehouse: Warehouse, key: str) -> dict[str, Any] | None:
    where = f"WHERE NOT is_redacted AND {_condition(key)}"
    params = {"key": key}
    by_member = warehouse.fetch(
        f"SELECT organisation, count(*) AS lines, sum(amount) AS amount, "
        f"min(payment_date) AS first_date, max(payment_date) AS last_date "
        f"FROM spend_lines {where} GROUP BY organisation ORDER BY amount DESC",
        params,
    )
    if not by_member:
        return None
    spellings = warehouse.fetch(
        f"SELECT supplier_name, organisation, count(*) AS lines FROM spend_lines {where} "
        "GROUP BY ALL ORDER BY lines DESC",
        params,
    )
    identifiers = warehouse.fetch(
        f"""SELECT scheme, value, count(*) AS lines FROM (
                SELECT unnest([
                    {{'scheme': 'Companies House', 'value': supplier_company_number}},
                    {{'scheme': 'Charity', 'value': supplier_charity_number}},
                    {{'scheme': 'VAT', 'value': supplier_vat_number}}
                ], recursive := true)
                FROM spend_lines {where}
            ) WHERE value IS NOT NULL GROUP BY ALL ORDER BY lines DESC LIMIT 20""",
        params,
    )
    names = sorted({s["supplier_name"].strip().upper() for s in spellings})
    contracts = warehouse.fetch(
        """SELECT DISTINCT c.contract_key, c.title, c.reference, c.organisation, c.buyer_name,
               coalesce(c.current_end_date, c.end_date) AS end_date
           FROM contract_suppliers s JOIN contracts c USING (contract_key)
           WHERE upper(trim(s.supplier_name)) IN (SELECT unnest($names))
              OR (s.supplier_id IS NOT NULL AND s.supplier_id = $key)
           ORDER BY end_date NULLS LAST LIMIT 100""",
        {"names": names, "key": key},
    )
    return {
        "key": key,
        "entity": not key.startswith("n-"),
        "name": spellings[0]["supplier_name"],
        "lines": sum(int(m["lines"]) for m in by_member),
        "amount": sum(m["amount"] for m in by_member),
        "by_member": by_member,
        "spellings": spellings,
        "identifiers": identifiers,
        "contracts": contracts,
    }


def shared_summary(warehouse: Warehouse) -> dict[str, Any]:
    """Share of spend with suppliers used by two or more members (on the directory's keys)."""
    entities = uses_entities(warehouse)
    directory = sql_file("supplier_entities" if entities else "supplier_names")
    row = warehouse.fetch(
        f"""SELECT sum(amount) FILTER (WHERE members >= 2) AS shared_amount,
                   count(*) FILTER (WHERE members >= 2) AS shared_suppliers,
                   (SELECT sum(amount) FROM spend_lines WHERE NOT is_redacted) AS total_amount
            FROM ({directory})"""
    )[0]
    total = float(row["total_amount"] or 0)
    shared = float(row["shared_amount"] or 0)
    row["shared_pct"] = round(100.0 * shared / total, 1) if total else None
    row["entities"] = entities
    return row
