#!/usr/bin/env bash
# `npm test`: everything, in the order that fails fastest. Prints how long each step took.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
BIN=node_modules/.bin
# npm already puts the project's Node 24 (the `node` package) first; this covers `bash scripts/test.sh`.
export PATH="$PWD/$BIN:$PATH"
node -e 'const m = Number(process.versions.node.split(".")[0]); if (m < 24) { console.error(`npm test needs Node.js 24 (found ${process.version}); run npm ci to install the pinned Node`); process.exit(1); }'
echo "Node.js $(node --version) ($(command -v node))"
total_start=$(date +%s)

step() {
  local name=$1; shift
  local t0; t0=$(date +%s)
  echo
  echo "━━ $name"
  "$@"
  echo "━━ $name: ok ($(( $(date +%s) - t0 )) s)"
}

bash scripts/test-prereqs.sh
step "typecheck" "$BIN/tsc" --noEmit -p .
step "lint" "$BIN/eslint" . --max-warnings=0
step "migrations match prisma/schema.prisma" "$BIN/tsx" scripts/db-diff.ts --check
step "unit and integration tests (PGlite and PostgreSQL)" "$BIN/vitest" run
step "production build" node node_modules/next/dist/bin/next build
step "end-to-end tests (Chromium, production build)" "$BIN/playwright" test

echo
echo "All tests passed in $(( $(date +%s) - total_start )) s."
