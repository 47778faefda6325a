"""A national-scale spend dataset from the real files' distributions, with a size knob.

Hundreds of members each publish a monthly Transparency Code file in one of the real publishers'
layouts (scale/layouts.py). Who is paid, under which published name, for which category, how much
and in which month all follow the profile learnt from the real files (scale/profile.py).

Generation streams: one member's supplier pool and one month's lines are in memory at a time, so
50 million lines take the memory of the largest member-month. Each member draws from its own
random stream (``seed``, member number), so the bytes depend only on the arguments.
See docs/methods/national-scale-generator.md.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from observatory.scale.layouts import LAYOUTS, csv_bytes, money
from observatory.scale.profile import NAME_CUT, Profile

START = date(2024, 4, 1)  # a financial year, as members publish
# Deliberate quirks, each something the loader must reject or absorb as it does in real files.
TOTAL_FOOTER_SHARE = 0.2  # Manchester-style files: a 'Total' line under the data (rejected)
TRAILING_COMMA_EVERY = 4  # Salford-style files: every 4th month has a comma ending each row
TYPO_SHARE = 0.02  # a (member, supplier) pair whose name carries a slip of the keyboard
DEFAULT_EXPENSE = "Other Services"


@dataclass
class MemberReport:
    org_id: str
    name: str
    layout: str
    style_of: str
    lines: int = 0
    pence: int = 0
    files: int = 0
    total_rows: int = 0  # footer lines written: rejected as 'total row' by the loader


@dataclass
class Manifest:
    seed: int
    lines: int
    months: int
    start: str
    profile: dict[str, Any]
    members: list[MemberReport] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "lines": self.lines,
            "months": self.months,
            "start": self.start,
            "members": len(self.members),
            "amount": f"{sum(m.pence for m in self.members) / 100:.2f}",
            "files": sum(m.files for m in self.members),
            "expected_rejects": {"total row": sum(m.total_rows for m in self.members)},
            "layouts": {name: sum(1 for m in self.members if m.layout == name) for name in LAYOUTS},
            "profile": self.profile,
            "by_member": [m.__dict__ for m in self.members],
        }


@dataclass
class SupplierPool:
    """Suppliers as parallel arrays (index = supplier)."""

    names: np.ndarray  # canonical (or, in a member's pool, published) name
    weights: np.ndarray
    variants: list[dict[str, int]]  # real published names (empty for invented suppliers)
    codes: np.ndarray  # (n, 3) index into the code table, -1 = none
    code_cum: np.ndarray  # (n, 3) cumulative probabilities
    expense: np.ndarray  # (n, 3) index into the expense-type table, -1 = none
    expense_cum: np.ndarray
    identity: np.ndarray  # a stable number: VAT and company numbers derive from it

    def take(self, index: np.ndarray) -> SupplierPool:
        return SupplierPool(
            self.names[index],
            self.weights[index],
            [self.variants[i] for i in index],
            self.codes[index],
            self.code_cum[index],
            self.expense[index],
            self.expense_cum[index],
            self.identity[index],
        )


class Tables:
    """The profile turned into arrays the per-line draws index into."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        codes = profile["codes"]
        self.code_list = list(codes)
        self.code_index = {c: i for i, c in enumerate(self.code_list)}
        self.code_labels = np.array(
            [(codes[c]["label"] or "").upper() for c in self.code_list], dtype=object
        )
        self.code_weights = _normal(np.array([codes[c]["weight"] for c in self.code_list]))
        quantiles = profile["amount_quantiles"]
        self.positive_q = np.array(quantiles["positive"])
        self.negative_q = np.array(quantiles["negative"])
        cats = profile["categories"]
        self.code_q = np.array(
            [
                cats.get(c[:2], {}).get("log10_amount_quantiles", quantiles["positive"])
                for c in self.code_list
            ]
        )
        expense_types = sorted(
            {x for x in profile["expense_type_codes"]}
            | {x for s in profile["suppliers"] for x in s["expense_types"]}
            | {DEFAULT_EXPENSE}
        )
        self.expense_list = np.array(expense_types, dtype=object)
        self.expense_index = {x: i for i, x in enumerate(expense_types)}
        by_code: dict[int, dict[int, int]] = {}
        for x, cs in profile["expense_type_codes"].items():
            for c, n in cs.items():
                if c in self.code_index:
                    by_code.setdefault(self.code_index[c], {})[self.expense_index[x]] = n
        self.expense_by_code = by_code
        red = profile["redacted_codes"]
        self.redacted_codes = np.array([self.code_index[c] for c in red if c in self.code_index])
        self.redacted_cum = np.cumsum(
            _normal(np.array([red[c] for c in red if c in self.code_index]))
        )
        areas = profile["service_areas"] or {"Corporate Services": 1.0}
        self.areas = np.array(list(areas), dtype=object)
        self.areas_cum = np.cumsum(_normal(np.array(list(areas.values()))))
        words = profile["name_words"]
        self.first_words = np.array(list(words["first"]), dtype=object)
        self.first_cum = np.cumsum(_normal(np.array(list(words["first"].values()), float)))
        self.trade_words = np.array(list(words["trade"]), dtype=object)
        self.trade_cum = np.cumsum(_normal(np.array(list(words["trade"].values()), float)))
        suffixes = profile["legal_suffixes"]
        self.suffixes = np.array(list(suffixes), dtype=object)
        self.suffix_cum = np.cumsum(_normal(np.array(list(suffixes.values()))))


def _normal(w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, float)
    return w / w.sum() if w.sum() > 0 else np.full(len(w), 1 / max(len(w), 1))


def _pick(rng: np.random.Generator, cum: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1)


def _triples(
    rng: np.random.Generator, dists: list[dict[int, float]]
) -> tuple[np.ndarray, np.ndarray]:
    idx = np.full((len(dists), 3), -1, dtype=np.int32)
    cum = np.ones((len(dists), 3))
    for i, d in enumerate(dists):
        top = sorted(d.items(), key=lambda kv: -kv[1])[:3]
        if not top:
            continue
        total = sum(n for _, n in top)
        running = 0.0
        for j, (k, n) in enumerate(top):
            idx[i, j] = k
            running += n / total
            cum[i, j] = running
        cum[i, len(top) - 1 :] = 1.0
        idx[i, len(top) :] = idx[i, 0]
    return idx, cum


def _invent_names(rng: np.random.Generator, t: Tables, n: int) -> np.ndarray:
    """Supplier names put together from the words real supplier names are made of."""
    first = t.first_words[_pick(rng, t.first_cum, n)]
    trade = t.trade_words[_pick(rng, t.trade_cum, n)]
    second = t.trade_words[_pick(rng, t.trade_cum, n)]
    two = rng.random(n) < 0.4
    suffix = t.suffixes[_pick(rng, t.suffix_cum, n)]
    out = np.empty(n, dtype=object)
    for i in range(n):
        words = [first[i], trade[i]] + ([second[i]] if two[i] and second[i] != trade[i] else [])
        name = " ".join(w.title() for w in words)
        sfx = suffix[i]
        out[i] = f"{name} {sfx.title() if sfx != 'PLC' else sfx}".strip() if sfx else name
    return out


def national_pool(profile: Profile, t: Tables, seed: int) -> SupplierPool:
    """The suppliers many members may pay: the real ones (their weights, published names, codes
    and expense types), or, from the built-in profile, invented ones on the real Zipf curve."""
    rng = np.random.default_rng([seed, 0])
    real = profile["suppliers"]
    if real:
        names = np.array([max(s["variants"], key=s["variants"].get) for s in real], dtype=object)
        weights = np.array([s["weight"] for s in real])
        variants = [s["variants"] for s in real]
        code_d = [
            {t.code_index[c]: n for c, n in s["codes"].items() if c in t.code_index} for s in real
        ]
        exp_d = [{t.expense_index[x]: n for x, n in s["expense_types"].items()} for s in real]
    else:
        n = int(profile.get("national_suppliers", 20000))
        names = _invent_names(rng, t, n)
        ranks = np.arange(1, n + 1, dtype=float)
        weights = ranks ** -float(profile["supplier_zipf_exponent"])
        variants = [{} for _ in range(n)]
        code_d = [{} for _ in range(n)]
        exp_d = [{} for _ in range(n)]
    # A supplier no member labels with ProClass gets a category through its expense type where
    # the real files link the two, else one drawn from the network's category mix.
    drawn = _pick(rng, np.cumsum(t.code_weights), len(names))
    for i in range(len(names)):
        if not code_d[i]:
            via = {}
            for x in exp_d[i]:
                for c, k in t.profile["expense_type_codes"].get(t.expense_list[x], {}).items():
                    if c in t.code_index:
                        via[t.code_index[c]] = via.get(t.code_index[c], 0) + k
            code_d[i] = via or {int(drawn[i]): 1}
        if not exp_d[i]:
            exp_d[i] = dict(t.expense_by_code.get(next(iter(code_d[i])), {}))
    codes, code_cum = _triples(rng, code_d)
    expense, expense_cum = _triples(rng, exp_d)
    return SupplierPool(
        names,
        _normal(weights),
        variants,
        codes,
        code_cum,
        expense,
        expense_cum,
        np.arange(len(names), dtype=np.int64),
    )


def member_sizes(profile: Profile, lines: int, members: int, seed: int) -> np.ndarray:
    """Lines per member: log-normal sizes with the real members' spread, summing to ``lines``."""
    rng = np.random.default_rng([seed, 1])
    w = rng.lognormal(0.0, float(profile["member_size_log_sd"]), members)
    return _apportion(lines, w)


def _apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` summing exactly to ``total`` (largest remainder)."""
    share = _normal(weights) * total
    base = np.floor(share).astype(np.int64)
    left = total - int(base.sum())
    order = np.argsort(-(share - base), kind="stable")
    base[order[:left]] += 1
    return base


def month_starts(months: int, start: date = START) -> list[date]:
    out = []
    y, m = start.year, start.month
    for _ in range(months):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass
class Member:
    index: int
    org_id: str
    name: str
    style: dict[str, Any]
    lines: int

    @property
    def uri(self) -> str:
        return f"https://example.org/id/generated-member/{self.org_id}"


def plan_members(profile: Profile, lines: int, members: int, seed: int) -> list[Member]:
    sizes = member_sizes(profile, lines, members, seed)
    styles = profile["styles"]
    # Each real publisher's style goes to the same number of members (in a shuffled order), so
    # member-balanced figures of the network are those of the real members.
    rng = np.random.default_rng([seed, 2])
    chosen = np.resize(rng.permutation(len(styles)), members)
    rng.shuffle(chosen)
    width = max(3, len(str(members)))
    return [
        Member(
            i + 1,
            f"gen{i + 1:0{width}d}",
            f"Generated Member {i + 1:0{width}d} Council",
            styles[int(chosen[i])],
            int(sizes[i]),
        )
        for i in range(members)
    ]


def _typo(rng: np.random.Generator, name: str) -> str:
    if len(name) < 8:
        return name
    i = int(rng.integers(2, len(name) - 2))
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def _publish(rng: np.random.Generator, pool: SupplierPool, style: dict[str, Any]) -> np.ndarray:
    """The name a member prints for each supplier in its pool: one of the supplier's real
    published names (or its invented one), in the member's case and field width."""
    n = len(pool.names)
    upper = rng.random(n) < style["upper_share"]
    typo = rng.random(n) < TYPO_SHARE
    cut = bool(style["cuts_at_35"])
    out = np.empty(n, dtype=object)
    for i in range(n):
        v = pool.variants[i]
        if v:
            names = list(v)
            counts = np.array([v[k] for k in names], float)
            name = names[int(_pick(rng, np.cumsum(counts / counts.sum()), 1)[0])]
        else:
            name = pool.names[i]
            if upper[i]:
                name = name.upper()
        if typo[i]:
            name = _typo(rng, name)
        if cut:
            name = name[:NAME_CUT].rstrip()
        out[i] = name
    return out


def member_pool(
    m: Member, national: SupplierPool, t: Tables, profile: Profile, seed: int
) -> tuple[SupplierPool, np.ndarray, float]:
    """The suppliers one member pays: some of the national suppliers (by their weight) and its
    own local ones (invented names, categories borrowed from a national supplier). Returns the
    pool with published names, the cumulative line weights, and the share of lines that go to
    local suppliers."""
    rng = np.random.default_rng([seed, 100 + m.index])
    per_year = m.lines * 12 / max(1, profile.get("_months", 12))
    count = max(10, round(profile["suppliers_per_member_coeff"] * max(per_year, 1) ** 0.6))
    n_local = round(count * profile["local_supplier_share"])
    n_nat = min(count - n_local, len(national.names))
    chosen = rng.choice(len(national.names), n_nat, replace=False, p=national.weights)
    nat = national.take(np.sort(chosen))
    templates = national.take(rng.choice(len(national.names), n_local, p=national.weights))
    local_names = _invent_names(rng, t, n_local)
    local = SupplierPool(
        local_names,
        rng.lognormal(0.0, float(profile["local_weight_log_sd"]), n_local),
        [{} for _ in range(n_local)],
        templates.codes,
        templates.code_cum,
        templates.expense,
        templates.expense_cum,
        10_000_000 + m.index * 100_000 + np.arange(n_local, dtype=np.int64),
    )
    local_share = profile["local_line_share"] if n_local else 0.0
    weights = np.concatenate(
        [_normal(nat.weights) * (1 - local_share), _normal(local.weights) * local_share]
    )
    pool = SupplierPool(
        np.concatenate([nat.names, local.names]),
        weights,
        nat.variants + local.variants,
        np.concatenate([nat.codes, local.codes]),
        np.concatenate([nat.code_cum, local.code_cum]),
        np.concatenate([nat.expense, local.expense]),
        np.concatenate([nat.expense_cum, local.expense_cum]),
        np.concatenate([nat.identity, local.identity]),
    )
    pool.names = _publish(rng, pool, m.style)
    return pool, np.cumsum(weights), local_share


def _from_triples(rng: np.random.Generator, idx: np.ndarray, cum: np.ndarray) -> np.ndarray:
    u = rng.random(len(idx))
    j = (u[:, None] > cum).sum(axis=1).clip(0, 2)
    return idx[np.arange(len(idx)), j]


def _quantile_draw(rng: np.random.Generator, q: np.ndarray) -> np.ndarray:
    """Inverse CDF through the 101 percentiles of log10 |amount| (one row of q per line)."""
    u = rng.random(len(q)) * (q.shape[1] - 1)
    lo = np.floor(u).astype(int).clip(0, q.shape[1] - 2)
    f = u - lo
    rows = np.arange(len(q))
    return 10 ** (q[rows, lo] * (1 - f) + q[rows, lo + 1] * f)


def month_lines(
    rng: np.random.Generator,
    m: Member,
    month: date,
    n: int,
    pool: SupplierPool,
    cum: np.ndarray,
    t: Tables,
    counter: int,
) -> tuple[dict[str, Any], np.ndarray]:
    """One member's lines for one month, as the columns the layouts print."""
    style = m.style
    s = _pick(rng, cum, n)
    redacted = rng.random(n) < style["redacted_share"]
    negative = rng.random(n) < style["negative_share"]
    code = _from_triples(rng, pool.codes[s], pool.code_cum[s])
    if len(t.redacted_codes):
        red_code = t.redacted_codes[_pick(rng, t.redacted_cum, n)]
        code = np.where(redacted, red_code, code)
    code = np.where(code < 0, _pick(rng, np.cumsum(t.code_weights), n), code)
    if style["proclass_share"] > 0.5 or "log10_amount_quantiles" not in style:
        pounds = _quantile_draw(rng, t.code_q[code])  # the categories were learnt from it
    else:
        q = np.array(style["log10_amount_quantiles"])
        pounds = _quantile_draw(rng, np.broadcast_to(q, (n, len(q))))
    neg = _quantile_draw(rng, np.broadcast_to(t.negative_q, (n, len(t.negative_q))))
    pence = np.where(negative, -np.round(neg * 100), np.round(pounds * 100)).astype(np.int64)
    pence = np.where(pence == 0, 1, pence)
    vat = np.where(pence > 0, np.round(pence * 0.2 * (rng.random(n) < 0.6)), 0).astype(np.int64)
    expense = _from_triples(rng, pool.expense[s], pool.expense_cum[s])
    expense_text = np.where(expense >= 0, t.expense_list[np.maximum(expense, 0)], DEFAULT_EXPENSE)
    days = [
        d
        for d in range(1, calendar.monthrange(month.year, month.month)[1] + 1)
        if date(month.year, month.month, d).weekday() < 5
    ]
    day = np.array(days)[rng.integers(0, len(days), n)]
    dates = np.array([f"{month.year:04d}-{month.month:02d}-{d:02d}" for d in range(32)], object)
    supplier = np.where(redacted, style["redaction_label"], pool.names[s])
    identity = pool.identity[s]
    with_code = rng.random(n) < style["proclass_share"]
    publishes_vat = (identity * 2654435761 % 1000) < style["vat_share"] * 1000
    publishes_company = (identity * 40503 % 1000) < style["company_share"] * 1000
    month_end = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    tx = counter + np.arange(n, dtype=np.int64)
    area = t.areas[_pick(rng, t.areas_cum, n)]
    code_text = np.array(t.code_list, dtype=object)[code]
    label = t.code_labels[code]
    cols: dict[str, Any] = {
        "member_name": m.name,
        "member_uri": m.uri,
        "month_end": pa.array(np.full(n, month_end.isoformat(), object), pa.string()),
        "date": pa.array(dates[day], pa.string()),
        "supplier": pa.array(supplier, pa.string()),
        "supplier_ref": pa.array(
            np.where(redacted, None, (identity % 900_000 + 100_000).astype(str).astype(object)),
            pa.string(),
        ),
        "transaction": pa.array(tx + 5_100_000_000).cast(pa.string()),
        "invoice": pa.array(tx * 7 % 9_000_000 + 1_000_000).cast(pa.string()),
        "amount": money(pence),
        "gross": money(pence + vat),
        "vat": money(vat),
        "purpose": pa.array(expense_text.astype(object), pa.string()),
        "proclass_code": pa.array(np.where(with_code, code_text, None), pa.string()),
        "proclass_label": pa.array(np.where(with_code, label, None), pa.string()),
        "cost_centre": pa.array(
            (200000 + code * 13 % 9000).astype(str).astype(object), pa.string()
        ),
        "vat_number": pa.array(
            np.where(
                publishes_vat & ~redacted,
                np.char.add("GB", (identity * 7919 % 900_000_000 + 100_000_000).astype(str)),
                None,
            ).astype(object),
            pa.string(),
        ),
        "company_number": pa.array(
            np.where(
                publishes_company & ~redacted,
                np.char.zfill((identity * 104729 % 13_000_000).astype(str), 8),
                None,
            ).astype(object),
            pa.string(),
        ),
        "service_area": pa.array(area, pa.string()),
        "expense_type": pa.array(expense_text.astype(object), pa.string()),
    }
    return cols, pence


def generate(
    out_dir: Path,
    lines: int,
    profile: Profile,
    members: int = 300,
    months: int = 12,
    seed: int = 2024,
    progress: Any = None,
) -> Manifest:
    """Write ``out_dir/spend/<member>/<YYYY-MM>.csv``, ``organisations.toml`` (declare them with
    OBSERVATORY_ORGANISATIONS) and ``manifest.json``; return the manifest."""
    if lines < members * months:
        raise ValueError(f"{lines:,} lines is fewer than one per member-month")
    profile = dict(profile, _months=months)
    tables = Tables(profile)
    national = national_pool(profile, tables, seed)
    planned = plan_members(profile, lines, members, seed)
    starts = month_starts(months)
    shares = np.array([profile["month_shares"][d.month - 1] for d in starts])
    manifest = Manifest(seed, lines, months, starts[0].isoformat(), profile["derived"])
    spend = out_dir / "spend"
    spend.mkdir(parents=True, exist_ok=True)
    _write_organisations(out_dir / "organisations.toml", planned)
    for m in planned:
        layout = LAYOUTS[m.style["layout"]]
        report = MemberReport(m.org_id, m.name, layout.name, m.style["real_member"])
        pool, cum, _ = member_pool(m, national, tables, profile, seed)
        rng = np.random.default_rng([seed, 1_000_000 + m.index])
        folder = spend / m.org_id
        folder.mkdir(exist_ok=True)
        counter = 0
        for k, (month, n) in enumerate(zip(starts, _apportion(m.lines, shares), strict=True)):
            if n == 0:
                continue
            cols, pence = month_lines(rng, m, month, int(n), pool, cum, tables, counter)
            counter += int(n)
            footer = None
            if layout.name == "expenses" and rng.random() < TOTAL_FOOTER_SHARE:
                footer = f"Total,,,,,{pence.sum() / 100:.2f},"
                report.total_rows += 1
            data = csv_bytes(
                layout,
                cols,
                trailing_comma=layout.name == "gross_net" and k % TRAILING_COMMA_EVERY == 2,
                footer=footer,
            )
            (folder / f"{month:%Y-%m}.csv").write_bytes(data)
            report.lines += int(n)
            report.pence += int(pence.sum())
            report.files += 1
        manifest.members.append(report)
        if progress:
            progress(m.org_id, len(planned))
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest.as_json(), indent=1) + "\n", encoding="utf-8"
    )
    return manifest


def _write_organisations(path: Path, members: list[Member]) -> None:
    """The generated members, in the organisations file format (see organisations.py)."""
    parts = ["# Generated members (observatory scale generate).\n"]
    for m in members:
        parts.append(
            f'\n[[organisation]]\norg_id = "{m.org_id}"\nname = "{m.name}"\n'
            f'org_type = "council"\naliases = ["{m.uri}"]\n'
        )
    path.write_text("".join(parts), encoding="utf-8")
