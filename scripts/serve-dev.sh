#!/usr/bin/env bash
# `make serve`, once the single-thread package and the data are ready: serves the site at once
# and, when the threaded package (www/pkg-parallel) is missing or out of date, builds it in the
# background meanwhile. Until it is there the worker uses the single-thread package and the
# capability panel says "threads: being built — reload when done"; the build writes
# www/pkg-parallel/status.json for that ({"state": "building" | "failed", "log": ...}), and
# replaces the whole folder with the finished package in one move. Ctrl-C stops the server and
# a build still under way (job control gives the build its own process group, ended on exit).
# usage: scripts/serve-dev.sh PORT
set -uo pipefail
cd "$(dirname "$0")/.."
port=${1:-8000}
MT=www/pkg-parallel
log=target/pkg-parallel-build.log

status() { # STATE: writes the marker the worker reads
  mkdir -p "$MT"
  printf '{"state": "%s", "log": "%s"}\n' "$1" "$log" >"$MT/status.json"
}

if make --no-print-directory -q "$MT/nnbook_bg.wasm" 2>/dev/null; then
  rm -f "$MT/status.json"
else
  mkdir -p target
  # A stale threaded package would run older code than the fresh single-thread one: hide it.
  rm -rf "$MT"
  status building
  echo "nnbook: building the threaded package in the background (log: $log); the site works meanwhile with one thread"
  set -m
  (
    if make --no-print-directory "$MT/nnbook_bg.wasm" >"$log" 2>&1; then
      echo "nnbook: the threaded package is built; reload the page to use threads"
    else
      status failed
      echo "nnbook: the threaded package failed to build (see $log); the site keeps using one thread" >&2
    fi
  ) &
  build=$!
  set +m
  # On exit: end a build still under way; then no marker claims a build that is not running.
  trap 'kill -- -$build 2>/dev/null; [ -f "$MT/nnbook_bg.wasm" ] || rm -f "$MT/status.json"' EXIT
fi
python3 scripts/serve.py --root . --port "$port"
