"""Lines per second to classify Trafford's 2025-26 year, as a ratio to the simple baseline
"the supplier's most frequent code in 2024-25" run as one DuckDB query in the same process.

Run by hand (never in CI):  .venv/bin/python benchmarks/bench_classify.py [--repeat 3]
Both years are loaded from ../shared/data/trafford with the project's loader, ProClass v17 is
installed from ../shared/data/codelists; the result is appended to
benchmarks/results/classify.json. Timed, best of --repeat:

- model: read the lines (classify_lines), learn from the 2024-25 labels (with the calibration
  hold-out), classify every 2025-26 line (labelled or not), with reasons;
- baseline: the supplier's most frequent 2024-25 code for every 2025-26 line, in SQL;
- classify: the whole `observatory classify` run over both years (learning from every label,
  writing line_categories and spend_lines), reported as lines per second of lines written.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import sklearn

from observatory.classify.categories import codes, import_code_list
from observatory.classify.classification import classify
from observatory.classify.evidence import holdout_date, line_documents, stage_lines
from observatory.classify.model import code_texts, train
from observatory.sources.spend import load_spend
from observatory.store import Warehouse

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
YEARS = [DATA / "trafford" / f"trafford-supplier-spend-{y}.zip" for y in ("2024-25", "2025-26")]
TRAIN = {"a": date(2024, 4, 1), "b": date(2025, 3, 31)}
TEST = {"c": date(2025, 4, 1), "d": date(2026, 3, 31)}


def model_run(warehouse: Warehouse) -> tuple[float, float, int]:
    """Seconds to learn, seconds to classify, lines classified."""
    started = time.perf_counter()
    stage_lines(warehouse, "s.organisation = 'trafford'")
    learn = "payment_date BETWEEN $a AND $b"
    cut = holdout_date(warehouse, f"published_code IS NOT NULL AND {learn}", params=TRAIN)
    docs = line_documents(warehouse, learn, cut, label="published_code", params=TRAIN)
    model = train(
        docs.evidence,
        docs.label_doc,
        docs.label_code,
        docs.label_lines,
        docs.label_holdout,
        code_texts=code_texts(codes(warehouse, "proclass")),
    )
    learnt = time.perf_counter()
    index = {k: i for i, k in enumerate(docs.keys)}
    rows = warehouse.fetch(
        "SELECT doc, count(*) AS n FROM classify_lines WHERE payment_date BETWEEN $c AND $d "
        "GROUP BY doc",
        TEST,
    )
    predictions = model.predict([docs.evidence[index[r["doc"]]] for r in rows])
    assert len(predictions.codes) == len(rows)
    done = time.perf_counter()
    return learnt - started, done - learnt, sum(int(r["n"]) for r in rows)


BASELINE = """
CREATE OR REPLACE TEMP TABLE baseline_codes AS
WITH train AS (
    SELECT supplier_name, proclass_code FROM spend_lines
    WHERE organisation = 'trafford' AND payment_date BETWEEN $a AND $b
      AND regexp_full_match(proclass_code, '[0-9]{6}')
), usual AS (SELECT supplier_name, mode(proclass_code) AS code FROM train GROUP BY 1)
SELECT s.line_key, coalesce(u.code, (SELECT mode(proclass_code) FROM train)) AS code
FROM spend_lines s LEFT JOIN usual u USING (supplier_name)
WHERE s.organisation = 'trafford' AND s.payment_date BETWEEN $c AND $d
"""


def baseline_run(warehouse: Warehouse) -> tuple[float, int]:
    started = time.perf_counter()
    warehouse.execute(BASELINE, {**TRAIN, **TEST})
    seconds = time.perf_counter() - started
    return seconds, int(warehouse.fetch_value("SELECT count(*) FROM baseline_codes"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Warehouse.open(Path(tmp) / "bench.duckdb")
        load_spend(warehouse, [str(p) for p in YEARS], organisation="trafford")
        import_code_list(warehouse, DATA / "codelists" / "proclass_17.csv")
        learn, predict, base, whole = [], [], [], []
        lines = base_lines = written = 0
        for _ in range(args.repeat):
            a, b, lines = model_run(warehouse)
            learn.append(a)
            predict.append(b)
            seconds, base_lines = baseline_run(warehouse)
            base.append(seconds)
            result = classify(warehouse)
            whole.append(result.seconds)
            written = result.lines
        warehouse.close()
    assert lines == base_lines, (lines, base_lines)
    best_learn, best_predict, best_base = min(learn), min(predict), min(base)
    model_lps = lines / (best_learn + best_predict)
    base_lps = lines / best_base
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "cores": os.cpu_count(),
        "duckdb": duckdb.__version__,
        "scikit_learn": sklearn.__version__,
        "test_year_lines": lines,
        "model_learn_seconds": round(best_learn, 3),
        "model_classify_seconds": round(best_predict, 3),
        "model_classify_lines_per_second": round(lines / best_predict),
        "model_learn_and_classify_lines_per_second": round(model_lps),
        "baseline_seconds": round(best_base, 3),
        "baseline_lines_per_second": round(base_lps),
        "ratio_to_baseline": round(model_lps / base_lps, 4),
        "classify_command_lines": written,
        "classify_command_seconds": round(min(whole), 3),
        "classify_command_lines_per_second": round(written / min(whole)),
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(result, indent=2))
    out = ROOT / "benchmarks" / "results" / "classify.json"
    out.parent.mkdir(exist_ok=True)
    history = json.loads(out.read_text()) if out.exists() else []
    history.append(result)
    out.write_text(json.dumps(history, indent=2) + "\n")


if __name__ == "__main__":
    main()
