"""Supplier concentration and dependency (CPC priority 1.4): each member's top suppliers and how
concentrated its spend is, and suppliers whose observed public income comes mostly from the
network (a failure or a price rise there hits members first). Method:
docs/methods/suppliers-concentration.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from observatory.insight.collaboration import SHARED, _d, _query
from observatory.insight.scope import Scope, ensure_staged
from observatory.store import Warehouse


@dataclass(frozen=True)
class TopSupplier:
    organisation: str
    rank: int
    supplier_key: str
    supplier: str
    public_body: bool
    amount: Decimal
    annual_amount: Decimal
    lines: int
    share: float  # of the member's positive supplier spend in scope
    cumulative_share: float
    hhi: float  # the member's Herfindahl-Hirschman index over all its suppliers (0-10,000)
    suppliers: int  # suppliers with positive spend


def concentration(warehouse: Warehouse, scope: Scope, top: int = 10) -> list[TopSupplier]:
    ensure_staged(warehouse, scope, SHARED)
    return [
        TopSupplier(
            organisation=r["organisation"],
            rank=r["rank"],
            supplier_key=r["supplier_key"],
            supplier=r["supplier"],
            public_body=bool(r["public_body"]),
            amount=_d(r["amount"]),
            annual_amount=_d(r["annual_amount"]),
            lines=r["lines"],
            share=round(float(r["share"]), 4),
            cumulative_share=round(float(r["cumulative_share"]), 4),
            hhi=round(float(r["hhi"]), 1),
            suppliers=r["suppliers"],
        )
        for r in _query(warehouse, "insight_concentration", {"top": top})
    ]


@dataclass(frozen=True)
class Dependency:
    supplier_key: str
    supplier: str
    members: int
    largest_member: str
    largest_member_share: float  # of the supplier's income from the network
    network_annual: Decimal
    other_public_annual: Decimal  # observed from loaded non-members and notices of other buyers
    network_share: float  # network / (network + other observed public income)
    other_buyers: list[str]
    legal_form: str | None
    is_sme: bool | None
    is_vcse: bool | None
    depends_on_network: bool


def dependency(
    warehouse: Warehouse,
    scope: Scope,
    min_annual: Decimal = Decimal("100000"),
    share_threshold: float = 0.8,
    limit: int | None = None,
) -> list[Dependency]:
    """Suppliers (public bodies apart) with at least ``min_annual`` a year from the network, by
    the share of their observed public income that comes from it."""
    ensure_staged(warehouse, scope, SHARED)
    rows = _query(warehouse, "insight_dependency", scope.params() | {"min_annual": min_annual})
    out = [_dependency(r, share_threshold) for r in rows]
    return out[:limit]


def _dependency(r: dict[str, Any], share_threshold: float) -> Dependency:
    share = float(r["network_share"])
    return Dependency(
        supplier_key=r["supplier_key"],
        supplier=r["supplier"],
        members=r["members"],
        largest_member=r["largest_member"],
        largest_member_share=round(float(r["largest_member_share"]), 4),
        network_annual=_d(r["network_annual"]),
        other_public_annual=_d(r["other_public_annual"]),
        network_share=round(share, 4),
        other_buyers=[b for b in r["other_buyers"] if b],
        legal_form=r["legal_form"],
        is_sme=r["is_sme"],
        is_vcse=r["is_vcse"],
        depends_on_network=share >= share_threshold,
    )
