"""The network's stated assumptions, read from project data files (``observatory/data/*.toml``)
so that a figure and the values behind it can always be printed side by side."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

DATA_PACKAGE = "observatory.data"


def read_toml(name: str, path: Path | None = None) -> dict[str, Any]:
    """A data file shipped with the package, or the file the user names instead."""
    if path is not None:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    return tomllib.loads((resources.files(DATA_PACKAGE) / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class DiscountBand:
    start: Decimal  # combined annual spend (net) from which the band applies
    low: float
    high: float


@dataclass(frozen=True)
class SavingsAssumptions:
    horizon_months: int
    window_months: int
    min_off_contract_annual: Decimal
    min_combined_annual: Decimal
    bands: tuple[DiscountBand, ...]
    price_method: str  # 'median_payment' or 'none'
    price_capture: float
    price_cap: float
    price_min_payments: int

    def band_for(self, combined: Decimal) -> DiscountBand:
        chosen = self.bands[0]
        for band in self.bands:
            if combined >= band.start:
                chosen = band
        return chosen

    def as_json(self) -> dict[str, Any]:
        return {
            "horizon_months": self.horizon_months,
            "window_months": self.window_months,
            "min_off_contract_annual": self.min_off_contract_annual,
            "min_combined_annual": self.min_combined_annual,
            "discount_bands": [{"from": b.start, "low": b.low, "high": b.high} for b in self.bands],
            "price_variation": {
                "method": self.price_method,
                "capture": self.price_capture,
                "cap": self.price_cap,
                "min_payments": self.price_min_payments,
            },
        }


def savings_assumptions(path: Path | None = None) -> SavingsAssumptions:
    data = read_toml("collaboration.toml", path)
    opp, price = data["opportunities"], data["price_variation"]
    bands = sorted(
        (
            DiscountBand(Decimal(str(b["from"])), float(b["low"]), float(b["high"]))
            for b in data["discount_bands"]
        ),
        key=lambda b: b.start,
    )
    if price["method"] not in ("median_payment", "none"):
        raise ValueError(f"price_variation.method {price['method']!r}: use median_payment or none")
    return SavingsAssumptions(
        horizon_months=int(opp["horizon_months"]),
        window_months=int(opp["window_months"]),
        min_off_contract_annual=Decimal(str(opp["min_off_contract_annual"])),
        min_combined_annual=Decimal(str(opp["min_combined_annual"])),
        bands=tuple(bands),
        price_method=price["method"],
        price_capture=float(price["capture"]),
        price_cap=float(price["cap"]),
        price_min_payments=int(price["min_payments"]),
    )
