"""The command line run as a spark-submit application, as docs/spark.md tells a cluster user to.

spark-submit (the one shipped in the pyspark package) starts its own driver with the master it is
given; the command line must use that session, not start another, and give the answer DuckDB gives.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cross_engine import real_small_layout, real_small_warehouse  # noqa: F401  (fixtures)
from typer.testing import CliRunner

import observatory.__main__ as entry
from observatory.cli import app

pytestmark = pytest.mark.spark


def spark_submit() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent / "bin" / "spark-submit"


def test_supplier_dependency_under_spark_submit_equals_duckdb(
    real_small_warehouse: Path,  # noqa: F811
    real_small_layout: Path,  # noqa: F811
) -> None:
    args = ["suppliers", "dependency", "--json"]
    duck = CliRunner().invoke(app, [*args, "--db", str(real_small_warehouse)])
    assert duck.exit_code == 0, duck.output
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    env.pop("OBSERVATORY_SPARK_MASTER", None)
    done = subprocess.run(
        [
            str(spark_submit()),
            "--master",
            "local[1]",
            "--conf",
            "spark.ui.enabled=false",
            entry.__file__,
            *args,
            "--engine",
            "spark",
            "--db",
            str(real_small_layout),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    spark = json.loads(done.stdout)
    expected = json.loads(duck.stdout)
    assert expected["suppliers"], "the small warehouse has dependent suppliers to compare"
    assert spark == expected
