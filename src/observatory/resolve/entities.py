"""Reading supplier entities: one supplier with its aliases and why each is there; lists."""

from __future__ import annotations

from typing import Any

from observatory.resolve.corrections import current_id
from observatory.store import Warehouse


def describe(warehouse: Warehouse, supplier_id: str) -> dict[str, Any]:
    """A supplier, every alias with the members that used it and the link that put it here
    (identifier, same cleaned name, splink's match weights, or a person's correction)."""
    sid = current_id(warehouse, supplier_id)
    supplier = warehouse.fetch("SELECT * FROM suppliers WHERE supplier_id = ?", [sid])[0]
    aliases = warehouse.fetch(
        """
        SELECT r.record_key, r.supplier_name, r.source, r.organisation, r.company_number,
               r.charity_number, r.vat_number, r.ppon, r.postcode, r.lines, r.amount,
               r.first_date, r.last_date, r.joined_by, r.join_weight, r.join_probability,
               t.supplier_name AS joined_to_name, t.organisation AS joined_to_organisation,
               coalesce(l1.detail, l2.detail) AS link_detail
        FROM supplier_records r
        LEFT JOIN supplier_records t ON t.record_key = r.joined_to
        LEFT JOIN supplier_links l1 ON l1.used AND l1.record_l = r.record_key
             AND l1.record_r = r.joined_to AND l1.kind = r.joined_by
        LEFT JOIN supplier_links l2 ON l2.used AND l2.record_r = r.record_key
             AND l2.record_l = r.joined_to AND l2.kind = r.joined_by
        WHERE r.supplier_id = ?
        QUALIFY row_number() OVER (PARTITION BY r.record_key ORDER BY l1.detail, l2.detail) = 1
        ORDER BY r.lines DESC, r.supplier_name, r.organisation
        """,
        [sid],
    )
    for a in aliases:
        a["why"] = _why(a)
    evidence = warehouse.fetch(
        "SELECT attribute, value, source, record_key FROM supplier_evidence WHERE supplier_id = ? "
        "ORDER BY attribute, value, source",
        [sid],
    )
    refused = warehouse.fetch(
        """
        SELECT l.kind, l.detail, l.match_probability, l.refused,
               a.supplier_name AS name_here, b.supplier_name AS name_there,
               b.supplier_id AS other_id
        FROM supplier_links l
        JOIN supplier_records a ON a.record_key = l.record_l
        JOIN supplier_records b ON b.record_key = l.record_r
        WHERE NOT l.used AND l.refused <> 'below threshold'
          AND (a.supplier_id = ? OR b.supplier_id = ?)
        ORDER BY l.match_probability DESC NULLS FIRST LIMIT 20
        """,
        [sid, sid],
    )
    corrections = warehouse.fetch(
        "SELECT override_id, action, supplier_id, other_id, len(record_keys) AS records, note, "
        "made_by, made_at FROM supplier_overrides WHERE supplier_id = ? OR other_id = ? "
        "ORDER BY made_at",
        [sid, sid],
    )
    former = warehouse.fetch(
        "SELECT old_id, reason, changed_at FROM supplier_id_history WHERE new_id = ? ORDER BY 3",
        [sid],
    )
    return {
        "supplier": supplier,
        "asked_for": supplier_id,
        "aliases": aliases,
        "evidence": evidence,
        "refused_links": refused,
        "corrections": corrections,
        "former_ids": former,
    }


def _why(alias: dict[str, Any]) -> str:
    kind = alias["joined_by"]
    other = alias["joined_to_name"]
    where = f" ({alias['joined_to_organisation']})" if alias["joined_to_organisation"] else ""
    if kind is None:
        return "the only name of this supplier"
    if kind == "manual":
        return f"a person's correction, with {other!r}{where}"
    if kind == "identifier":
        return f"{alias['link_detail'] or 'shares an identifier'} with {other!r}{where}"
    if kind == "name":
        return f"{alias['link_detail'] or 'same cleaned name'} as {other!r}{where}"
    if kind == "abbreviation":
        return f"one body with {other!r}{where}: {alias['link_detail']}"
    return (
        f"matched {other!r}{where}: probability {alias['join_probability']:.3f}, "
        f"match weight {alias['join_weight']:+.1f} = prior + {alias['link_detail']}"
    )


def listing(
    warehouse: Warehouse,
    search: str | None = None,
    member: str | None = None,
    shared: bool = False,
    limit: int | None = 50,
) -> list[dict[str, Any]]:
    """Suppliers by spend, optionally those whose name contains ``search``, used by ``member``,
    or used by two or more members (``shared``)."""
    where, params = ["TRUE"], []
    if search:
        where.append(
            "(canonical_name ILIKE ? OR supplier_id IN (SELECT supplier_id FROM supplier_records "
            "WHERE supplier_name ILIKE ?) OR supplier_id = upper(?))"
        )
        params += [f"%{search}%", f"%{search}%", search]
    if member:
        where.append("list_contains(organisations, ?)")
        params.append(member)
    if shared:
        where.append("len(organisations) >= 2")
    sql = (
        "SELECT supplier_id, canonical_name, legal_form, identifiers, is_sme, is_vcse, "
        "district_name, aliases, organisations, spend_lines, spend_amount FROM suppliers "
        f"WHERE {' AND '.join(where)} "
        "ORDER BY spend_amount DESC NULLS LAST, canonical_name"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    return warehouse.fetch(sql, params)


def summary(warehouse: Warehouse) -> dict[str, Any]:
    """Counts across all loaded data: raw strings, records, entities, shared entities."""
    row = warehouse.fetch(
        """
        SELECT (SELECT count(DISTINCT supplier_name) FROM supplier_records) AS raw_names,
               (SELECT count(DISTINCT supplier_name) FROM supplier_records WHERE source = 'spend')
                   AS raw_spend_names,
               (SELECT count(*) FROM supplier_records) AS records,
               (SELECT count(*) FROM suppliers) AS entities,
               (SELECT count(*) FROM suppliers WHERE spend_lines > 0) AS spend_entities,
               (SELECT count(*) FROM suppliers WHERE len(organisations) >= 2) AS shared_entities,
               (SELECT sum(spend_amount) FROM suppliers WHERE len(organisations) >= 2)
                   AS shared_spend,
               (SELECT sum(spend_amount) FROM suppliers) AS spend
        """
    )[0]
    return row
