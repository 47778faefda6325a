"""Rows per second to load Trafford's 2025-26 spend CSV, as a ratio to DuckDB's own read_csv.

Run by hand (never in CI):  .venv/bin/python benchmarks/bench_load_spend.py [--repeat 3]
Both runs use the same process, the same machine and an unzipped copy of the same file; the
result is appended to benchmarks/results/load_spend.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from observatory.sources.spend import load_spend
from observatory.store import Warehouse

ROOT = Path(__file__).resolve().parents[1]
ZIP = ROOT.parent / "shared" / "data" / "trafford" / "trafford-supplier-spend-2025-26.zip"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(ZIP) as z:
            name = z.namelist()[0]
            z.extract(name, tmp)
        csv_path = Path(tmp) / name
        baseline, ours, rows = [], [], 0
        for i in range(args.repeat):
            con = duckdb.connect(str(Path(tmp) / f"base{i}.duckdb"))
            t = time.perf_counter()
            con.execute(
                f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}', all_varchar=true)"
            ).fetchall()
            baseline.append(time.perf_counter() - t)
            rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
            con.close()
            warehouse = Warehouse.open(Path(tmp) / f"ours{i}.duckdb")
            t = time.perf_counter()
            receipts = load_spend(warehouse, [str(csv_path)], organisation="trafford")
            ours.append(time.perf_counter() - t)
            assert receipts[0].rows_read == rows, (receipts[0].rows_read, rows)
            warehouse.close()
    best_base, best_ours = min(baseline), min(ours)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "cores": os.cpu_count(),
        # Other work on the machine slows both runs, not always equally: keep the load with it.
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "duckdb": duckdb.__version__,
        "rows": rows,
        "read_csv_seconds": round(best_base, 3),
        "observatory_seconds": round(best_ours, 3),
        "read_csv_rows_per_second": round(rows / best_base),
        "observatory_rows_per_second": round(rows / best_ours),
        "ratio": round(best_base / best_ours, 3),
        "goal": 0.3,
    }
    print(json.dumps(result, indent=2))
    out = ROOT / "benchmarks" / "results" / "load_spend.json"
    out.parent.mkdir(exist_ok=True)
    history = json.loads(out.read_text()) if out.exists() else []
    history.append(result)
    out.write_text(json.dumps(history, indent=2) + "\n")


if __name__ == "__main__":
    main()
