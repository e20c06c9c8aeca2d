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
VENDOR := www/vendor/wasm-feature-detect.js www/vendor/marked.esm.js www/vendor/uplot.js www/vendor/uplot.css

.PHONY: serve test setup build data dist bench clean-web

serve: setup build data
	@python3 scripts/serve.py --root . --port $(PORT)

test:
	@bash scripts/test.sh

setup:
	@bash scripts/setup.sh build

build: $(PKG_ST) $(PKG_MT) $(VENDOR)

$(PKG_ST): $(RUST_SOURCES) .cargo/wasm-st.toml
	@echo "build: pkg (single thread, SIMD128)"
	@wasm-pack --quiet build --release --target web --no-pack --out-dir www/pkg . -- --config .cargo/wasm-st.toml \
	  || { echo "build: the single-thread package failed to build (see the errors above)" >&2; exit 1; }

$(PKG_MT): $(RUST_SOURCES) .cargo/wasm-mt.toml
	@echo "build: pkg-parallel (threads + SIMD128, $(NIGHTLY))"
	@rustup run $(NIGHTLY) wasm-pack --quiet build --release --target web --no-pack --out-dir www/pkg-parallel . -- --config .cargo/wasm-mt.toml \
	  || { echo "build: the threaded package failed to build (see the errors above)" >&2; exit 1; }

www/vendor/wasm-feature-detect.js: node_modules/wasm-feature-detect/dist/esm/index.js
	@mkdir -p www/vendor && cp $< $@

www/vendor/marked.esm.js: node_modules/marked/lib/marked.esm.js
	@mkdir -p www/vendor && cp $< $@

# uPlot ships its minified build as a script that defines `var uPlot`; as a module that name
# stays module-local (embedding pages get no global) and is its default export.
www/vendor/uplot.js: node_modules/uplot/dist/uPlot.iife.min.js
	@mkdir -p www/vendor && { cat $<; printf '\nexport default uPlot;\n'; } > $@

www/vendor/uplot.css: node_modules/uplot/dist/uPlot.min.css
	@mkdir -p www/vendor && cp $< $@

node_modules/wasm-feature-detect/dist/esm/index.js node_modules/marked/lib/marked.esm.js node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css:
	@bash scripts/setup.sh build

data:
	@cargo run --quiet --release --bin nnbook -- data

dist: build data
	@bash scripts/dist.sh

bench: setup build data
	@bash scripts/bench.sh

clean-web:
	rm -rf www/pkg www/pkg-parallel www/vendor dist
