#!/usr/bin/env bash
# Regenerates docs/fit.png, the figure the README shows, from a full run of the article
# (deterministic: the same seeds give the same image).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
npx tsc -p tsconfig.json
tmp="$(mktemp -d "${TMPDIR:-/tmp}/duograd-docs-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
node dist/src/cli/main.js article --quiet --out "$tmp" >/dev/null
mkdir -p docs
cp "$tmp/fit.png" docs/fit.png
echo "wrote docs/fit.png"
