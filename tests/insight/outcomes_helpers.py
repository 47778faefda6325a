"""Shared helpers of the policy-outcome tests: small warehouses and independent readers of the
project's reference files (the factor table and the CPI index are read with the csv module here,
not through the code under test)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

from independent import DATA, need

from observatory import organisations as orgs
from observatory.store import Warehouse

PROJECT_DATA = Path(__file__).resolve().parents[2] / "src" / "observatory" / "data"


def member_warehouse() -> Warehouse:
    w = Warehouse.memory()
    orgs.register(w, orgs.read_config())
    return w


def project_rows(name: str) -> list[dict[str, str]]:
    text = (PROJECT_DATA / name).read_text("utf-8")
    return list(
        csv.DictReader(
            io.StringIO("\n".join(ln for ln in text.splitlines() if not ln.startswith("#")))
        )
    )


def raw_defra_factors() -> dict[str, float]:
    """sic_group -> kg CO2e per GBP, from the official CSV under ../shared/data."""
    path = need(DATA / "emission-factors" / "defra_eeio_factors_by_sic_2022.csv")
    with path.open(encoding="utf-8") as handle:
        return {r["sic_code"]: float(r["ghg_kgco2e_per_gbp"]) for r in csv.DictReader(handle)}


def cpi() -> dict[int, float]:
    return {int(r["year"]): float(r["index"]) for r in project_rows("cpi_annual_d7bt.csv")}


def proclass_to_group() -> dict[str, str]:
    """ProClass v17 code -> DEFRA SIC group: the classification's rule file applied here by hand
    (own code, else level 1 + level 2, else level 1)."""
    rules = project_rows("proclass_sic_groups.csv")
    path = need(DATA / "codelists" / "proclass_17.csv")
    with path.open(encoding="utf-8-sig") as handle:
        codes = list(csv.DictReader(handle))
    out = {}
    for c in codes:
        by_code = [r for r in rules if r["proclass_code"] == c["code"]]
        by_l2 = [
            r
            for r in rules
            if not r["proclass_code"]
            and r["proclass_level2"]
            and r["proclass_level1"] == c["level1"]
            and r["proclass_level2"] == c["level2"]
        ]
        by_l1 = [
            r
            for r in rules
            if not r["proclass_code"]
            and not r["proclass_level2"]
            and r["proclass_level1"] == c["level1"]
        ]
        hit = (by_code or by_l2 or by_l1 or [None])[0]
        if hit:
            out[c["code"]] = hit["sic_group"]
    return out


def trafford_sample(out_dir: Path, rows: int) -> tuple[Path, list[dict[str, str]]]:
    """The first ``rows`` payments of Trafford's 2024-25 file, written as a CSV of their own."""
    archive = need(DATA / "trafford" / "trafford-supplier-spend-2024-25.zip")
    with zipfile.ZipFile(archive) as z:
        name = z.namelist()[0]
        text = z.read(name).decode("utf-8-sig")
    lines = text.splitlines()[: rows + 1]
    path = out_dir / "trafford-sample.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, list(csv.DictReader(io.StringIO("\n".join(lines))))


def money(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except ArithmeticError:
        return None


def simple_name(text: str) -> str | None:
    """The fallback supplier key's normalisation, written out again (community-wealth.md)."""
    t = " " + re.sub(r"[^a-z0-9]+", " ", text.replace("&amp;", "&").lower()) + " "
    t = re.sub(r"^ the ", " ", t)
    t = re.sub(r"( (ltd|limited|plc|llp|co|company|uk))+ *$", "", t)
    return t.strip() or None
