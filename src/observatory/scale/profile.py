"""What the national-scale generator learns from the real published spend files.

The real files are read by the project's own loader (so the figures are those of the canonical
spend lines), then reduced to distributions: who is paid and how often, the names each supplier is
published under, its ProClass codes and expense types, amounts per category, the share of
negative and redacted lines, months, and each real publisher's style. Shares are *member-balanced*
(each real member weighs the same, whatever its size): Trafford publishes every payment and alone
holds four lines in five, so line-weighted figures would describe Trafford, not a member.

See docs/methods/national-scale-generator.md.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from observatory.store import Warehouse

Profile = dict[str, Any]

PROFILE_VERSION = 1
# The real spend series learnt from: each has a year or more of months and names its publisher
# in a column. Newcastle (one month) would distort the month shares; Hyndburn and Lambeth are
# loader torture tests more than typical publishers.
LEARNING_SETS: dict[str, tuple[str, ...]] = {
    "trafford": (
        "trafford/trafford-supplier-spend-2024-25.zip",
        "trafford/trafford-supplier-spend-2025-26.zip",
    ),
    "manchester": ("manchester",),
    "salford": ("salford",),
    "calderdale": ("calderdale",),
}
# The layout each real publisher's style writes (scale/layouts.py).
LAYOUT_OF = {
    "trafford": "lga",
    "manchester": "expenses",
    "salford": "gross_net",
    "calderdale": "lgtc",
}
QUANTILES = 101  # 0th … 100th percentile of log10 |amount|
NAME_CUT = 35  # Trafford's (and many finance systems') supplier-name field width
# Built-in profile: a word or purpose survives only when this many distinct supplier names (or
# lines) carry it, so no single supplier's or person's name is shipped.
BUILTIN_MIN_NAMES = 20
_LEGAL = re.compile(r"\b(LIMITED|LTD|PLC|LLP|CIC|CIO|INC|CO|COMPANY|THE|UK)\b")
_NON_ALNUM = re.compile(r"[^A-Z0-9 ]+")
SUFFIXES = ("LTD", "LIMITED", "PLC", "LLP", "CIC", "")


def supplier_key(name: str) -> str:
    """Names that differ in case, punctuation, legal form or after the first 30 letters are taken
    as one supplier's published variants (good enough for a profile; not resolution)."""
    text = _NON_ALNUM.sub(" ", name.upper().replace("&", " AND "))
    return " ".join(_LEGAL.sub(" ", text).split())[:30]


def legal_suffix(name: str) -> str:
    last = name.upper().rstrip(". ").split()[-1:] or [""]
    return last[0] if last[0] in SUFFIXES else ""


def variant_kind(variant: str, canonical: str) -> str:
    """How a published name differs from the supplier's most used one."""
    if variant.upper() == canonical.upper():
        return "case"
    a, b = variant.upper(), canonical.upper()
    cut = (len(variant) == NAME_CUT and b.startswith(a)) or (
        len(canonical) == NAME_CUT and a.startswith(b)
    )
    if cut:
        return "cut at 35"
    if legal_suffix(variant) != legal_suffix(canonical):
        return "legal form"
    if _NON_ALNUM.sub("", a) == _NON_ALNUM.sub("", b):
        return "punctuation"
    return "other"


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, n: int = QUANTILES) -> list[float]:
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    cum = np.cumsum(w) - 0.5 * w
    cum /= w.sum()
    return [round(float(x), 5) for x in np.interp(np.linspace(0, 1, n), cum, v)]


def _load_real(warehouse: Warehouse, data_dir: Path) -> list[str]:
    from observatory.sources.spend import load_spend

    files = []
    for paths in LEARNING_SETS.values():
        for p in paths:
            path = data_dir / p
            if path.is_dir():
                # Salford's 2022-07.csv is its contracts register, not spend.
                files += [str(f) for f in sorted(path.glob("*.csv")) if f.name != "2022-07.csv"]
            elif path.exists():
                files.append(str(path))
    errors: list[str] = []
    load_spend(warehouse, files, None, [], None, errors)
    if errors:
        raise ValueError(f"the real files did not all load: {errors[:3]}")
    return files


def learn_profile(data_dir: Path) -> Profile:
    """Load the real spend series into a scratch warehouse and reduce them to a profile."""
    with Warehouse.memory() as warehouse:
        files = _load_real(warehouse, data_dir)
        return _profile_from(warehouse, files, data_dir)


def _profile_from(warehouse: Warehouse, files: list[str], data_dir: Path) -> Profile:
    lines = warehouse.fetch(
        "SELECT organisation AS member, supplier_name AS name, amount::DOUBLE AS amount, "
        "is_redacted, is_negative, month(payment_date) AS month, year(payment_date) AS year, "
        "proclass_code AS code, proclass_label AS label, expense_type, service_area, "
        "supplier_vat_number IS NOT NULL AS has_vat, "
        "supplier_company_number IS NOT NULL AS has_company "
        "FROM spend_lines ORDER BY organisation, source_file, source_line"
    )
    members = sorted({r["member"] for r in lines})
    per_member = Counter(r["member"] for r in lines)
    weight = {m: 1.0 / per_member[m] for m in members}
    months_per_member = {
        m: len({(r["year"], r["month"]) for r in lines if r["member"] == m}) for m in members
    }

    # -- styles: one per real member -------------------------------------------------------
    styles = []
    for m in members:
        rows = [r for r in lines if r["member"] == m]
        named = [r for r in rows if not r["is_redacted"] and r["name"]]
        letters = [r["name"] for r in named if any(c.isalpha() for c in r["name"])]
        redaction = Counter(r["name"] for r in rows if r["is_redacted"] and r["name"])
        styles.append(
            {
                "real_member": m,
                "layout": LAYOUT_OF.get(m, "expenses"),
                "lines_per_year": round(len(rows) * 12 / months_per_member[m]),
                "negative_share": _share(r["is_negative"] for r in rows),
                "redacted_share": _share(r["is_redacted"] for r in rows),
                "redaction_label": redaction.most_common(1)[0][0] if redaction else "Redacted",
                "upper_share": _share(n == n.upper() for n in letters),
                "cut_at_35_share": _share(len(r["name"]) == NAME_CUT for r in named),
                "cuts_at_35": _cuts_names(named),
                "proclass_share": _share(r["code"] is not None for r in rows),
                "vat_share": _share(r["has_vat"] for r in rows),
                "company_share": _share(r["has_company"] for r in rows),
            }
        )

    # -- months (member-balanced, calendar month 1..12) ------------------------------------
    month_w = np.zeros(12)
    for r in lines:
        month_w[r["month"] - 1] += weight[r["member"]] / months_per_member[r["member"]] * 12
    month_shares = [round(float(x), 5) for x in month_w / month_w.sum()]

    # -- suppliers: key -> published variants, lines, codes, expense types -----------------
    by_key: dict[str, dict[str, Any]] = {}
    for r in lines:
        if r["is_redacted"] or not r["name"]:
            continue
        key = supplier_key(r["name"])
        if not key:
            continue
        s = by_key.setdefault(
            key,
            {
                "variants": Counter(),
                "members": Counter(),
                "weight": 0.0,
                "codes": Counter(),
                "expense_types": Counter(),
                "member_variants": defaultdict(Counter),
            },
        )
        s["variants"][r["name"]] += 1
        s["member_variants"][r["member"]][r["name"]] += 1
        s["members"][r["member"]] += 1
        s["weight"] += weight[r["member"]]
        if r["code"]:
            s["codes"][r["code"]] += 1
        if r["expense_type"]:
            s["expense_types"][r["expense_type"].strip()] += 1
    code_labels: dict[str, Counter[str]] = defaultdict(Counter)
    for r in lines:
        if r["code"] and r["label"]:
            code_labels[r["code"]][r["label"]] += 1

    # Expense types seen with a ProClass code through suppliers that members publish both for.
    expense_codes: dict[str, Counter[str]] = defaultdict(Counter)
    for s in by_key.values():
        if s["codes"] and s["expense_types"]:
            top_code = s["codes"].most_common(1)[0][0]
            for x, n in s["expense_types"].items():
                expense_codes[x][top_code] += n

    # Variant kinds: for suppliers several members pay, each member's usual name compared
    # with the network's usual one.
    kinds: Counter[str] = Counter()
    pairs = 0
    for s in by_key.values():
        if len(s["members"]) < 2:
            continue
        canonical = s["variants"].most_common(1)[0][0]
        for names in s["member_variants"].values():
            pairs += 1
            usual = names.most_common(1)[0][0]
            if usual != canonical:
                kinds[variant_kind(usual, canonical)] += 1
    variant_pairs = max(pairs, 1)

    # Local suppliers: paid by one real member only.
    local_lines = defaultdict(float)
    local_keys = Counter()
    keys_per_member = Counter()
    local_counts: list[int] = []
    for s in by_key.values():
        for m, n in s["members"].items():
            keys_per_member[m] += 1
            if len(s["members"]) == 1:
                local_lines[m] += n
                local_keys[m] += 1
                local_counts.append(n)
    local_line_share = float(np.mean([local_lines[m] / per_member[m] for m in members]))
    local_supplier_share = float(np.mean([local_keys[m] / keys_per_member[m] for m in members]))
    # Suppliers per member grow with its size as c * lines_per_year ** 0.6.
    coeff = math.exp(
        float(
            np.mean(
                [
                    math.log(keys_per_member[m])
                    - 0.6 * math.log(per_member[m] * 12 / months_per_member[m])
                    for m in members
                ]
            )
        )
    )

    # -- amounts by ProClass level 1 (the first two digits), member-balanced ---------------
    amounts = np.array([abs(r["amount"]) for r in lines])
    w = np.array([weight[r["member"]] for r in lines])
    positive = np.array([r["amount"] > 0 for r in lines])
    negative = np.array([r["amount"] < 0 for r in lines])
    level1 = np.array([(r["code"] or "")[:2] for r in lines])
    logs = np.log10(np.maximum(amounts, 0.01))
    categories: dict[str, Any] = {}
    codes_all: Counter[str] = Counter()
    for r in lines:
        if r["code"]:
            codes_all[r["code"]] += 1
    for l1 in sorted({c[:2] for c in codes_all}):
        mask = positive & (level1 == l1)
        if mask.sum() < 50:
            continue
        categories[l1] = {
            "lines": int(mask.sum()),
            "log10_amount_quantiles": weighted_quantiles(logs[mask], w[mask]),
        }
    overall = weighted_quantiles(logs[positive], w[positive])
    # Each publisher's own amounts: its threshold (all payments, over £500, over £250) shapes
    # them more than the category does, and only Trafford labels categories.
    member_of = np.array([r["member"] for r in lines])
    for style in styles:
        mask = positive & (member_of == style["real_member"])
        style["log10_amount_quantiles"] = weighted_quantiles(logs[mask], w[mask])
    negatives = weighted_quantiles(logs[negative], w[negative])
    redacted_codes = Counter(r["code"] for r in lines if r["is_redacted"] and r["code"])

    service_areas = Counter()
    for r in lines:
        if r["service_area"]:
            service_areas[r["service_area"].strip()] += weight[r["member"]]

    suppliers = []
    for key, s in sorted(by_key.items(), key=lambda kv: (-kv[1]["weight"], kv[0])):
        suppliers.append(
            {
                "key": key,
                "weight": round(s["weight"], 8),
                "members": len(s["members"]),
                "variants": dict(s["variants"].most_common(6)),
                "codes": dict(s["codes"].most_common(3)),
                "expense_types": dict(s["expense_types"].most_common(3)),
            }
        )

    first_words: Counter[str] = Counter()
    trade_words: Counter[str] = Counter()
    for key in by_key:
        words = key.split()
        if len(words) >= 2 and words[0].isalpha():
            first_words[words[0]] += 1
            for word in words[1:]:
                if word.isalpha() and len(word) > 2:
                    trade_words[word] += 1
    suffixes = Counter(legal_suffix(v) for s in by_key.values() for v in s["variants"])
    zipf = _zipf_exponent([s["weight"] for s in by_key.values()])

    return {
        "version": PROFILE_VERSION,
        "derived": {
            "from": "real published spend files, read by observatory's spend loader",
            "data_dir": str(data_dir),
            "files": [str(Path(f).relative_to(data_dir)) for f in files],
            "lines": len(lines),
            "lines_per_member": dict(per_member),
            "learnt_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "weighting": "member-balanced: each real member weighs the same",
        },
        "styles": styles,
        "month_shares": month_shares,
        "member_size_log_sd": round(
            float(np.std(np.log([s["lines_per_year"] for s in styles]), ddof=1)), 4
        ),
        "suppliers_per_member_coeff": round(coeff, 4),
        "local_line_share": round(local_line_share, 4),
        "local_supplier_share": round(local_supplier_share, 4),
        "local_weight_log_sd": round(float(np.std(np.log(local_counts))), 4)
        if local_counts
        else 1.5,
        "variant_kinds": {k: round(v / variant_pairs, 5) for k, v in sorted(kinds.items())},
        "legal_suffixes": _shares(suffixes),
        "supplier_zipf_exponent": zipf,
        "amount_quantiles": {"positive": overall, "negative": negatives},
        "categories": categories,
        "codes": {
            c: {"weight": round(n / sum(codes_all.values()), 6), "label": _top(code_labels[c])}
            for c, n in codes_all.most_common()
        },
        "redacted_codes": _shares(redacted_codes),
        "expense_type_codes": {
            x: dict(c.most_common(3))
            for x, c in sorted(expense_codes.items())
            if sum(c.values()) >= 5
        },
        "service_areas": _shares(Counter(dict(service_areas.most_common(200)))),
        "name_words": {
            "first": dict(first_words.most_common(2000)),
            "trade": dict(trade_words.most_common(2000)),
        },
        "suppliers": suppliers,
    }


def _cuts_names(rows: list[dict[str, Any]]) -> bool:
    """A publisher whose finance system cuts names at 35 characters prints few longer ones."""
    lengths = Counter(len(r["name"]) for r in rows)
    longer = sum(n for k, n in lengths.items() if k > NAME_CUT)
    return lengths[NAME_CUT] > 0 and longer < 0.2 * lengths[NAME_CUT]


def _zipf_exponent(weights: list[float]) -> float:
    """Slope of log weight on log rank over the top 2,000 suppliers."""
    w = np.sort(np.array(weights))[::-1][:2000]
    ranks = np.arange(1, len(w) + 1)
    if len(w) < 10:
        return 1.0
    slope = np.polyfit(np.log(ranks), np.log(w), 1)[0]
    return round(float(-slope), 4)


def _share(flags: Any) -> float:
    values = list(flags)
    return round(sum(bool(v) for v in values) / len(values), 5) if values else 0.0


def _shares(counts: Counter[str]) -> dict[str, float]:
    total = sum(counts.values()) or 1
    return {k: round(v / total, 6) for k, v in counts.most_common()}


def _top(counts: Counter[str]) -> str | None:
    return counts.most_common(1)[0][0] if counts else None


def builtin_version(profile: Profile) -> Profile:
    """The profile the package ships for when the real files are absent: the figures, minus
    anything that names one supplier or person — no supplier list, and only the name words and
    expense types that many distinct suppliers share."""
    words = profile["name_words"]
    keep = BUILTIN_MIN_NAMES
    out = {k: v for k, v in profile.items() if k not in ("suppliers", "name_words")}
    out["name_words"] = {
        "first": {w: n for w, n in words["first"].items() if n >= keep},
        "trade": {w: n for w, n in words["trade"].items() if n >= keep},
    }
    out["expense_type_codes"] = {
        x: c for x, c in profile["expense_type_codes"].items() if sum(c.values()) >= keep
    }
    # Service areas are the real members' own department names: the 50 busiest are enough.
    out["service_areas"] = dict(list(profile["service_areas"].items())[:50])
    out["national_suppliers"] = len(profile["suppliers"])
    out["suppliers"] = []
    out["derived"] = dict(
        profile["derived"],
        builtin=(
            "learn_profile() on the files listed, then builtin_version(): the supplier list "
            f"is dropped; name words and expense types kept only when >= {keep} distinct "
            "supplier names carry them"
        ),
    )
    for style in out["styles"]:
        style["redaction_label"] = "Redacted"
    return out


def builtin_profile() -> Profile:
    text = resources.files("observatory.scale").joinpath("builtin_profile.json").read_text("utf-8")
    return json.loads(text)


def profile_for(data_dir: Path | None) -> Profile:
    """Learn from the real files when they are there, else the built-in profile."""
    if data_dir is not None and (data_dir / "manchester").is_dir():
        return learn_profile(data_dir)
    return builtin_profile()
