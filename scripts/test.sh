#!/usr/bin/env bash
# `make test`: every test nnbook has, in order, with one summary line at the end:
# `N passed, N failed`. Lint steps count as one check each; test runners add their own counts.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
unset RUSTFLAGS
NIGHTLY=${NIGHTLY:-nightly}
LOG_DIR=${LOG_DIR:-target/test-logs}
mkdir -p "$LOG_DIR"
passed=0
failed=0
failures=()

# Adds the counts of every "N passed; M failed" / "# pass N" / "N passed, M failed" line in a log.
count_log() {
  local log=$1 p f
  read -r p f < <(python3 scripts/count_tests.py "$log")
  echo "$p $f"
}

# run NAME CMD...: runs a step, logs it, adds its counts (or 1 check if it reports none).
run() {
  local name=$1; shift
  local log="$LOG_DIR/${name//[^A-Za-z0-9_-]/_}.log"
  local t0=$SECONDS
  echo "== $name"
  "$@" >"$log" 2>&1
  local rc=$?
  read -r p f < <(count_log "$log")
  if [ "$p" = 0 ] && [ "$f" = 0 ]; then
    if [ $rc = 0 ]; then p=1; else f=1; fi
  elif [ $rc != 0 ] && [ "$f" = 0 ]; then
    f=1 # the runner failed outside any test (build error, crash)
  fi
  passed=$((passed + p)); failed=$((failed + f))
  if [ $rc = 0 ]; then
    echo "   ok: $p passed ($((SECONDS - t0)) s)"
  else
    failures+=("$name")
    echo "   FAILED (exit $rc; log $log), last lines:"
    tail -n 25 "$log" | sed 's/^/   | /'
  fi
}

bash scripts/setup.sh test || { echo "0 passed, 1 failed"; exit 1; }
echo "== build (both wasm packages, data)"
if ! make --no-print-directory build data >"$LOG_DIR/build.log" 2>&1; then
  tail -n 30 "$LOG_DIR/build.log"
  echo "test: the build failed, so nothing else can be tested"
  echo "0 passed, 1 failed"
  exit 1
fi

run fmt cargo fmt --check
run clippy-host cargo clippy --all-targets -- -D warnings
run clippy-wasm-st cargo clippy --target wasm32-unknown-unknown --all-targets --config .cargo/wasm-st.toml -- -D warnings
run clippy-wasm-mt rustup run "$NIGHTLY" cargo clippy --target wasm32-unknown-unknown --lib --config .cargo/wasm-mt.toml -- -D warnings
run cargo-test cargo test --release
if compgen -G "tests/golden/*.json" >/dev/null; then
  run golden cargo run --quiet --release --bin nnbook -- golden tests/golden/*.json
fi
run wasm-test-pkg wasm-pack test --headless --chrome --release . --config .cargo/wasm-st.toml
run wasm-test-pkg-parallel rustup run "$NIGHTLY" wasm-pack test --headless --chrome --release . --config .cargo/wasm-mt.toml
mapfile -t e2e_files < <(ls tests/e2e/*.test.mjs | grep -v "/dist.test.mjs$")
run e2e node --test --test-reporter=tap "${e2e_files[@]}"
run dist make --no-print-directory dist
run e2e-dist node --test --test-reporter=tap tests/e2e/dist.test.mjs

if [ ${#failures[@]} -gt 0 ]; then echo "failed steps: ${failures[*]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
