"""People's decisions about categories: ``observatory categories set``.

A decision is stored (never overwritten: the latest for a target wins), applied at once to the
lines or contract it names, and used as a training label on the next ``observatory classify``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from observatory.classify import categories
from observatory.classify.features import supplier_name_key
from observatory.store import Warehouse


class DecisionError(ValueError):
    """A decision that names nothing in the warehouse, or a code the scheme does not have."""


@dataclass
class Decision:
    decision_id: int
    target: str
    target_key: str
    scheme: str
    code: str
    label: str
    lines: int  # spend lines (or contracts) whose category changed now

    def as_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _check_code(warehouse: Warehouse, scheme: str, code: str) -> str:
    known = categories.codes(warehouse, scheme)
    if not known:
        raise DecisionError(
            f"{scheme} is not installed: import its code list with `observatory categories import`"
        )
    code = code.split("-")[0].strip()  # CPV codes may come with their check digit
    if code not in known:
        close = difflib.get_close_matches(code, list(known), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise DecisionError(
            f"{code!r} is not a {scheme} code.{hint} "
            f"`observatory categories list --scheme {scheme} --search WORD` finds codes."
        )
    return code


def supplier_target(warehouse: Warehouse, text: str) -> tuple[str, list[str]]:
    """The key a supplier decision is stored under, and the published names it covers: a
    supplier_id if ``text`` is one, else the normalised name (which also matches lines that
    supplier resolution later gives an id)."""
    if warehouse.fetch_value("SELECT count(*) FROM spend_lines WHERE supplier_id = ?", [text]):
        names = [
            r["supplier_name"]
            for r in warehouse.fetch(
                "SELECT DISTINCT supplier_name FROM spend_lines WHERE supplier_id = ?", [text]
            )
        ]
        return text, names
    key = supplier_name_key(text)
    published = [
        r["supplier_name"]
        for r in warehouse.fetch(
            "SELECT DISTINCT supplier_name FROM spend_lines "
            "WHERE supplier_name IS NOT NULL AND NOT is_redacted"
        )
    ]
    names = [n for n in published if supplier_name_key(n) == key]
    if not key or not names:
        close = difflib.get_close_matches(text.upper(), [n.upper() for n in published], n=3)
        hint = f" Close names: {'; '.join(close)}." if close else ""
        raise DecisionError(f"no spend line has the supplier {text!r}.{hint}")
    return key, names


def set_category(
    warehouse: Warehouse,
    code: str,
    *,
    line: str | None = None,
    supplier: str | None = None,
    contract: str | None = None,
    scheme: str = "proclass",
    decided_by: str | None = None,
    note: str | None = None,
) -> Decision:
    if sum(x is not None for x in (line, supplier, contract)) != 1:
        raise DecisionError("name exactly one of --line, --supplier or --contract")
    if scheme == "cpv" and contract is None:
        raise DecisionError("CPV codes are for contracts: use --contract with --scheme cpv")
    code = _check_code(warehouse, scheme, code)
    label = categories.codes(warehouse, scheme)[code]["label"]
    names: list[str] = []
    if line is not None:
        if not warehouse.fetch_value("SELECT count(*) FROM spend_lines WHERE line_key = ?", [line]):
            raise DecisionError(
                f"no spend line has the key {line!r} (see `observatory export spend`)"
            )
        target, key, text = "line", line, line
    elif contract is not None:
        if not warehouse.fetch_value(
            "SELECT count(*) FROM contracts WHERE contract_key = ?", [contract]
        ):
            raise DecisionError(f"no contract has the key {contract!r}")
        target, key, text = "contract", contract, contract
    else:
        assert supplier is not None
        key, names = supplier_target(warehouse, supplier)
        target, text = "supplier", supplier
    with warehouse.transaction():
        decision_id = int(warehouse.fetch_value("SELECT nextval('category_decision_seq')"))
        warehouse.execute(
            "INSERT INTO category_decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)",
            [decision_id, target, key, text, scheme, code, decided_by, note],
        )
        changed = _apply(warehouse, target, key, names, scheme, code, decided_by, note)
    return Decision(decision_id, target, key, scheme, code, label, changed)


def _apply(
    warehouse: Warehouse,
    target: str,
    key: str,
    names: list[str],
    scheme: str,
    code: str,
    decided_by: str | None,
    note: str | None,
) -> int:
    """Show the decision now, before the next run: the line, the contract, or the supplier's
    lines that have no published code and no decision of their own."""
    why = (decided_by or "a person") + (f": {note}" if note else "")
    if target == "contract":
        warehouse.execute(
            "DELETE FROM contract_categories WHERE contract_key = ? AND scheme = ?", [key, scheme]
        )
        warehouse.execute(
            "INSERT INTO contract_categories VALUES (?, ?, ?, 1.0, ?, 'person', 0)",
            [key, scheme, code, f"decided by {why}"],
        )
        return 1
    if target == "line":
        where, params = "line_key = ?", [key]
        reason = f"decided by {why}"
    else:
        # Same rule as classify_lines.sql for what counts as a published code.
        where = (
            "(supplier_id = ? OR supplier_name IN (SELECT unnest(?))) AND NOT is_redacted "
            "AND NOT (regexp_full_match(coalesce(proclass_code, ''), '[0-9]{6}') "
            "AND coalesce(lower(trim(proclass_label)), '') <> 'not classified') "
            "AND line_key NOT IN (SELECT target_key FROM category_decisions "
            "WHERE target = 'line' AND scheme = 'proclass')"
        )
        params = [key, names]
        reason = f"supplier decided by {why}"
    keys = [
        r["line_key"]
        for r in warehouse.fetch(f"SELECT line_key FROM spend_lines WHERE {where}", params)
    ]
    if not keys:
        return 0
    warehouse.execute("DELETE FROM line_categories WHERE line_key IN (SELECT unnest(?))", [keys])
    warehouse.execute(
        "INSERT INTO line_categories SELECT unnest(?), 'proclass', ?, 1.0, ?, 'person', 0",
        [keys, code, reason],
    )
    warehouse.execute(
        "UPDATE spend_lines SET category_scheme = 'proclass', category_code = ?, "
        "category_confidence = 1.0 WHERE line_key IN (SELECT unnest(?))",
        [code, keys],
    )
    return len(keys)


def decisions(warehouse: Warehouse) -> list[dict[str, Any]]:
    return warehouse.fetch(
        """
        SELECT d.decision_id, d.decided_at, d.target, d.target_text, d.scheme, d.code,
               c.label, d.decided_by, d.note
        FROM category_decisions d
        LEFT JOIN category_codes c ON c.scheme = d.scheme AND c.code = d.code
        ORDER BY d.decision_id
        """
    )
