# nnbook: two commands for a newcomer — `make serve` and `make test`. See README.md.
SHELL := /bin/bash
PORT ?= 8000
NIGHTLY ?= nightly
export NIGHTLY
# npm's wasm-opt first (Debian's binaryen is too old for wasm-pack); cargo's tools next.
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# Build flags live in .cargo/wasm-*.toml; an exported RUSTFLAGS would override them.
unexport RUSTFLAGS

RUST_SOURCES := $(shell find src -name '*.rs') Cargo.toml Cargo.lock
PKG_ST := www/pkg/nnbook_bg.wasm
PKG_MT := www/pkg-parallel/nnbook_bg.wasm
VENDOR := www/vendor/wasm-feature-detect.js www/vendor/marked.esm.js www/vendor/codemirror.js www/vendor/uplot.js www/vendor/uplot.css

.PHONY: serve test setup build data dist bench clean-web

# The first page as soon as the single-thread package and the data are ready; the threaded
# package is built in the background meanwhile (scripts/serve-dev.sh).
# The single-thread package and the native data CLI build side by side: most of each is rustc
# on the one big crate (codegen-units = 1, one thread), so on 2 cores they overlap well.
serve: setup
	@$(MAKE) --no-print-directory -j2 $(PKG_ST) $(VENDOR) data
	@bash scripts/serve-dev.sh $(PORT)

test:
	@bash scripts/test.sh

setup:
	@bash scripts/setup.sh build

build: $(PKG_ST) $(PKG_MT) $(VENDOR)

# Each package is built into a staging folder and moved into www/ whole, so a page never loads
# a half-written package (make serve builds pkg-parallel while the site is served).
$(PKG_ST): $(RUST_SOURCES) .cargo/wasm-st.toml
	@echo "build: pkg (single thread, SIMD128)"
	@rm -rf target-st/pkg-staging
	@wasm-pack --quiet build --release --target web --no-pack --out-dir target-st/pkg-staging . -- --config .cargo/wasm-st.toml \
	  || { echo "build: the single-thread package failed to build (see the errors above)" >&2; exit 1; }
	@rm -rf www/pkg && mv target-st/pkg-staging www/pkg

$(PKG_MT): $(RUST_SOURCES) .cargo/wasm-mt.toml
	@echo "build: pkg-parallel (threads + SIMD128, $(NIGHTLY))"
	@rm -rf target-mt/pkg-staging
	@rustup run $(NIGHTLY) wasm-pack --quiet build --release --target web --no-pack --out-dir target-mt/pkg-staging . -- --config .cargo/wasm-mt.toml \
	  || { echo "build: the threaded package failed to build (see the errors above)" >&2; exit 1; }
	@rm -rf www/pkg-parallel && mv target-mt/pkg-staging www/pkg-parallel

www/vendor/wasm-feature-detect.js: node_modules/wasm-feature-detect/dist/esm/index.js
	@mkdir -p www/vendor && cp $< $@

www/vendor/marked.esm.js: node_modules/marked/lib/marked.esm.js
	@mkdir -p www/vendor && cp $< $@

# The cells' editor: the parts of CodeMirror 6 that scripts/vendor/codemirror-entry.mjs names,
# bundled and minified (about 120 KB gzipped; README "Sizes").
www/vendor/codemirror.js: scripts/vendor/codemirror-entry.mjs package-lock.json node_modules/codemirror/package.json
	@mkdir -p www/vendor && esbuild $< --bundle --format=esm --minify --log-level=warning --outfile=$@

# uPlot ships its minified build as a script that defines `var uPlot`; as a module that name
# stays module-local (embedding pages get no global) and is its default export.
www/vendor/uplot.js: node_modules/uplot/dist/uPlot.iife.min.js
	@mkdir -p www/vendor && { cat $<; printf '\nexport default uPlot;\n'; } > $@

www/vendor/uplot.css: node_modules/uplot/dist/uPlot.min.css
	@mkdir -p www/vendor && cp $< $@

node_modules/wasm-feature-detect/dist/esm/index.js node_modules/marked/lib/marked.esm.js node_modules/codemirror/package.json node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css:
	@bash scripts/setup.sh build

# The native CLI that writes www/data (NNBOOK_CLI=path/to/nnbook uses a prebuilt one).
NNBOOK_CLI ?= cargo run --quiet --release --bin nnbook --
data:
	@$(NNBOOK_CLI) data

dist: build data
	@bash scripts/dist.sh

bench: setup build data
	@bash scripts/bench.sh

clean-web:
	rm -rf www/pkg www/pkg-parallel www/vendor dist
