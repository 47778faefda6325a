"""Records a member enters itself: savings, social value returns, supplier evidence, pipeline
plans. The access rule lives here, in one place, for pages and API alike:

- a member's own people (member analyst, member admin) see all of its records;
- everyone else sees a record only while the member shares it;
- member analysts and admins add and edit their organisation's records; only a member admin
  shares, withdraws or deletes them.

A record another viewer may not see is reported as not found, so ids reveal nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from observatory.store import Warehouse
from observatory.web.auth import Viewer

KINDS: dict[str, str] = {
    "savings": "Savings and cost avoidance",
    "social_value": "Social value return",
    "supplier_evidence": "Supplier evidence",
    "pipeline_plan": "Pipeline plan",
}


class RecordError(ValueError):
    """A request the viewer may not make or whose input is wrong."""


class RecordNotFound(LookupError):
    """No such record, or one the viewer may not see (the two are not told apart)."""


@dataclass(frozen=True)
class MemberRecord:
    record_id: int
    organisation: str
    kind: str
    title: str
    shared: bool
    payload: dict[str, Any]
    created_by: int | None
    created_at: datetime
    updated_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.record_id,
            "organisation": self.organisation,
            "kind": self.kind,
            "title": self.title,
            "shared": self.shared,
            "payload": self.payload,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


VISIBLE_SQL = "(organisation = $viewer_org AND $viewer_is_member) OR shared"


def visibility(viewer: Viewer) -> tuple[str, dict[str, Any]]:
    """The SQL condition (and its parameters) selecting the records ``viewer`` may see."""
    return VISIBLE_SQL, {"viewer_org": viewer.organisation, "viewer_is_member": viewer.is_member}


def _from_row(row: dict[str, Any]) -> MemberRecord:
    payload = row["payload"]
    return MemberRecord(
        record_id=int(row["record_id"]),
        organisation=row["organisation"],
        kind=row["kind"],
        title=row["title"],
        shared=bool(row["shared"]),
        payload=json.loads(payload) if isinstance(payload, str) else dict(payload or {}),
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def visible_records(
    warehouse: Warehouse, viewer: Viewer, kind: str | None = None
) -> list[MemberRecord]:
    where, params = visibility(viewer)
    sql = f"SELECT * FROM member_records WHERE ({where})"
    if kind:
        sql += " AND kind = $kind"
        params = {**params, "kind": kind}
    rows = warehouse.fetch(sql + " ORDER BY organisation, kind, record_id", params)
    return [_from_row(r) for r in rows]


def get_record(warehouse: Warehouse, viewer: Viewer, record_id: int) -> MemberRecord:
    where, params = visibility(viewer)
    rows = warehouse.fetch(
        f"SELECT * FROM member_records WHERE record_id = $record_id AND ({where})",
        {**params, "record_id": record_id},
    )
    if not rows:
        raise RecordNotFound(f"no record {record_id}")
    return _from_row(rows[0])


def _check_payload(kind: str, title: str, payload: dict[str, Any]) -> None:
    if kind not in KINDS:
        raise RecordError(f"unknown kind {kind!r}; kinds are: {', '.join(KINDS)}")
    if not title.strip():
        raise RecordError("a record needs a title")
    if len(json.dumps(payload, default=str)) > 100_000:
        raise RecordError("a record's details are limited to 100,000 characters")


def create_record(
    warehouse: Warehouse,
    viewer: Viewer,
    kind: str,
    title: str,
    payload: dict[str, Any],
    shared: bool = False,
) -> MemberRecord:
    organisation = viewer.organisation
    if not viewer.can_write_records(organisation):
        raise RecordError("only a member's analysts and admins add its records")
    if shared and not viewer.can_share_records(organisation):
        raise RecordError("only a member admin shares records with the network")
    _check_payload(kind, title, payload)
    now = _now()
    record_id = warehouse.fetch_value("SELECT nextval('member_record_seq')")
    warehouse.execute(
        "INSERT INTO member_records (record_id, organisation, kind, title, shared, payload, "
        "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            record_id,
            organisation,
            kind,
            title.strip(),
            shared,
            json.dumps(payload, default=str),
            viewer.user_id,
            now,
            now,
        ],
    )
    return get_record(warehouse, viewer, int(record_id))


def update_record(
    warehouse: Warehouse,
    viewer: Viewer,
    record_id: int,
    title: str | None = None,
    payload: dict[str, Any] | None = None,
    shared: bool | None = None,
) -> MemberRecord:
    current = get_record(warehouse, viewer, record_id)  # not visible -> not found
    if not viewer.can_write_records(current.organisation):
        # Visible because shared, but someone else's: still not theirs to change.
        raise RecordError("only the member's own analysts and admins change its records")
    changes_sharing = shared is not None and shared != current.shared
    if changes_sharing and not viewer.can_share_records(current.organisation):
        raise RecordError("only a member admin shares or withdraws records")
    new_title = current.title if title is None else title
    new_payload = current.payload if payload is None else payload
    _check_payload(current.kind, new_title, new_payload)
    warehouse.execute(
        "UPDATE member_records SET title = ?, payload = ?, shared = ?, updated_at = ? "
        "WHERE record_id = ?",
        [
            new_title.strip(),
            json.dumps(new_payload, default=str),
            current.shared if shared is None else shared,
            _now(),
            record_id,
        ],
    )
    return get_record(warehouse, viewer, record_id)


def delete_record(warehouse: Warehouse, viewer: Viewer, record_id: int) -> MemberRecord:
    current = get_record(warehouse, viewer, record_id)
    if not viewer.can_share_records(current.organisation):
        raise RecordError("only a member admin deletes its organisation's records")
    warehouse.execute("DELETE FROM member_records WHERE record_id = ?", [record_id])
    return current
