"""The reference files the demonstration network brings with it, so that it can be classified and
its suppliers placed on a machine without the official lists: the ProClass headings its files use
(project data, data/demo_proclass_categories.csv) and a postcode lookup for the postcodes it
invents. The loader installs both as a user installs the official files (docs/demo-network.md).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

CATEGORY_LIST = "demo_proclass_categories.csv"

# The local-authority district (ONS code, name) each postcode district the generator uses mostly
# lies in. The generator invents the inward half of every postcode, so a whole outward code gets
# one district: an approximation, as an outward code can straddle a boundary (M3: Manchester and
# Salford; EC2A: Hackney, Islington and the City). Greater Manchester's codes are those of
# data/community_wealth_boundaries.toml.
# fmt: off
OUTWARD_DISTRICTS: dict[str, tuple[str, str]] = {
    # the members' own districts (Bury and Rochdale, north-east of Manchester)
    "BL0": ("E08000002", "Bury"), "BL8": ("E08000002", "Bury"), "BL9": ("E08000002", "Bury"),
    "OL10": ("E08000005", "Rochdale"), "OL11": ("E08000005", "Rochdale"),
    "OL12": ("E08000005", "Rochdale"), "OL16": ("E08000005", "Rochdale"),
    # the rest of the region
    "M1": ("E08000003", "Manchester"), "M2": ("E08000003", "Manchester"),
    "M3": ("E08000003", "Manchester"), "M4": ("E08000003", "Manchester"),
    "M12": ("E08000003", "Manchester"), "M14": ("E08000003", "Manchester"),
    "M17": ("E08000009", "Trafford"), "M33": ("E08000009", "Trafford"),
    "M30": ("E08000006", "Salford"), "M50": ("E08000006", "Salford"),
    "SK1": ("E08000007", "Stockport"), "SK4": ("E08000007", "Stockport"),
    "SK8": ("E08000007", "Stockport"), "WN1": ("E08000010", "Wigan"),
    "WN5": ("E08000010", "Wigan"), "BL1": ("E08000001", "Bolton"),
    "OL1": ("E08000004", "Oldham"), "OL9": ("E08000004", "Oldham"),
    # outside Greater Manchester (the generator's "regional" WA1 is Warrington, in Cheshire)
    "WA1": ("E06000007", "Warrington"),
    "B1": ("E08000025", "Birmingham"), "B3": ("E08000025", "Birmingham"),
    "LS1": ("E08000035", "Leeds"), "LS11": ("E08000035", "Leeds"),
    "EC2A": ("E09000012", "Hackney"), "EC4A": ("E09000001", "City of London"),
    "BS1": ("E06000023", "Bristol, City of"), "RG1": ("E06000038", "Reading"),
    "RG2": ("E06000038", "Reading"), "MK9": ("E06000042", "Milton Keynes"),
    "NG1": ("E06000018", "Nottingham"), "NE1": ("E08000021", "Newcastle upon Tyne"),
    "CV1": ("E08000026", "Coventry"), "S1": ("E08000019", "Sheffield"),
    "L3": ("E08000012", "Liverpool"), "G2": ("S12000049", "Glasgow City"),
    "CF10": ("W06000015", "Cardiff"),
}
# fmt: on


def category_rows() -> list[list[str]]:
    """The shipped ProClass headings (header first), the file's '#' note left out."""
    text = (resources.files("observatory") / "data" / CATEGORY_LIST).read_text("utf-8")
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("#"))
    return list(csv.reader(io.StringIO(body)))


def category_codes() -> set[str]:
    return {r[0] for r in category_rows()[1:]}


def write_category_list(path: Path, used: Iterable[str]) -> Path:
    """The headings as an importable ProClass file; every code the demo uses must be among them."""
    missing = sorted(set(used) - category_codes())
    if missing:
        raise ValueError(f"demo categories not in {CATEGORY_LIST}: {', '.join(missing)}")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(category_rows())
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def write_postcode_lookup(path: Path, postcodes: Iterable[str]) -> Path:
    """postcode, area_code, area_name for every invented postcode (the layout of an ONS lookup
    extract that `observatory reference import-postcodes` reads)."""
    rows = []
    for postcode in sorted(set(postcodes)):
        outward = postcode.split(" ")[0]
        if outward not in OUTWARD_DISTRICTS:
            raise ValueError(f"no district for the demo's postcode district {outward}")
        rows.append([postcode, *OUTWARD_DISTRICTS[outward]])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["postcode", "area_code", "area_name"])
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path
