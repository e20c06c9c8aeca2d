#!/usr/bin/env bash
# `make dist`: a self-contained static site in dist/ with relative paths only, so it works
# from any sub-path (e.g. https://host/nnbook/). `_headers` asks hosts that read one (Netlify,
# Cloudflare Pages) for COOP/COEP so the threaded package can run; hosts that cannot send
# headers get the single-thread package automatically.
set -euo pipefail
cd "$(dirname "$0")/.."
for f in www/pkg/nnbook_bg.wasm www/pkg-parallel/nnbook_bg.wasm www/vendor/wasm-feature-detect.js www/vendor/marked.esm.js; do
  [ -f "$f" ] || { echo "dist: $f is missing; run make build first" >&2; exit 1; }
done
rm -rf dist
mkdir -p dist/www
cp index.html sw.js dist/
# The shell and the built packages. Left out: TypeScript declarations, package metadata, and
# the benchmark page (it loads its peers from node_modules, which only the dev server serves).
cp -r www/. dist/www/
find dist/www \( -name '*.d.ts' -o -name package.json -o -name .gitignore \) -delete
rm -rf dist/www/bench.html dist/www/bench
cat > dist/_headers <<'HEADERS'
/*
  Cross-Origin-Opener-Policy: same-origin
  Cross-Origin-Embedder-Policy: require-corp
  Cross-Origin-Resource-Policy: same-origin
  Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'self'
HEADERS
# What the service worker (sw.js) caches on install: every file of the site, relative paths.
(cd dist && find . -type f ! -name _headers ! -name precache.json ! -name sw.js | sed 's|^\./||' | sort \
  | python3 -c 'import json, sys; print(json.dumps([l.strip() for l in sys.stdin if l.strip()], indent=0))' > precache.json)
if grep -rEn '(src|href)="/' dist/index.html dist/www/*.html 2>/dev/null; then
  echo "dist: absolute paths found above; dist must use relative paths" >&2; exit 1
fi
du -sh dist | awk '{print "dist: wrote dist/ (" $1 ")"}'
for p in pkg pkg-parallel; do
  gz=$(gzip -9c "dist/www/$p/nnbook_bg.wasm" | wc -c)
  echo "dist: $p wasm $(stat -c %s "dist/www/$p/nnbook_bg.wasm") bytes, $gz gzipped"
done
# The widget bundle an embedding page loads (each file gzipped on its own, as a server sends it).
bundle=(dist/www/nnbook-widgets.js dist/www/client.js dist/www/idb.js dist/www/worker.js dist/www/worker/*.js dist/www/widgets/*.js dist/www/vendor/wasm-feature-detect.js)
raw=0; gz=0
for f in "${bundle[@]}"; do raw=$((raw + $(stat -c %s "$f"))); gz=$((gz + $(gzip -9c "$f" | wc -c))); done
echo "dist: widget bundle (nnbook-widgets.js, client, worker, widgets/*.js): ${#bundle[@]} files, $raw bytes, $gz gzipped"
