#!/bin/sh
# System packages the web app's browser tests and load test need (Debian).
#  - chromium: headless browser that Playwright (the Python package) drives; nothing is downloaded
#    by Playwright itself (we never run `playwright install`).
#  - wrk: HTTP load generator for benchmarks/bench_web.py (loopback only).
set -eu
if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends chromium wrk fonts-liberation
fi
chromium --version
