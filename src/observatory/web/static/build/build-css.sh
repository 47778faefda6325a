#!/bin/sh
# Rebuild vendor/govuk-frontend/govuk-frontend.min.css from the npm package (a developer step,
# never run at install or run time). Needs node/npm; versions pinned to what is vendored.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund sass@1 govuk-frontend@6.6.0 htmx.org@2.0.11 >/dev/null
./node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map \
    "$here/govuk-frontend.scss" "$here/../vendor/govuk-frontend/govuk-frontend.min.css"
cp node_modules/htmx.org/dist/htmx.min.js "$here/../vendor/htmx/htmx.min.js"
cp node_modules/htmx.org/LICENSE "$here/../vendor/htmx/LICENSE"
rm -rf "$work"
