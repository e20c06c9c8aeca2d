#!/usr/bin/env bash
# `make bench` (after setup, build and data): measures nnbook against TF.js, ONNX Runtime Web and
# ConvNetJS in headless Chromium and prints the JSON report (also in bench/results/latest.json).
# The peers are npm dev-dependencies served from node_modules by the dev server (not by dist).
# Environment: BENCH_RUNS (3), BENCH_ENGINES, BENCH_BUDGET_MS, BENCH_ENGINE_TIMEOUT_MS,
# BENCH_TIMEOUT_S, CHROMIUM — see bench/run.mjs.
set -uo pipefail
cd "$(dirname "$0")/.."

die() { echo "bench: $*" >&2; exit 1; }

command -v node >/dev/null || die "node not found: install Node.js 20+"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || die "Chromium not found at $CHROMIUM: install Debian's 'chromium' (scripts/setup.sh test does it) or set CHROMIUM"
missing=0
for p in playwright-core @tensorflow/tfjs @tensorflow/tfjs-backend-wasm onnxruntime-web convnetjs; do
  [ -f "node_modules/$p/package.json" ] || missing=1
done
if [ "$missing" = 1 ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bench: installing npm dev-dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund >/tmp/nnbook-npm.log 2>&1 || die "npm ci failed (log: /tmp/nnbook-npm.log)"
fi
[ -f bench/cifar_model.onnx ] || die "bench/cifar_model.onnx is missing (regenerate it: see bench/export_onnx.py)"
[ -f www/pkg/nnbook_bg.wasm ] || echo "bench: www/pkg is not built; nnbook's rows will report the error (make build)" >&2

node bench/prep_cifar64.mjs >&2 || die "cannot prepare the CIFAR-10 batch (bench/prep_cifar64.mjs)"
echo "bench: running (BENCH_RUNS=${BENCH_RUNS:-3}); progress on stderr, JSON on stdout" >&2
CHROMIUM="$CHROMIUM" node bench/run.mjs
