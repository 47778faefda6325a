"""The network overview's figures: spend, members, months covered and data quality."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from observatory import reports
from observatory.store import Warehouse
from observatory.web.listings import sql_file


def _pct(part: int | Decimal | None, whole: int | Decimal | None) -> float | None:
    if not whole:
        return None
    return round(100.0 * float(part or 0) / float(whole), 1)


@dataclass
class Overview:
    members: list[dict[str, Any]]  # reports.status rows
    quality: list[dict[str, Any]]  # data_quality.sql rows, with percentages
    totals: dict[str, Any]
    monthly: list[dict[str, Any]]


def _with_percentages(row: dict[str, Any]) -> dict[str, Any]:
    lines = row["spend_lines"]
    out = dict(row)
    out["redacted_pct"] = _pct(row["redacted_lines"], lines)
    out["negative_pct"] = _pct(row["negative_lines"], lines)
    out["identified_pct"] = _pct(row["identified_lines"], lines)
    out["categorised_pct"] = _pct(row["categorised_lines"], lines)
    out["resolved_pct"] = _pct(row["resolved_lines"], lines)
    out["net_pct"] = _pct(row["net_lines"], lines)
    out["rejected_pct"] = _pct(row["rows_rejected"], row["rows_read"])
    out["duplicate_pct"] = _pct(row["rows_duplicate"], row["rows_read"])
    return out


def network_totals(quality: list[dict[str, Any]], members: list[dict[str, Any]]) -> dict[str, Any]:
    summed = [
        "spend_lines",
        "redacted_lines",
        "negative_lines",
        "identified_lines",
        "categorised_lines",
        "resolved_lines",
        "net_lines",
        "files",
        "rows_read",
        "rows_rejected",
        "rows_duplicate",
    ]
    total: dict[str, Any] = {name: sum(int(r[name]) for r in quality) for name in summed}
    total["amount"] = sum((Decimal(r["amount"]) for r in quality), Decimal("0"))
    total["redacted_amount"] = sum((Decimal(r["redacted_amount"]) for r in quality), Decimal("0"))
    total["negative_amount"] = sum((Decimal(r["negative_amount"]) for r in quality), Decimal("0"))
    dates = [r["first_date"] for r in quality if r["first_date"]]
    ends = [r["last_date"] for r in quality if r["last_date"]]
    total["first_date"] = min(dates) if dates else None
    total["last_date"] = max(ends) if ends else None
    total["members"] = len(members)
    total["members_with_spend"] = len(quality)
    total["contracts"] = sum(int(m["contracts"]) for m in members)
    total["gap_months"] = sum(int(r["gap_months"]) for r in quality)
    total["organisation"] = "network"
    total["name"] = "All members"
    total["months"] = None
    total["last_load"] = max((r["last_load"] for r in quality if r["last_load"]), default=None)
    return _with_percentages(total)


def overview(warehouse: Warehouse) -> Overview:
    members = reports.status(warehouse)
    quality = [_with_percentages(r) for r in warehouse.fetch(sql_file("data_quality"))]
    monthly = warehouse.fetch(sql_file("monthly_spend"))
    return Overview(members, quality, network_totals(quality, members), monthly)


def monthly_chart(monthly: list[dict[str, Any]]) -> dict[str, Any]:
    """A Plotly figure (as JSON-ready dict): stacked monthly spend, one trace per member."""
    traces: dict[str, dict[str, Any]] = {}
    for row in monthly:
        trace = traces.setdefault(
            row["organisation"],
            {
                "type": "bar",
                "name": row["organisation"],
                "x": [],
                "y": [],
                "customdata": [],
                "hovertemplate": "%{fullData.name} %{x}: £%{y:,.0f}<extra></extra>",
            },
        )
        trace["x"].append(row["month"])
        trace["y"].append(float(row["amount"]))
        trace["customdata"].append(row["organisation"])
    return {
        "data": list(traces.values()),
        "layout": {
            "barmode": "relative",
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "height": 380,
            "xaxis": {"type": "category", "automargin": True},
            "yaxis": {
                "title": {"text": "£ (as published)"},
                "tickprefix": "£",
                "tickformat": ",.0f",
                "automargin": True,
            },
            "legend": {"orientation": "h", "y": -0.12},
            "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"},
        },
    }
