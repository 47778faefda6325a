"""Load test of the web app on loopback: requests per second and p95 latency with wrk.

Run by hand (never in CI), on the full real dataset:

    .venv/bin/observatory demo --real --db /tmp/real.duckdb      # about 1.5 minutes
    .venv/bin/python benchmarks/bench_web.py --db /tmp/real.duckdb [--seconds 20]

A session is created directly in the warehouse, the server is started in a subprocess on a free
127.0.0.1 port, and wrk (Debian package `wrk`, see .ci/system-deps.sh) runs for a bounded time
with 20 connections against (1) the overview and (2) a spend-line drill-down that cycles through
many filters (suppliers, members, months, sort orders, pages). Cold latencies (first request for
each drill-down, before any cache) are measured separately. The result is appended to
benchmarks/results/web.json. Goal: p95 < 300 ms at 20 concurrent users on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx

from observatory.store import Warehouse
from observatory.web import auth

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "web.json"
EMAIL = "loadtest@network.example"

LUA = r"""
local paths = {}
local i = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
request = function()
  i = (i % #paths) + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "p50_ms": %.1f, "p95_ms": %.1f, '
    .. '"p99_ms": %.1f, "max_ms": %.1f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000, errors))
end
"""

SERVER = """
import sys, uvicorn
from observatory.web.app import create_app
from observatory.web.host import WarehouseHost
host = WarehouseHost.open(sys.argv[1])
uvicorn.run(create_app(host), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(db: Path) -> str:
    """An account and a session cookie for the load test (kept out of the real accounts)."""
    with Warehouse.open(db) as w:
        account = (
            auth.find_user(w, EMAIL)
            or auth.add_user(
                w, EMAIL, "network", "network_coordinator", "load test only " + os.urandom(8).hex()
            )[0]
        )
        secret, _ = auth.create_session(w, account, hours=2)
    return secret


def drill_paths(client: httpx.Client) -> list[str]:
    """Many different drill-downs: the top suppliers, each member's months, sorts and pages."""
    paths = []
    suppliers = client.get("/api/suppliers", params={"size": 100}).json()["rows"]
    for s in suppliers[:60]:
        paths.append("/spend?" + urlencode({"supplier_key": s["supplier_key"]}))
    months = client.get("/api/overview/monthly", params={"size": 500}).json()["rows"]
    for m in months[:60]:
        paths.append(
            "/spend?" + urlencode({"organisation": m["organisation"], "month": m["month"]})
        )
    for sort in ("amount", "supplier_name", "payment_date"):
        for page in (1, 2, 5, 20):
            paths.append("/spend?" + urlencode({"sort": sort, "dir": "desc", "page": page}))
    return paths


def wrk(url: str, paths: list[str], cookie: str, seconds: int, connections: int) -> dict:
    folder = Path(tempfile.mkdtemp())
    (folder / "paths.txt").write_text("\n".join(paths) + "\n")
    (folder / "cycle.lua").write_text(LUA)
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-H",
        f"Cookie: obs_session={cookie}",
        "-s",
        str(folder / "cycle.lua"),
        url,
        "--",
        str(folder / "paths.txt"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    shutil.rmtree(folder)
    found = re.search(r"RESULT (\{.*\})", done.stdout)
    if not found:
        raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
    result = json.loads(found[1])
    result["requests_per_second"] = round(result["requests"] / result["seconds"], 1)
    result["distinct_paths"] = len(paths)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=20)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    cookie = prepare(args.db)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(args.db), str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, cookies={"obs_session": cookie}, timeout=60) as client:
            for _ in range(200):
                try:
                    if client.get("/api/me").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            lines = client.get("/api/overview").json()["totals"]["spend_lines"]
            t = time.perf_counter()
            client.get("/")
            cold_overview = (time.perf_counter() - t) * 1000
            paths = drill_paths(client)
            cold = []
            for path in paths:
                t = time.perf_counter()
                assert client.get(path).status_code == 200, path
                cold.append((time.perf_counter() - t) * 1000)
        overview = wrk(base, ["/"], cookie, args.seconds, args.connections)
        drill = wrk(base, paths, cookie, args.seconds, args.connections)
    finally:
        server.terminate()
        server.wait(timeout=30)
    cold_sorted = sorted(cold)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "spend_lines": lines,
        "connections": args.connections,
        "seconds_each": args.seconds,
        "overview": overview,
        "drill_down": drill,
        "cold_overview_ms": round(cold_overview, 1),
        "cold_drill_down_ms": {
            "n": len(cold),
            "median": round(statistics.median(cold), 1),
            "p95": round(cold_sorted[int(0.95 * (len(cold) - 1))], 1),
            "max": round(cold_sorted[-1], 1),
        },
        "goal_p95_ms": 300,
    }
    history = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    history.append(result)
    RESULTS.write_text(json.dumps(history, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
