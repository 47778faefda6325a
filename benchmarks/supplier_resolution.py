"""Benchmark: supplier resolution on 10k, 100k and 1M supplier-name records.

The records are generated variants of the real published supplier names in a warehouse (case,
legal form, '&'/'and', punctuation, a 35-character cut, a slip of the keyboard, a reference or a
branch in brackets), spread over twenty members, some carrying a company or VAT number. Each
size runs in its own process so that its peak memory is its own. Run by hand, never in CI:

    .venv/bin/observatory demo --real --db /tmp/resolve-real.duckdb
    .venv/bin/observatory resolve --db /tmp/resolve-real.duckdb
    .venv/bin/python benchmarks/supplier_resolution.py --names-from /tmp/resolve-real.duckdb \
        --sizes 10000 100000 1000000 --out benchmarks/results/supplier_resolution.json

Timings are quoted with a baseline measured in the same run: cleaning and grouping the same
names exactly (what a plain GROUP BY would give), so ratios survive a faster or slower machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

SEED = 2024
MEMBERS = [f"member{i:02d}" for i in range(20)]
TOWNS = ["Altrincham", "Sale", "Stretford", "Bolton", "Wigan", "Leeds", "Oldham", "Bury"]


def base_names(path: Path) -> dict[str, str]:
    """Real published names, each with the supplier the real network's resolution gave it
    (the truth the generated variants are scored against)."""
    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute(
        "SELECT trim(supplier_name), mode(supplier_id) FROM supplier_records "
        "WHERE source = 'spend' AND length(trim(supplier_name)) > 2 GROUP BY 1 ORDER BY 1"
    ).fetchall()
    con.close()
    if not rows:
        raise SystemExit(f"{path}: run `observatory resolve --db {path}` first")
    return {name: sid for name, sid in rows}


def _typo(rng: random.Random, s: str) -> str:
    if len(s) < 6:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.random()
    if op < 0.4:
        return s[:i] + s[i + 1 :]
    if op < 0.7:
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    return s[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + s[i + 1 :]


def variant(rng: random.Random, name: str) -> str:
    s = name
    r = rng.random()
    if r < 0.2:
        s = s.upper()
    elif r < 0.35:
        s = s.title()
    r = rng.random()
    if r < 0.15:
        s = s.replace(" Limited", " Ltd").replace(" LIMITED", " LTD")
    elif r < 0.3:
        s = s.replace(" Ltd", " Limited").replace(" LTD", " LIMITED")
    elif r < 0.35:
        s = s + " Ltd"
    if rng.random() < 0.15:
        s = s.replace(" & ", " and ") if "&" in s else s.replace(" and ", " & ")
    if rng.random() < 0.1:
        s = s.replace(".", "").replace(",", "")
    if rng.random() < 0.08:
        s = _typo(rng, s)
    if rng.random() < 0.05:
        s = f"{s} (ref {rng.randint(1000, 9999)})"
    elif rng.random() < 0.05:
        s = f"{s} ({rng.choice(TOWNS)})"
    if rng.random() < 0.1:
        s = s[:35]
    return s.strip()


def generate(truth: dict[str, str], size: int, seed: int = SEED) -> pa.Table:
    rng = random.Random(seed)
    names = list(truth)
    # Identifiers belong to the supplier, so every name of one supplier carries the same ones.
    suppliers = sorted(set(truth.values()))
    numbers = {t: f"{rng.randint(1, 15_999_999):08d}" for t in suppliers if rng.random() < 0.3}
    vats = {
        t: f"GB{rng.randint(100_000_000, 999_999_999)}" for t in suppliers if rng.random() < 0.3
    }
    seen: set[tuple[str, str, str | None, str | None]] = set()
    rows: dict[str, list] = {k: [] for k in ("record_key", "organisation", "supplier_name",
                                             "company_number", "vat_number", "truth")}  # fmt: skip
    while len(seen) < size:
        base = rng.choice(names)
        org = rng.choice(MEMBERS)
        name = variant(rng, base)
        ch = numbers.get(truth[base]) if rng.random() < 0.2 else None
        vat = vats.get(truth[base]) if rng.random() < 0.15 else None
        key = (org, name, ch, vat)
        if key in seen:
            continue
        seen.add(key)
        rows["record_key"].append(f"b{len(seen):09d}")
        rows["organisation"].append(org)
        rows["supplier_name"].append(name)
        rows["company_number"].append(ch)
        rows["vat_number"].append(vat)
        rows["truth"].append(truth[base])
    return pa.table(rows)


def pairwise(truth: list[str], predicted: list[str]) -> dict[str, float]:
    """Pairwise precision and recall of the predicted suppliers against the truth."""

    def pairs(counts: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    correct = pairs(Counter(zip(truth, predicted, strict=True)))
    true, pred = pairs(Counter(truth)), pairs(Counter(predicted))
    return {
        "precision": round(correct / pred, 4) if pred else 1.0,
        "recall": round(correct / true, 4) if true else 1.0,
    }


def worker(names_from: Path, size: int, threads: int | None) -> dict:
    from observatory.resolve.suppliers import prepare, resolve_seen
    from observatory.store import Warehouse
    from observatory.store.warehouse import sql_text

    t0 = time.perf_counter()
    records = generate(base_names(names_from), size)
    generated = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Warehouse.open(Path(tmp) / "bench.duckdb")
        if threads:
            warehouse.execute(f"SET threads = {threads}")
        prepare(warehouse)
        warehouse.register("bench_records", records)
        warehouse.execute(
            """
            CREATE OR REPLACE TEMP TABLE resolve_seen AS
            SELECT record_key, 'spend' AS source, organisation, supplier_name, company_number,
                   NULL::VARCHAR AS charity_number, vat_number, NULL::VARCHAR AS ppon,
                   NULL::VARCHAR AS other_identifier, NULL::VARCHAR AS postcode,
                   []::VARCHAR[] AS sme_flags, []::VARCHAR[] AS vcse_flags, 1::BIGINT AS lines,
                   NULL::DECIMAL(18,2) AS amount, NULL::DATE AS first_date, NULL::DATE AS last_date
            FROM bench_records
            """
        )
        # Baseline: clean the names and group identical cleaned names (no linkage at all).
        b0 = time.perf_counter()
        warehouse.execute_script(sql_text("supplier_nodes"))
        exact_groups = warehouse.fetch_value("SELECT count(DISTINCT name_core) FROM resolve_names")
        baseline = time.perf_counter() - b0
        t1 = time.perf_counter()
        result = resolve_seen(warehouse, threads=threads)
        seconds = time.perf_counter() - t1
        got = dict(
            warehouse.con.execute("SELECT record_key, supplier_id FROM supplier_records").fetchall()
        )
        warehouse.close()
    keys = records["record_key"].to_pylist()
    accuracy = pairwise(records["truth"].to_pylist(), [got[k] for k in keys])
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "records": result.records,
        "distinct_names": result.names,
        "name_nodes": result.nodes,
        "exact_name_groups": exact_groups,
        "suppliers": result.entities,
        "true_suppliers": len(set(records["truth"].to_pylist())),
        "pairwise_against_real_resolution": accuracy,
        "scored_pairs": result.scored_pairs,
        "links_used": result.links_used,
        "seconds_generate": round(generated, 2),
        "seconds_baseline_clean_and_group": round(baseline, 2),
        "seconds_resolve": round(seconds, 2),
        "seconds_by_step": result.seconds,
        "ratio_to_baseline": round(seconds / baseline, 1) if baseline else None,
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "model_notes": result.model_notes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names-from", type=Path, required=True, help="a loaded warehouse")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.names_from, args.worker, args.threads)))
        return
    runs = []
    for size in args.sizes:
        cmd = [
            sys.executable,
            __file__,
            "--names-from",
            str(args.names_from),
            "--worker",
            str(size),
        ]
        if args.threads:
            cmd += ["--threads", str(args.threads)]
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            raise SystemExit(f"size {size} failed")
        run = json.loads(done.stdout.strip().splitlines()[-1])
        run["size"] = size
        run["seconds_wall_process"] = round(time.perf_counter() - started, 1)
        runs.append(run)
        print(
            f"{size:>9,} records: {run['seconds_resolve']:>7.1f} s resolve "
            f"({run['ratio_to_baseline']}x clean-and-group), peak {run['peak_rss_mib']:,.0f} MiB, "
            f"{run['suppliers']:,} suppliers (truth {run['true_suppliers']:,}; pairwise "
            f"{run['pairwise_against_real_resolution']})",
            flush=True,
        )
    report = {
        "benchmark": "supplier resolution (observatory resolve on generated name variants)",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
            "platform": platform.platform(),
            "memory_gib": round(
                os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1
            ),
        },
        "names_from": str(args.names_from),
        "seed": SEED,
        "runs": runs,
    }
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
