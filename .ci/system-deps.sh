#!/bin/sh
# System packages the tests and benchmarks need (Debian): browser, load generator, Java.
#  - chromium: headless browser that Playwright (the Python package) drives; nothing is downloaded
#    by Playwright itself (we never run `playwright install`).
#  - wrk: HTTP load generator for benchmarks/bench_web.py (loopback only).
#  - openjdk-17-jre-headless: the Java runtime PySpark needs for the cross-engine tests (tests
#    marked spark); skipped when a Java 17+ is already on the machine.
set -eu
if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends chromium wrk fonts-liberation
    if ! command -v java >/dev/null 2>&1; then
        $SUDO apt-get install -y -q --no-install-recommends openjdk-17-jre-headless
    fi
fi
chromium --version
java -version
