#!/usr/bin/env bash
# Rebuilds the committed front-end assets: static/css/app.css (Tailwind) and the
# vendored htmx + SSE extension in static/js/. Run after changing templates or CSS.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -d node_modules ]]; then
  npm ci
fi

npm run build
