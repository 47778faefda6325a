"""Category schemes as data: ProClass, CPV 2008 and SIC 2007 code lists, installed by the user
from the official files (nothing is downloaded), and the ProClass -> DEFRA SIC-group mapping the
project ships as its own data (``data/proclass_sic_groups.csv``, one note per row)."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa

from observatory.store import Warehouse

SCHEMES = ("proclass", "cpv", "sic", "sic_group")
PROCLASS_V17 = "ProClass v17"

# UK SIC 2007 sections by division (ONS, "UK SIC 2007: structure and explanatory notes", 2009):
# a fixed official structure, so it is written here rather than installed.
SIC_SECTIONS: tuple[tuple[str, int, int], ...] = (
    ("A", 1, 3),
    ("B", 5, 9),
    ("C", 10, 33),
    ("D", 35, 35),
    ("E", 36, 39),
    ("F", 41, 43),
    ("G", 45, 47),
    ("H", 49, 53),
    ("I", 55, 56),
    ("J", 58, 63),
    ("K", 64, 66),
    ("L", 68, 68),
    ("M", 69, 75),
    ("N", 77, 82),
    ("O", 84, 84),
    ("P", 85, 85),
    ("Q", 86, 88),
    ("R", 90, 93),
    ("S", 94, 96),
    ("T", 97, 98),
    ("U", 99, 99),
)


class CodeListError(ValueError):
    """A file that is not one of the code lists we know how to read."""


@dataclass
class ImportResult:
    scheme: str
    file: str
    codes: int
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _text(path: Path) -> str:
    data = path.read_bytes()
    # Some published copies carry a BOM, one of them encoded twice.
    for bom in (b"\xc3\xaf\xc2\xbb\xc2\xbf", b"\xef\xbb\xbf"):
        if data.startswith(bom):
            data = data[len(bom) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def detect_scheme(header: list[str]) -> str:
    names = [h.strip().lower() for h in header]
    if names[:4] == ["code", "level1", "level2", "level3"]:
        return "proclass"
    if names[:2] == ["code", "en"]:
        return "cpv"
    if "siccode_sictext_1" in names:
        return "sic"
    if names[:2] == ["sic_code", "description"]:
        return "sic_group"
    raise CodeListError(
        f"unknown code list: header {header[:6]}. Expected ProClass "
        "(code, level1, level2, level3, clarification_info), CPV 2008 (CODE, EN), Companies "
        "House SIC (siccode_sictext_1, sicc_int, sictext_1) or the DEFRA factor table "
        "(sic_code, description, …); pass --scheme if the file is one of these with other headers."
    )


def sic_section(code: str) -> str | None:
    division = int(code[:2])
    return next((s for s, lo, hi in SIC_SECTIONS if lo <= division <= hi), None)


def _proclass_rows(rows: list[list[str]], origin: str) -> list[tuple[Any, ...]]:
    out = []
    for r in rows:
        code, l1, l2, l3, note = (r + [""] * 5)[:5]
        code = code.strip().zfill(6)
        label = next(x for x in (l3, l2, l1) if x.strip())
        out.append(
            ("proclass", code, label, l1, l2 or None, l3 or None, None, note or None, origin)
        )
    return out


def _cpv_rows(rows: list[list[str]], origin: str) -> list[tuple[Any, ...]]:
    out = []
    for r in rows:
        code, _, check = r[0].strip().partition("-")
        out.append(("cpv", code, r[1], code[:2], code[:3], code[:4], check or None, None, origin))
    return out


def _sic_rows(rows: list[list[str]], origin: str) -> tuple[list[tuple[Any, ...]], int]:
    """Companies House's list mixes SIC 2007 (5-digit) with the SIC 2003 codes of older records
    (4-digit); only the 2007 subclasses are installed as ``sic``."""
    out, skipped = [], 0
    for r in rows:
        code, _, text = r[0].partition(" - ")
        code = code.strip()
        if len(code) != 5 or not code.isdigit():
            skipped += 1
            continue
        out.append(
            (
                "sic",
                code,
                text.strip() or r[2],
                sic_section(code),
                code[:2],
                code[:3],
                None,
                None,
                origin,
            )
        )
    return out, skipped


def _sic_group_rows(rows: list[list[str]], origin: str) -> list[tuple[Any, ...]]:
    return [("sic_group", r[0].strip(), r[1], None, None, None, None, None, origin) for r in rows]


def import_code_list(warehouse: Warehouse, path: Path, scheme: str | None = None) -> ImportResult:
    """Install one official code list (replacing that scheme's codes from the same file)."""
    rows = list(csv.reader(io.StringIO(_text(path), newline="")))
    if not rows:
        raise CodeListError(f"{path}: empty file")
    header, body = rows[0], [r for r in rows[1:] if any(c.strip() for c in r)]
    scheme = scheme or detect_scheme(header)
    if scheme not in SCHEMES:
        raise CodeListError(f"unknown scheme {scheme!r}: use one of {', '.join(SCHEMES)}")
    origin = path.name
    skipped = 0
    if scheme == "proclass":
        records = _proclass_rows(body, origin)
    elif scheme == "cpv":
        records = _cpv_rows(body, origin)
    elif scheme == "sic":
        records, skipped = _sic_rows(body, origin)
    else:
        records = _sic_group_rows(body, origin)
    result = ImportResult(scheme, str(path), len(records), skipped)
    if skipped:
        result.notes.append(f"{skipped} codes that are not SIC 2007 subclasses were left out")
    with warehouse.transaction():
        warehouse.execute(
            "DELETE FROM category_codes WHERE scheme = ? AND origin = ?", [scheme, origin]
        )
        _insert_codes(warehouse, records)
        if scheme == "proclass":
            refresh_sic_groups(warehouse)
    return result


_CODE_COLUMNS = (
    "scheme",
    "code",
    "label",
    "level1",
    "level2",
    "level3",
    "check_digit",
    "note",
    "origin",
)


def _insert_codes(warehouse: Warehouse, records: list[tuple[Any, ...]]) -> None:
    """Insert through Arrow: row-by-row inserts take a minute for the 9,454 CPV codes."""
    columns = list(zip(*records, strict=True)) if records else [()] * len(_CODE_COLUMNS)
    table = pa.table(
        {
            name: pa.array(list(col), pa.string())
            for name, col in zip(_CODE_COLUMNS, columns, strict=True)
        }
    )
    warehouse.register("category_codes_new", table)
    try:
        warehouse.execute("INSERT OR REPLACE INTO category_codes SELECT * FROM category_codes_new")
    finally:
        warehouse.unregister("category_codes_new")


def codes(warehouse: Warehouse, scheme: str) -> dict[str, dict[str, Any]]:
    rows = warehouse.fetch("SELECT * FROM category_codes WHERE scheme = ? ORDER BY code", [scheme])
    return {r["code"]: r for r in rows}


def label_prefix(label: str | None) -> str:
    """'SC : Children : Fostering' -> 'SC'; the part of a published label that names the area."""
    return (label or "").split(":")[0].strip().upper()


PROCLASS_CODE = re.compile(r"[0-9]{6}")


def is_proclass_code(code: str | None) -> bool:
    """Six digits. Salford's register has a date and a 7-digit number in its ProClass column:
    those are not labels."""
    return bool(code and PROCLASS_CODE.fullmatch(code))


def _level1_of(
    code: str, label: str, known: dict[str, dict[str, Any]], votes: dict[str, Counter[str]]
) -> tuple[str, str]:
    """Level 1 for a code the installed list lacks, and why. In order: the label is itself a
    level-1 name; the installed codes sharing at least 4 leading digits agree; the publisher's
    label prefix ('CONSULTANCY : …') votes; the installed codes sharing most leading digits
    (at least 2); else the label stands as its own level 1."""
    names = {r["level1"].upper(): r["level1"] for r in known.values()}
    if label.strip().upper() in names:
        return names[label.strip().upper()], "the label is a level-1 name"
    longest = max(_common_prefix(code, c) for c in known)
    near = Counter(r["level1"] for c, r in known.items() if _common_prefix(code, c) == longest)
    if longest >= 4 and len(near) == 1:
        level1 = next(iter(near))
        return level1, f"every installed code starting {code[:longest]} is under {level1}"
    prefix = label_prefix(label)
    if prefix in votes:
        level1, n = votes[prefix].most_common(1)[0]
        return level1, (
            f"{n:,} of {sum(votes[prefix].values()):,} labelled lines whose label starts "
            f"'{prefix}' and whose code is installed are under {level1}"
        )
    if longest >= 2:
        level1 = near.most_common(1)[0][0]
        return level1, f"most installed codes starting {code[:longest]} are under {level1}"
    return label, "no installed code or label prefix is close: the label stands as level 1"


def extend_proclass(warehouse: Warehouse) -> list[dict[str, Any]]:
    """Add the codes that labelled spend lines and contracts use but the installed list lacks
    (Trafford uses codes newer than v17), with a level 1 and the reason for it."""
    known = {
        code: row
        for code, row in codes(warehouse, "proclass").items()
        if not row["origin"].startswith("seen in labelled data")
    }
    if not known:
        return []
    seen = [
        r
        for r in warehouse.fetch(
            """
            SELECT organisation, proclass_code AS code, proclass_label AS label, count(*) AS n
            FROM spend_lines WHERE proclass_code IS NOT NULL GROUP BY ALL
            UNION ALL
            SELECT organisation, proclass_code, proclass_label, count(*)
            FROM contracts WHERE proclass_code IS NOT NULL GROUP BY ALL
            """
        )
        if is_proclass_code(r["code"]) and (r["label"] or "").strip().lower() != "not classified"
    ]
    votes: dict[str, Counter[str]] = {}
    for r in seen:
        if r["code"] in known:
            prefix = label_prefix(r["label"])
            votes.setdefault(prefix, Counter())[known[r["code"]]["level1"]] += r["n"]
    by_code: dict[str, dict[str, Any]] = {}
    for r in sorted(seen, key=lambda r: (-r["n"], r["organisation"], r["label"] or "")):
        if r["code"] not in known and r["code"] not in by_code:
            by_code[r["code"]] = r
    added = []
    for code, r in sorted(by_code.items()):
        label = (r["label"] or code).strip()
        level1, why = _level1_of(code, label, known, votes)
        added.append(
            (
                "proclass",
                code,
                label,
                level1,
                None,
                None,
                None,
                f"level 1: {why}",
                f"seen in labelled data: {r['organisation']}",
            )
        )
    with warehouse.transaction():
        warehouse.execute("DELETE FROM category_codes WHERE origin LIKE 'seen in labelled data%'")
        if added:
            _insert_codes(warehouse, added)
        refresh_sic_groups(warehouse)
    return [
        {"code": v[1], "label": v[2], "level1": v[3], "note": v[7], "origin": v[8]} for v in added
    ]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


# -- ProClass -> DEFRA SIC groups --------------------------------------------------------------
@dataclass(frozen=True)
class SicGroupRule:
    level1: str
    level2: str  # '' = any level 2
    code: str  # '' = any code; a 6-digit code is the most specific rule
    sic_group: str
    note: str


def sic_group_rules() -> list[SicGroupRule]:
    text = (resources.files("observatory") / "data" / "proclass_sic_groups.csv").read_text("utf-8")
    return [
        SicGroupRule(
            r["proclass_level1"],
            r["proclass_level2"],
            r["proclass_code"],
            r["sic_group"],
            r["note"],
        )
        for r in csv.DictReader(io.StringIO(text))
    ]


def sic_group_for(entry: dict[str, Any], rules: list[SicGroupRule]) -> SicGroupRule | None:
    """The most specific rule for one ProClass code: its own code, else its level 1 and level 2,
    else its level 1. Extensions (no level 2) take their level 1's rule unless named."""
    for rule in rules:
        if rule.code and rule.code == entry["code"]:
            return rule
    for rule in rules:
        if (
            not rule.code
            and rule.level2
            and rule.level1 == entry["level1"]
            and rule.level2 == (entry.get("level2") or "")
        ):
            return rule
    for rule in rules:
        if not rule.code and not rule.level2 and rule.level1 == entry["level1"]:
            return rule
    return None


def refresh_sic_groups(warehouse: Warehouse) -> None:
    """Rebuild ``proclass_sic_groups`` for every installed ProClass code."""
    rules = sic_group_rules()
    rows = []
    for entry in codes(warehouse, "proclass").values():
        rule = sic_group_for(entry, rules)
        if rule is not None:
            matched = "code" if rule.code else ("level 2" if rule.level2 else "level 1")
            rows.append((entry["code"], rule.sic_group, matched, rule.note))
    warehouse.execute("DELETE FROM proclass_sic_groups")
    if rows:
        names = ("code", "sic_group", "matched_on", "note")
        table = pa.table(
            {
                n: pa.array(list(c), pa.string())
                for n, c in zip(names, zip(*rows, strict=True), strict=True)
            }
        )
        warehouse.register("proclass_sic_groups_new", table)
        try:
            warehouse.execute(
                "INSERT INTO proclass_sic_groups SELECT * FROM proclass_sic_groups_new"
            )
        finally:
            warehouse.unregister("proclass_sic_groups_new")
