#!/usr/bin/env bash
# Renders the app icons for the web app manifest from static/img/icon.svg with headless Chromium
# (no network, no image tools): icon-192.png and icon-512.png ("any", rounded, transparent corners)
# and icon-maskable-512.png (full-bleed background, the die inside the 80% safe zone).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
chromium="${DICEROLLER_CHROMIUM:-/usr/bin/chromium}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

svg="$(cat static/img/icon.svg)"
maskable="${svg/<g /<g transform=\"translate(32 32) scale(0.7) translate(-32 -32)\" }"
maskable="${maskable/ rx=\"12\"/}"
page() { printf '<!doctype html><style>html,body{margin:0;background:transparent}svg{display:block;width:100vw;height:100vh}</style>%s' "$1"; }
page "$svg" > "$work/any.html"
page "$maskable" > "$work/maskable.html"

shoot() {
  "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --default-background-color=00000000 \
    --window-size="$2,$2" --screenshot="$3" "file://$work/$1.html" 2>/dev/null
}
shoot any 192 static/img/icon-192.png
shoot any 512 static/img/icon-512.png
shoot maskable 512 static/img/icon-maskable-512.png
ls -l static/img/*.png
