"""Benchmark: the whole pipeline on a generated national-scale network, on DuckDB and on Spark.

For each size (1M, 10M, 50M lines; 300 members, 12 months) it generates the data
(`observatory.scale`), loads it, resolves suppliers, installs ProClass and classifies, then runs
every priority analysis over spend — each step a separate process, timed, with its peak memory
(resident set of the process and all its children, sampled from /proc every 0.2 s). DuckDB runs
with `memory_limit` set (default 12GB). On Spark (`local[2]`, shuffle partitions 4) the DuckDB
warehouse is exported once as the Parquet layout and the same steps run with `--engine spark`
where the commands offer it.

Loading: the real loader (`observatory load spend`) is measured up to `--csv-load-max` lines;
above that the lines go in with `observatory.scale.bulk` (DuckDB's CSV reader, the generator's
layouts known in advance) and the results say so.

Ratios: every step's time is quoted against a baseline measured in the same run — DuckDB
`read_csv` counting and summing the same generated files (`baseline_seconds`).
Run by hand, never in CI (the 50M run takes hours on two cores; run it in the background):

    .venv/bin/python benchmarks/bench_national.py --sizes 1000000 10000000 \
        --spark-sizes 1000000 10000000
    nohup .venv/bin/python benchmarks/bench_national.py --sizes 50000000 > /tmp/n50.log 2>&1 &

A run that was stopped (a session's end, a reboot) goes on with `--resume`: every step is its own
process, so the steps it finished are kept (from `steps.jsonl` in the size's work folder) and the
rest run; the results say which steps were kept.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "benchmarks" / "results"
OBSERVATORY = [str(Path(sys.executable).parent / "observatory")]

# A step runs the command line in a fresh interpreter with DuckDB's memory limit set on every
# warehouse it opens (the seam has no setting for it; a benchmark should not add one).
RUNNER = """
import sys
from observatory.store import warehouse as w
limit = sys.argv[1]
tune = w.Warehouse.tune
def tuned(self):
    tune(self)
    self.execute(f"SET memory_limit = '{limit}'")
w.Warehouse.tune = tuned
from observatory.cli import app
sys.argv = ["observatory", *sys.argv[2:]]
app()
"""

GENERATE = """
import json, sys
from pathlib import Path
from observatory.scale.generator import generate
profile = json.loads(Path(sys.argv[1]).read_text())
generate(Path(sys.argv[2]), int(sys.argv[3]), profile, int(sys.argv[4]), 12, int(sys.argv[5]))
"""

BULK = """
import sys
from pathlib import Path
from observatory.store import Warehouse
from observatory.scale.bulk import bulk_load
with Warehouse.open(sys.argv[2]) as warehouse:
    warehouse.execute(f"SET memory_limit = '{sys.argv[1]}'")
    print(bulk_load(warehouse, Path(sys.argv[3])))
"""

BASELINE = """
import sys, duckdb
con = duckdb.connect()
con.execute(f"SET memory_limit = '{sys.argv[1]}'").fetchall()
files = sorted(__import__('glob').glob(sys.argv[2] + '/spend/*/*.csv'))
n = 0
for header in set(open(f, encoding='utf-8').readline() for f in files):
    group = [f for f in files if open(f, encoding='utf-8').readline() == header]
    n += con.execute("SELECT count(*) FROM read_csv(?, header=true, all_varchar=true, "
                     "null_padding=true, strict_mode=false)", [group]).fetchall()[0][0]
print(n)
"""

# Every priority analysis over spend lines (the ones needing typed input, like `wealth lm3`,
# or other data, like payments extracts, still run: they read the same warehouse).
ANALYSES = [
    ["collaborate"],
    ["red-flags"],
    ["suppliers", "concentration"],
    ["suppliers", "dependency"],
    ["contracts", "pipeline"],
    ["contracts", "off-contract"],
    ["contracts", "spend-vs-contract"],
    ["savings", "report"],
    ["wealth", "shares"],
    ["wealth", "flags"],
    ["wealth", "leakage"],
    ["carbon", "estimate"],
    ["slavery", "risk"],
    ["slavery", "high-risk"],
    ["social-value", "report"],
    ["payments"],
]


def _tree(pid: int) -> list[int]:
    """The process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _rss_kib(pids: list[int]) -> int:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status", encoding="utf-8") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


def run_process(name: str, argv: list[str], env: dict[str, str], log: Path) -> dict:
    """Run one step in its own process; its wall time and the peak RSS of its process tree."""
    started = time.perf_counter()
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"\n== {name}: {' '.join(argv)}\n")
        out.flush()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _rss_kib(_tree(proc.pid)))
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, _ = os.wait4(proc.pid, 0)
        done.set()
        sampler.join()
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    row = {
        "step": name,
        "seconds": round(seconds, 2),
        # Sampled only: a child's ru_maxrss starts from this process's own peak (Linux keeps
        # the high-water mark across fork and exec), which would hide every step's real peak.
        "peak_rss_mib": round(peak / 1024, 1),
        "exit_code": code,
        # A resumed run reports steps from several sittings: each says when and beside what load.
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_after": load_average(),
    }
    print(json.dumps(row), flush=True)
    return row


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def offers_engine(command: list[str], env: dict[str, str]) -> bool:
    help_text = subprocess.run(
        [*OBSERVATORY, *command, "--help"], capture_output=True, text=True, env=env, cwd=ROOT
    ).stdout
    return "--engine" in help_text


def learn(profile_path: Path) -> None:
    if profile_path.exists():
        return
    from observatory.scale.profile import learn_profile

    profile_path.write_text(json.dumps(learn_profile(DATA)), encoding="utf-8")


class Steps:
    """A size's steps, each run once in its own process. With ``resume``, the steps a stopped run
    of the same size finished (kept in ``steps.jsonl``) are not run again: each was its own
    process, so its time and memory stand."""

    def __init__(self, work: Path, resume: bool) -> None:
        self.log = work / "steps.log"
        self._done = work / "steps.jsonl"
        self.kept: dict[str, dict] = {}
        if resume and self._done.exists():
            rows = map(json.loads, self._done.read_text(encoding="utf-8").splitlines())
            self.kept = {row["step"]: row for row in rows}

    def run(self, name: str, argv: list[str], env: dict[str, str]) -> dict:
        if name in self.kept:
            return self.kept[name]
        row = run_process(name, argv, env, self.log)
        if row["exit_code"] == 0:
            with open(self._done, "a", encoding="utf-8") as out:
                out.write(json.dumps(row) + "\n")
        return row


def bench_size(args: argparse.Namespace, size: int, profile: Path) -> dict:
    work = args.work / f"n{size}"
    if work.exists() and not args.resume:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    steps_run = Steps(work, args.resume)
    gen, db = work / "generated", work / "warehouse.duckdb"

    env = dict(os.environ, OBSERVATORY_ORGANISATIONS=str(gen / "organisations.toml"))
    env["OBSERVATORY_SPARK_MASTER"] = "local[2]"
    py = [sys.executable, "-c"]
    limit = args.memory_limit
    steps: list[dict] = []
    result: dict = {"lines": size, "members": args.members, "months": 12, "seed": args.seed}
    result["load_average_before"] = load_average()
    if steps_run.kept:
        result["steps_kept_from_a_stopped_run"] = list(steps_run.kept)

    steps.append(
        steps_run.run(
            "generate",
            [*py, GENERATE, str(profile), str(gen), str(size), str(args.members), str(args.seed)],
            env,
        )
    )
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    result["files"] = manifest["files"]
    # Counted once: a finished run removes the lines, which a resumed run then does not find.
    counted = work / "generated_bytes.txt"
    if (gen / "spend").exists():
        total = sum(p.stat().st_size for p in (gen / "spend").rglob("*.csv"))
        counted.write_text(str(total), encoding="utf-8")
    result["generated_bytes"] = int(counted.read_text()) if counted.exists() else None
    base = steps_run.run("baseline read_csv", [*py, BASELINE, limit, str(gen)], env)
    steps.append(base)

    step = [*py, RUNNER, limit]
    if size <= args.csv_load_max:
        steps.append(
            steps_run.run(
                "load (observatory load spend --commit-every 100)",
                [
                    *step,
                    *["load", "spend", str(gen / "spend"), "--commit-every", "100"],
                    *["--db", str(db)],
                ],
                env,
            )
        )
        result["load_path"] = "observatory load spend (the real loader)"
        bulk_db = work / "bulk.duckdb"
        steps.append(
            steps_run.run(
                "load (bulk, for comparison)", [*py, BULK, limit, str(bulk_db), str(gen)], env
            )
        )
        bulk_db.unlink(missing_ok=True)
    else:
        steps.append(steps_run.run("load (bulk)", [*py, BULK, limit, str(db), str(gen)], env))
        result["load_path"] = "observatory.scale.bulk (DuckDB read_csv into spend_lines)"
    steps.append(steps_run.run("resolve", [*step, "resolve", "--db", str(db), "--json"], env))
    proclass = str(DATA / "codelists" / "proclass_17.csv")
    steps.append(
        steps_run.run(
            "categories import", [*step, "categories", "import", proclass, "--db", str(db)], env
        )
    )
    steps.append(steps_run.run("classify", [*step, "classify", "--db", str(db), "--json"], env))
    for command in ANALYSES:
        steps.append(
            steps_run.run(" ".join(command), [*step, *command, "--db", str(db), "--json"], env)
        )
    con = duckdb.connect(str(db), read_only=True)
    result["warehouse"] = {
        "spend_lines": con.execute("SELECT count(*) FROM spend_lines").fetchall()[0][0],
        "suppliers": con.execute("SELECT count(*) FROM suppliers").fetchall()[0][0],
        "distinct_published_names": con.execute(
            "SELECT count(DISTINCT supplier_name) FROM spend_lines"
        ).fetchall()[0][0],
        "classified_lines": con.execute("SELECT count(*) FROM line_categories").fetchall()[0][0],
        "bytes": db.stat().st_size,
    }
    con.close()
    if size in args.spark_sizes:
        result["spark"] = bench_spark(work, db, env, steps_run)
    for s in steps:
        s["ratio_to_baseline"] = (
            round(s["seconds"] / base["seconds"], 2) if base["seconds"] else None
        )
        s["lines_per_second"] = round(size / s["seconds"]) if s["seconds"] else None
    result["baseline_seconds"] = base["seconds"]
    result["duckdb_memory_limit"] = limit
    result["steps"] = steps
    result["peak_rss_mib"] = max(s["peak_rss_mib"] for s in steps)
    result["load_average_after"] = load_average()
    if not args.keep:
        # The members' file stays: --spark-only needs it. A resumed run may find the lines gone.
        shutil.rmtree(gen / "spend", ignore_errors=True)
    return result


def bench_spark_only(args: argparse.Namespace, size: int, previous: dict) -> dict:
    """The Spark steps on the warehouse a previous DuckDB run of this size left in --work."""
    work = args.work / f"n{size}"
    db, gen = work / "warehouse.duckdb", work / "generated"
    run = next((r for r in previous["runs"] if r["lines"] == size), None)
    if run is None or not db.exists():
        raise SystemExit(f"--spark-only: no DuckDB run of {size:,} lines to reuse in {work}")
    env = dict(os.environ, OBSERVATORY_ORGANISATIONS=str(gen / "organisations.toml"))
    steps_run = Steps(work, args.resume)
    run["spark"] = bench_spark(work, db, env, steps_run)
    if steps_run.kept:
        run["spark"]["steps_kept_from_a_stopped_run"] = list(steps_run.kept)
    run["spark"]["when"] = datetime.now(UTC).isoformat(timespec="seconds")
    run["spark"]["commit"] = git_commit()
    return run


def git_commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()


def bench_spark(work: Path, db: Path, env: dict[str, str], steps_run: Steps) -> dict:
    """The same steps with --engine spark on the Parquet layout of the DuckDB warehouse."""
    layout = work / "layout"
    step = [*OBSERVATORY]
    spark_env = dict(
        env,
        OBSERVATORY_ENGINE="spark",
        OBSERVATORY_SPARK_MASTER="local[2]",
        PYSPARK_SUBMIT_ARGS="--conf spark.sql.shuffle.partitions=4 "
        "--conf spark.ui.enabled=false pyspark-shell",
    )
    out: dict = {"master": "local[2]", "shuffle_partitions": 4, "steps": [], "not_available": []}
    export = steps_run.run(
        "export warehouse (Parquet layout)",
        [*step, "export", "warehouse", "--out", str(layout), "--db", str(db)],
        env,
    )
    out["steps"].append(export)
    if export["exit_code"] != 0:
        out["not_available"].append("export warehouse")
        return out
    # Spark's own baseline in the same run: counting the layout's spend lines.
    count = (
        "from observatory.store.spark import spark_session; import sys; "
        "s = spark_session('local[2]'); "
        "print(s.read.parquet(sys.argv[1] + '/spend_lines').count())"
    )
    out["baseline"] = steps_run.run(
        "spark baseline (count spend_lines Parquet)",
        [sys.executable, "-c", count, str(layout)],
        spark_env,
    )
    for command in [["resolve"], ["classify"], *ANALYSES]:
        if not offers_engine(command, env):
            out["not_available"].append(" ".join(command))
            continue
        out["steps"].append(
            steps_run.run(
                "spark " + " ".join(command),
                [
                    *step,
                    *command,
                    "--engine",
                    "spark",
                    "--db",
                    str(layout if command[0] not in ("resolve", "classify") else db),
                    "--json",
                ],
                spark_env,
            )
        )
    base = out["baseline"]["seconds"]
    for s in out["steps"]:
        s["ratio_to_spark_baseline"] = round(s["seconds"] / base, 2) if base else None
    return out


def _notes(record: dict) -> list[str]:
    """A run's (or its Spark part's) note and the steps a resumed run kept, as list items."""
    lines = [f"- {record['note']}"] if "note" in record else []
    if kept := record.get("steps_kept_from_a_stopped_run"):
        lines.append(
            f"- resumed (`--resume`): kept from the stopped run's own processes: {', '.join(kept)}"
        )
    return lines


def write_markdown(runs: list[dict], path: Path) -> None:
    lines = [
        "# National-scale pipeline benchmark",
        "",
        "Generated by `benchmarks/bench_national.py` (run by hand). Data: "
        "`observatory scale generate` (300 members, 12 monthly files each, distributions learnt "
        "from the real files; docs/methods/national-scale-generator.md). Ratio = step time / "
        "DuckDB `read_csv` of the same files in the same run. Peak memory = resident set of "
        "the step's process tree. The two cores were shared with other work: load averages "
        "are given per run.",
        "",
    ]
    for run in runs:
        commit = f", commit {run['commit']}" if "commit" in run else ""
        lines += [
            f"## {run['lines']:,} lines ({run['when']}{commit})",
            "",
            f"- files: {run['files']:,}; load path: {run['load_path']}; DuckDB memory_limit "
            f"{run['duckdb_memory_limit']}; baseline {run['baseline_seconds']} s",
            f"- warehouse: {run['warehouse']['spend_lines']:,} lines, "
            f"{run['warehouse']['suppliers']:,} suppliers from "
            f"{run['warehouse']['distinct_published_names']:,} published names, "
            f"{run['warehouse']['classified_lines']:,} lines classified",
            f"- load average before/after: {run['load_average_before']} / "
            f"{run['load_average_after']}; peak memory of any step {run['peak_rss_mib']:,} MiB",
            *_notes(run),
            "",
            "| step | seconds | ratio to baseline | lines/s | peak MiB | exit |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for s in run["steps"]:
            lines.append(
                f"| {s['step']} | {s['seconds']} | {s['ratio_to_baseline']} | "
                f"{s['lines_per_second']:,} | {s['peak_rss_mib']:,} | {s['exit_code']} |"
            )
        spark = run.get("spark")
        if spark:
            when = f" ({spark['when']}, commit {spark.get('commit')})" if "when" in spark else ""
            lines += ["", f"Spark `{spark['master']}`{when}:", ""]
            if "baseline" in spark:
                lines.append(
                    f"- Spark baseline (count the layout's lines): {spark['baseline']['seconds']} s"
                )
            lines += _notes(spark)
            if spark["not_available"]:
                lines.append("- no `--engine spark` yet for: " + ", ".join(spark["not_available"]))
            lines += [
                "",
                "| step | seconds | ratio to Spark baseline | Spark / DuckDB | peak MiB | exit |",
                "|---|---:|---:|---:|---:|---:|",
            ]
            duck = {s["step"]: s["seconds"] for s in run["steps"]}
            for s in spark["steps"]:
                same = duck.get(s["step"].removeprefix("spark "))
                versus = round(s["seconds"] / same, 1) if same else ""
                lines.append(
                    f"| {s['step']} | {s['seconds']} | "
                    f"{s.get('ratio_to_spark_baseline')} | {versus} | {s['peak_rss_mib']:,} | "
                    f"{s['exit_code']} |"
                )
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--spark-sizes", type=int, nargs="*", default=[])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--memory-limit", default="12GB")
    parser.add_argument(
        "--csv-load-max",
        type=int,
        default=1_000_000,
        help="Largest size loaded with the real loader (bulk above it).",
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/observatory-national"))
    parser.add_argument("--out", type=Path, default=RESULTS / "national.json")
    parser.add_argument("--keep", action="store_true", help="Keep the generated files.")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="Keep the work a stopped run of the same size left and skip its finished steps "
        "(each step is its own process, so its figures stand; the run records which were kept).",
    )
    parser.add_argument(
        "--spark-only",
        action="store_true",
        help="Only the Spark steps of --spark-sizes, on the warehouses earlier runs left.",
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    profile = args.work / "profile.json"
    learn(profile)
    previous = json.loads(args.out.read_text()) if args.out.exists() else {"runs": []}
    machine = {
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "platform": platform.platform(),
    }
    for size in args.spark_sizes if args.spark_only else args.sizes:
        if args.spark_only:
            run = bench_spark_only(args, size, previous)
        else:
            run = bench_size(args, size, profile)
            run["when"] = datetime.now(UTC).isoformat(timespec="seconds")
            run["commit"] = git_commit()
            run["machine"] = machine
        runs = [r for r in previous["runs"] if r["lines"] != size] + [run]
        previous = {
            "benchmark": "national-scale pipeline (bench_national.py)",
            "runs": sorted(runs, key=lambda r: r["lines"]),
        }
        args.out.write_text(json.dumps(previous, indent=1) + "\n", encoding="utf-8")
        write_markdown(previous["runs"], args.out.with_suffix(".md"))


if __name__ == "__main__":
    main()
