"""The audit log: every change made through the web app, the API or ``observatory users``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from observatory.store import Warehouse
from observatory.web.auth import Account, Viewer


def record(
    warehouse: Warehouse,
    action: str,
    who: Viewer | Account | None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    via: str = "web",
) -> None:
    account = who.account if isinstance(who, Viewer) else who
    if isinstance(who, Viewer) and via == "web" and who.via == "token":
        via = "api"
    warehouse.execute(
        "INSERT INTO web_audit_log (happened_at, user_id, email, organisation, action, target, "
        "detail, via) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            datetime.now(UTC).replace(tzinfo=None),
            account.user_id if account else None,
            account.email if account else None,
            account.organisation if account else None,
            action,
            target,
            json.dumps(detail or {}, default=str),
            via,
        ],
    )
